/**
 * The kfunc facade (`scx`) handed to a scheduler: thin checks of the calling context, then the
 * core. Misuse that the kernel reports as a scheduler error (a kfunc called from the wrong
 * callback, a bad CPU) ejects the scheduler with SCX_EXIT_ERROR.
 */
import type { Kernel } from "../kernel.js";
import type { Task } from "../task.js";
import type { CpuId, Scx, ScxTask, SelectCpuResult, TaskStorage } from "./ops.js";
import { Ctx } from "./core.js";
import { Dsq } from "./dsq.js";
import { SCX_DSQ_GLOBAL, SCX_DSQ_USER_MAX, SCX_ENQ_REENQ, SCX_KICK_IDLE, SCX_KICK_PREEMPT, SCX_KICK_WAIT, SCX_PICK_IDLE_CORE } from "./consts.js";
import { EBUSY, EEXIST, EINVAL, ENOENT } from "../bpf/errno.js";
import { trackBpfTimer } from "./lifecycle.js";
import { Cls, Place } from "../task.js";
import { Counters } from "../counters.js";

class SlotStorage<T> implements TaskStorage<T> {
  private readonly values: (T | undefined)[] = [];
  private readonly pids: number[] = [];
  constructor(private readonly init: (p: ScxTask) => T) {}

  get(p: ScxTask): T {
    const slot = (p as Task).slot;
    if (this.pids[slot] !== p.pid) {
      this.values[slot] = this.init(p);
      this.pids[slot] = p.pid;
    }
    return this.values[slot] as T;
  }
}

export class ScxKfuncs implements Scx {
  private readonly out: SelectCpuResult = { cpu: 0, isIdle: false };
  private readonly counters = new Counters();

  constructor(private readonly k: Kernel) {}

  now(): number { return this.k.now; }
  nrCpus(): number { return this.k.topo.nrCpus; }
  cpuLlc(cpu: CpuId): number { return this.k.topo.llcOf[this.cpuOk(cpu)]; }
  cpuNode(cpu: CpuId): number { return this.k.topo.nodeOf[this.cpuOk(cpu)]; }
  cpuCapacity(cpu: CpuId): number { return this.k.topo.capacity[this.cpuOk(cpu)]; }
  cpuSibling(cpu: CpuId): CpuId { return this.k.topo.sibling[this.cpuOk(cpu)]; }
  nrLlcs(): number { return this.k.topo.nrLlcs; }
  nrNodes(): number { return this.k.topo.nrNodes; }

  dsqInsert(p: ScxTask, dsq: number, sliceNs: number, enqFlags: number): void {
    this.doInsert(p as Task, dsq, sliceNs, enqFlags, null);
  }

  dsqInsertVtime(p: ScxTask, dsq: number, sliceNs: number, vtime: number, enqFlags: number): void {
    this.doInsert(p as Task, dsq, sliceNs, enqFlags, vtime);
  }

  private doInsert(t: Task, dsq: number, slice: number, flags: number, vtime: number | null): void {
    const core = this.k.ext;
    if (core.ctx === Ctx.SelectCpu || core.ctx === Ctx.Enqueue) core.directDispatch(t, dsq, slice, flags, vtime);
    else if (core.ctx === Ctx.Dispatch) core.bufferInsert(t, dsq, slice, flags, vtime);
    else core.coreError("scx_bpf_dsq_insert() called outside select_cpu, enqueue or dispatch");
  }

  dsqMoveToLocal(dsq: number): boolean { return this.k.ext.moveToLocal(dsq); }

  dsqNrQueued(dsq: number): number {
    const d = this.k.ext.dsqOf(dsq);
    if (d === undefined) return -2;
    return d.nr;
  }

  dsqPeek(dsq: number): ScxTask | null {
    const d = this.k.ext.userDsq(dsq);
    return d === undefined ? null : this.k.ext.peek(d);
  }

  dsqTasks(dsq: number, out: ScxTask[]): number {
    const core = this.k.ext;
    const d = dsq === SCX_DSQ_GLOBAL ? core.global : core.userDsq(dsq);
    if (d === undefined) { out.length = 0; return -ENOENT; }
    core.snapshot(d, out as Task[]);
    return 0;
  }

  createDsq(dsq: number, _node: number): number {
    const core = this.k.ext;
    if (!Number.isInteger(dsq) || dsq < 0 || dsq >= SCX_DSQ_USER_MAX) return -EINVAL;
    return core.addUserDsq(new Dsq(dsq, false)) ? 0 : -EEXIST;
  }

  destroyDsq(dsq: number): void {
    const core = this.k.ext;
    const d = core.userDsq(dsq);
    if (d === undefined) return;
    if (d.nr > 0) core.coreError(`destroying non-empty DSQ 0x${dsq.toString(16)}`);
    core.removeUserDsq(dsq);
  }

  dispatchNrSlots(): number {
    return this.k.ext.ctx === Ctx.Dispatch ? this.k.ext.maxBatch - this.k.ext.bufN : 0;
  }

  dispatchCancel(): void {
    if (this.k.ext.ctx === Ctx.Dispatch && this.k.ext.bufN > 0) this.k.ext.bufN--;
  }

  reenqueueLocal(): number {
    const core = this.k.ext, cpu = core.ctxCpu;
    let n = 0;
    for (let t = core.take(core.local[cpu], -1); t !== null; t = core.take(core.local[cpu], -1)) {
      t.place = Place.Bpf;
      core.enqueue(t, SCX_ENQ_REENQ);
      n++;
      if (n > 100_000) break;
    }
    return n;
  }

  kickCpu(cpu: CpuId, flags: number): void {
    const k = this.k;
    this.cpuOk(cpu);
    if (flags & SCX_KICK_IDLE) {
      // "Kick only if idle" and "preempt" or "wait for it" contradict each other; the kernel
      // treats the combination as a scheduler error.
      if (flags & (SCX_KICK_PREEMPT | SCX_KICK_WAIT)) this.k.ext.coreError("scx_bpf_kick_cpu(): SCX_KICK_IDLE combined with SCX_KICK_PREEMPT or SCX_KICK_WAIT");
      if (k.curr[cpu] < 0) k.resched(cpu);
      return;
    }
    if (flags & SCX_KICK_PREEMPT) { k.preemptExt(cpu); return; }
    if (k.curr[cpu] < 0 || k.currCls[cpu] === Cls.Ext) k.resched(cpu);
  }

  selectCpuDfl(p: ScxTask, prevCpu: CpuId, _wakeFlags: number): SelectCpuResult {
    const core = this.k.ext;
    if (core.ctx !== Ctx.SelectCpu) core.coreError("scx_bpf_select_cpu_dfl() called outside select_cpu");
    core.idle.selectDfl((p as Task).cpusAllowed, this.cpuOk(prevCpu), this.out);
    return this.out;
  }

  testAndClearCpuIdle(cpu: CpuId): boolean { return this.k.ext.idle.testAndClear(this.cpuOk(cpu)); }

  pickIdleCpu(mask: Uint8Array | null, flags: number): CpuId {
    const c = this.k.ext.idle.pickAny(mask, (flags & SCX_PICK_IDLE_CORE) !== 0);
    return c >= 0 ? c : -EBUSY;
  }

  pickAnyCpu(mask: Uint8Array | null, flags: number): CpuId {
    const c = this.pickIdleCpu(mask, flags);
    if (c >= 0) return c;
    const n = this.k.topo.nrCpus;
    for (let i = 0; i < n; i++) if (mask === null || mask[i] === 1) return i;
    return -EBUSY;
  }

  isCpuIdle(cpu: CpuId): boolean { return this.k.curr[this.cpuOk(cpu)] < 0; }
  /** As the kernel's (task_rq(p)->curr == p): also true in the callbacks of a task leaving its CPU. */
  taskRunning(p: ScxTask): boolean { return this.k.curr[p.cpu] === (p as Task).slot; }
  taskCpu(p: ScxTask): CpuId { return p.cpu; }
  cpuCurr(cpu: CpuId): ScxTask | null { return this.k.currOf(this.cpuOk(cpu)); }
  nrQueuedLocal(cpu: CpuId): number { return this.k.ext.local[this.cpuOk(cpu)].nr; }
  cpuAllowed(p: ScxTask, cpu: CpuId): boolean { return this.k.cpuAllowed(p as Task, cpu); }

  error(msg: string): void {
    this.k.ext.requestExit("SCX_EXIT_ERROR_BPF", msg);
  }

  exit(code: number, msg: string): void {
    this.k.ext.requestExit("SCX_EXIT_UNREG_BPF", msg, code);
  }

  randomU32(): number { return this.k.rngScx.u32(); }

  taskStorage<T>(init: (p: ScxTask) => T): TaskStorage<T> { return new SlotStorage(init); }

  timerCreate(fn: () => void): number {
    const core = this.k.ext;
    const id = this.k.timerCreate(() => {
      if (!core.enabled || core.aborting) return;
      core.call(null, "timer", fn);
    });
    trackBpfTimer(this.k, id);
    return id;
  }

  timerStart(id: number, delayNs: number): void { this.k.timerStart(id, delayNs); }
  timerCancel(id: number): void { this.k.timerCancel(id); }

  cgroupWeight(cgroup: string): number {
    const c = this.k.workload.cgroups.find((g) => g.path === cgroup);
    return c?.weight ?? 100;
  }

  cgroupParent(cgroup: string): string {
    if (cgroup === "/" || cgroup === "") return "";
    const i = cgroup.lastIndexOf("/");
    return i <= 0 ? "/" : cgroup.slice(0, i);
  }

  stat(name: string, delta = 1): void {
    this.counters.add(name, delta);
  }

  /** The scheduler's own counters (scx.stat), by name. */
  get stats(): Record<string, number> {
    return this.counters.toRecord();
  }

  private cpuOk(cpu: CpuId): CpuId {
    if (!Number.isInteger(cpu) || cpu < 0 || cpu >= this.k.topo.nrCpus) this.k.ext.coreError(`invalid CPU ${String(cpu)}`);
    return cpu;
  }
}

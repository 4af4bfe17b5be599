/**
 * task_struct mirrors: each task a program sees has a region in BpfMemory laid out by the kernel
 * type model (obj/kernel_btf.ts), filled from the ScxTask before every callback that passes it
 * and read back afterwards for the two fields BPF may write (p->scx.slice, p->scx.dsq_vtime).
 * A mirror is created on first sight and recycled once its task exits (`release`), so a run
 * with many short-lived tasks keeps only as many mirrors as tasks live at once.
 */
import type { BpfAddr, BpfMemory } from "../memory.js";
import { kernelField } from "../obj/kernel_btf.js";
import type { Pid, ScxTask } from "../../ext/ops.js";
import { TaskView } from "../../ext/task_view.js";
import type { Task } from "../../task.js";
import { taskState } from "../../ext/task_flags.js";
import { sliceFromKernel, sliceHi, sliceLo, vtimeFromKernel, vtimeHi, vtimeLo } from "./abi.js";

/** Field offsets (bytes) in the model's task_struct. */
const F = {
  size: structSize(),
  pid: kernelField("task_struct", "pid").offset,
  tgid: kernelField("task_struct", "tgid").offset,
  staticPrio: kernelField("task_struct", "static_prio").offset,
  prio: kernelField("task_struct", "prio").offset,
  normalPrio: kernelField("task_struct", "normal_prio").offset,
  weight: kernelField("task_struct", "scx.weight").offset,
  slice: kernelField("task_struct", "scx.slice").offset,
  vtime: kernelField("task_struct", "scx.dsq_vtime").offset,
  scxFlags: kernelField("task_struct", "scx.flags").offset,
  state: kernelField("task_struct", "__state").offset,
  nrCpusAllowed: kernelField("task_struct", "nr_cpus_allowed").offset,
  cpusPtr: kernelField("task_struct", "cpus_ptr").offset,
  mm: kernelField("task_struct", "mm").offset,
  cpusMask: kernelField("task_struct", "cpus_mask").offset,
  cpusMaskSize: kernelField("task_struct", "cpus_mask").size,
  nvcsw: kernelField("task_struct", "nvcsw").offset,
  realParent: kernelField("task_struct", "real_parent").offset,
  sumExec: kernelField("task_struct", "se.sum_exec_runtime").offset,
  loadWeight: kernelField("task_struct", "se.load.weight").offset,
  comm: kernelField("task_struct", "comm").offset,
  commSize: kernelField("task_struct", "comm").size,
};

function structSize(): number {
  const last = kernelField("task_struct", "comm");
  return Math.ceil((last.offset + last.size) / 8) * 8;
}

const TWO32 = 4294967296;
/** The idle tasks' priority: init_task's (nice 0), which each CPU's idle task is forked from. */
const IDLE_PRIO = 120;

/** enum scx_ent_flags / scx_task_state values (the kernel model's, kernel_btf.ts). */
const SCX_TASK_QUEUED = 1;
const SCX_TASK_STATE_SHIFT = 8;
const SCX_TASK_READY = 2;
const SCX_TASK_ENABLED = 3;

/**
 * p->scx.flags as the kernel keeps it: SCX_TASK_QUEUED as the task view's p.queued says
 * (upstream bpfland, flash, beerland, cosmos and tickless test it in ops.dispatch to refill a
 * lone prev's slice; nest, to tell a prev that blocked or died); the state field says ENABLED
 * once ops.enable ran.
 */
function scxEntityFlags(t: Task, queued: boolean): number {
  return (queued ? SCX_TASK_QUEUED : 0) | ((t.scxEnabled ? SCX_TASK_ENABLED : SCX_TASK_READY) << SCX_TASK_STATE_SHIFT);
}

/** One mirror region and the slice/vtime halves `sync` last wrote into it. */
class Mirror {
  /**
   * The task's address space (p->mm): an opaque region of its own, since every simulated task
   * is a process of its own (tgid = pid). Programs compare mm pointers; they never read one.
   */
  mm: BpfAddr = 0;
  /**
   * [slice lo, slice hi, vtime lo, vtime hi] as written: copyBack applies a field only when the
   * program changed it, so a kfunc's update of the task during the callback stands.
   */
  readonly written = new Int32Array(4);
  /** On the list of mirrors handed to the program during the current callback. */
  touched = false;
  /** The task this mirror shows (set at creation, cleared at release): where its writes go back to. */
  view: ScxTask | null = null;
  constructor(readonly addr: BpfAddr) {}
}

/** The task_struct mirrors of one loaded scheduler. */
export class TaskMirrors {
  /**
   * Mirrors by pid: an array, since every callback about a task looks its mirror up (twice:
   * to sync it and to copy back) and pids are small integers handed out in order.
   */
  private readonly byPid: (Mirror | undefined)[] = [];
  /**
   * Tasks by their mirror's region number (BpfMemory's tag of its granules), and each such
   * region's start: kfuncs turn a task pointer back into its task on every call, and a tag read
   * plus two array reads beat a Map lookup.
   */
  private readonly byRegion: (ScxTask | undefined)[] = [];
  private readonly regionStart: BpfAddr[] = [];
  private readonly free: Mirror[] = [];
  /** Each CPU's idle-task mirror, made on first use. */
  private readonly idle: (BpfAddr | undefined)[] = [];
  /**
   * Every simulated task's p->real_parent: one task_struct standing for the process that started
   * the workload (rt-app's threads share theirs). It is no simulated task: its pid is 0, which
   * bpf_task_from_pid never finds, and its own parent is itself.
   */
  private parent: BpfAddr = 0;
  /**
   * Mirrors a program was handed since the last `writeBackTouched` (the callback's
   * task, scx_bpf_cpu_curr's, a DSQ walk's, ...): a program may store to any of them (lavd's
   * ask_cpu_yield_after sets a running victim's p->scx.slice), and the kernel honours such a
   * store, so each gets its writes copied back. The first `nTouched` entries are live; the
   * array keeps its length, since emptying it would free its backing store and every callback
   * would allocate a new one.
   */
  private readonly touched: Mirror[] = [];
  private nTouched = 0;

  constructor(private readonly memory: BpfMemory, private readonly nrCpus: number) {}

  /** p's mirror, brought up to date (created on first use). */
  sync(p: ScxTask): BpfAddr {
    // The kernel's task behind the view, read directly: one brand check instead of one a field.
    const t = TaskView.taskOf(p);
    const mirror = this.byPid[t.pid] ?? this.create(p);
    const addr = mirror.addr;
    const i32 = this.memory.i32;
    const w = addr >> 2;
    const shadow = mirror.written;
    if (!mirror.touched) {
      mirror.touched = true;
      if (this.nTouched === this.touched.length) this.touched.push(mirror);
      else this.touched[this.nTouched] = mirror;
      this.nTouched++;
    }
    const slice = t.slice, vtime = t.dsqVtime, nvcsw = t.nvcsw, sumExec = t.sumExecNs;
    i32[w + (F.weight >> 2)] = t.weight;
    i32[w + (F.slice >> 2)] = shadow[0] = sliceLo(slice);
    i32[w + (F.slice >> 2) + 1] = shadow[1] = sliceHi(slice);
    i32[w + (F.vtime >> 2)] = shadow[2] = vtimeLo(vtime);
    i32[w + (F.vtime >> 2) + 1] = shadow[3] = vtimeHi(vtime);
    const queued = p.queued;
    i32[w + (F.scxFlags >> 2)] = scxEntityFlags(t, queued);
    i32[w + (F.state >> 2)] = taskState(t, queued);
    i32[w + (F.nrCpusAllowed >> 2)] = t.nrCpusAllowed;
    i32[w + (F.nvcsw >> 2)] = nvcsw | 0;
    i32[w + (F.nvcsw >> 2) + 1] = Math.floor(nvcsw / TWO32) | 0;
    i32[w + (F.sumExec >> 2)] = sumExec | 0;
    i32[w + (F.sumExec >> 2) + 1] = Math.floor(sumExec / TWO32) | 0;
    return addr;
  }

  /** copyBack for every task handed to the program since the last call (see `touched`). */
  writeBackTouched(): void {
    const list = this.touched, n = this.nTouched;
    this.nTouched = 0;
    for (let i = 0; i < n; i++) {
      const mirror = list[i]!, p = mirror.view;
      mirror.touched = false;
      if (p !== null) this.copyBack(mirror, p);
    }
  }

  /** Copy back what the program may have written: slice and dsq_vtime. */
  private copyBack(mirror: Mirror, p: ScxTask): void {
    const i32 = this.memory.i32;
    const w = mirror.addr >> 2;
    const shadow = mirror.written;
    const sl = i32[w + (F.slice >> 2)]!, sh = i32[w + (F.slice >> 2) + 1]!;
    if (sl !== shadow[0] || sh !== shadow[1]) p.slice = sliceFromKernel(sl, sh);
    const vl = i32[w + (F.vtime >> 2)]!, vh = i32[w + (F.vtime >> 2) + 1]!;
    if (vl !== shadow[2] || vh !== shadow[3]) p.dsqVtime = vtimeFromKernel(vl, vh);
  }

  /** Refill the allowed-CPU mask (at creation and on set_cpumask). */
  syncCpumask(p: ScxTask, addr: BpfAddr): void {
    const u8 = this.memory.u8, base = addr + F.cpusMask, allowed = p.cpusAllowed;
    u8.fill(0, base, base + F.cpusMaskSize);
    for (let c = 0; c < this.nrCpus; c++) {
      if (allowed === null || allowed[c] === 1) u8[base + (c >> 3)]! |= 1 << (c & 7);
    }
  }

  /** The task whose mirror starts at `addr`, or undefined. */
  task(addr: BpfAddr): ScxTask | undefined {
    const region = this.memory.tags[addr >> 3] ?? 0;
    return region > 0 && this.regionStart[region] === addr ? this.byRegion[region] : undefined;
  }

  /** The mirror of a task already seen, by pid, or 0. */
  addrOfPid(pid: Pid): BpfAddr {
    return this.byPid[pid]?.addr ?? 0;
  }

  /** p has exited: its mirror becomes free for the next new task. */
  release(p: ScxTask): BpfAddr {
    const mirror = this.byPid[p.pid];
    if (mirror === undefined) return 0;
    this.byPid[p.pid] = undefined;
    mirror.view = null;
    this.byRegion[this.memory.tags[mirror.addr >> 3]!] = undefined;
    this.free.push(mirror);
    return mirror.addr;
  }

  /**
   * CPU `cpu`'s idle task (swapper/N, pid 0): the kernel's `current` in an interrupt on an idle
   * CPU. No scheduler's task storage knows it, and no kfunc takes it for a task of its own.
   */
  idleTask(cpu: number): BpfAddr {
    const have = this.idle[cpu];
    if (have !== undefined) return have;
    const m = this.memory, addr = m.alloc(F.size, { name: "task_struct (idle)", writable: false, kind: "kernel_object" });
    const w = addr >> 2, comm = `swapper/${cpu}`;
    m.i32[w + (F.staticPrio >> 2)] = m.i32[w + (F.prio >> 2)] = m.i32[w + (F.normalPrio >> 2)] = IDLE_PRIO;
    m.i32[w + (F.nrCpusAllowed >> 2)] = 1;
    m.i32[w + (F.cpusPtr >> 2)] = addr + F.cpusMask;
    m.u8[addr + F.cpusMask + (cpu >> 3)]! |= 1 << (cpu & 7);
    for (let k = 0; k < Math.min(comm.length, F.commSize - 1); k++) m.u8[addr + F.comm + k] = comm.charCodeAt(k);
    this.idle[cpu] = addr;
    return addr;
  }

  /** Offset of the pid field (for helpers that read it). */
  static readonly pidOffset = F.pid;
  /** Offset of the allowed-CPU mask (cpus_ptr points there). */
  static readonly cpusMaskOffset = F.cpusMask;

  private create(p: ScxTask): Mirror {
    const m = this.memory;
    const mirror = this.free.pop() ?? new Mirror(m.alloc(F.size, { name: "task_struct", writable: true, kind: "kernel_object" }));
    const addr = mirror.addr;
    m.u8.fill(0, addr, addr + F.size);
    const i32 = m.i32, w = addr >> 2;
    i32[w + (F.pid >> 2)] = p.pid;
    i32[w + (F.tgid >> 2)] = p.pid;
    const prio = 120 + p.nice;
    i32[w + (F.staticPrio >> 2)] = prio;
    i32[w + (F.prio >> 2)] = prio;
    i32[w + (F.normalPrio >> 2)] = prio;
    // se.load.weight is in the kernel's 1024-for-nice-0 scale; scx weights are 100-based.
    i32[w + (F.loadWeight >> 2)] = Math.round((p.weight * 1024) / 100);
    i32[w + (F.cpusPtr >> 2)] = addr + F.cpusMask;
    if (this.parent === 0) {
      this.parent = m.alloc(F.size, { name: "task_struct (parent)", writable: false, kind: "kernel_object" });
      m.i32[(this.parent + F.realParent) >> 2] = this.parent;
    }
    i32[w + (F.realParent >> 2)] = this.parent;
    if (mirror.mm === 0) mirror.mm = m.alloc(0, { name: "mm_struct", writable: false, kind: "kernel_object" });
    m.i32[w + (F.mm >> 2)] = mirror.mm;
    const comm = p.comm, u8 = m.u8;
    for (let k = 0; k < Math.min(comm.length, F.commSize - 1); k++) u8[addr + F.comm + k] = comm.charCodeAt(k) & 0x7f;
    this.syncCpumask(p, addr);
    this.byPid[p.pid] = mirror;
    mirror.view = p;
    const region = m.tags[addr >> 3]!;
    this.byRegion[region] = p;
    this.regionStart[region] = addr;
    return mirror;
  }
}

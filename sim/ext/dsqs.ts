/**
 * The dispatch queues of one kernel: the global DSQ, one local DSQ per CPU and the user DSQs a
 * scheduler creates. Resolving an id as the kernel's find_dsq_for_dispatch does, inserting
 * (with the kick of the CPU whose local DSQ received a task), and taking tasks off again.
 * Tasks leave a queue lazily: their entry goes stale (see TaskHeap).
 */
import { Place, type Task } from "../task.js";
import type { ExitKind } from "../result.js";
import { Dsq, DsqOrder } from "./dsq.js";
import { asCpu, type DsqId } from "./ids.js";
import { localOn, SCX_DSQ_GLOBAL, SCX_DSQ_LOCAL, SCX_DSQ_LOCAL_ON, SCX_DSQ_USER_MAX, SCX_ENQ_HEAD, SCX_ENQ_PREEMPT } from "./consts.js";
import type { ExtHost } from "./host.js";
import type { ScxTask } from "./ops.js";
import { distance } from "../topology.js";
import { DsqCursor } from "./dsq_cursor.js";
import { printable } from "../printable.js";

/** How the DSQ table reports a scheduler's misuse. */
export interface DsqErrors {
  /** Claims SCX_EXIT_ERROR and unwinds the current callback. */
  coreError(msg: string): never;
  requestExit(kind: ExitKind, msg: string): void;
}

/** User DSQ ids below this are also found by index (schedulers number theirs per CPU, LLC or node). */
const SMALL_USER_IDS = 4096;

/** Longest run of live entries snapshot sorts by insertion (longer ones: Array.prototype.sort). */
const INSERTION_SORT_MAX = 32;

export class DsqTable {
  readonly global: Dsq;
  readonly local: Dsq[];
  private readonly user = new Map<number, Dsq>();
  /** The user DSQs with ids below SMALL_USER_IDS, by id: most lookups are of these. */
  private readonly smallUser: (Dsq | undefined)[] = [];
  /** The user DSQ found last: most schedulers use one or two, so most lookups skip the map. */
  private lastUserId = -1;
  private lastUser: Dsq | undefined = undefined;
  /** The CPU whose pick (balance, ops.dispatch) is running, or -1. */
  balancing = -1;
  private stampSeq = 1;
  /** liveOrder's sort space (entry indices of live tasks), grown as needed. */
  private readonly liveScratch: number[] = [];
  /** liveOrder's result: task slots and insert stamps of the live tasks in dispatch order. */
  private readonly orderSlots: number[] = [];
  private readonly orderStamps: number[] = [];
  /** The DSQ walks open (bpf_iter_scx_dsq): a DSQ about to change copies theirs first. */
  private readonly cursors: DsqCursor[] = [];
  private nrCursors = 0;
  /** Whether taking a DSQ's lock costs anything (overheads on). */
  private readonly lockCosts: boolean;

  constructor(private readonly host: ExtHost, private readonly errors: DsqErrors) {
    this.lockCosts = host.costs.dsqLockNs > 0 || host.costs.dsqBounceNs.some((x) => x > 0);
    this.global = new Dsq(SCX_DSQ_GLOBAL, true);
    this.global.order = DsqOrder.Fifo;
    this.local = Array.from({ length: host.topo.nrCpus }, (_, c) => {
      const d = new Dsq(localOn(asCpu(c)), true);
      d.order = DsqOrder.Fifo;
      return d;
    });
  }

  /**
   * Resolves a DSQ id for an insert of `t`; `dispatchCpu` is the CPU whose ops.dispatch runs
   * (SCX_DSQ_LOCAL means its local DSQ there), or -1. Bad ids are scheduler errors.
   */
  resolve(id: number, t: Task, vtime: boolean, dispatchCpu: number): Dsq {
    const isLocal = id === SCX_DSQ_LOCAL;
    if (isLocal || (id >= SCX_DSQ_LOCAL_ON && id < SCX_DSQ_LOCAL_ON + 65536)) {
      // SCX_DSQ_LOCAL is the dispatching CPU's (or the task's own) local DSQ; it gets the same
      // checks as LOCAL_ON, as in the kernel (from ops.dispatch it may name a CPU p cannot use).
      const cpu = isLocal ? (dispatchCpu >= 0 ? dispatchCpu : t.cpu) : id - SCX_DSQ_LOCAL_ON;
      if (!Number.isInteger(cpu) || cpu >= this.local.length) this.errors.coreError(`invalid CPU ${cpu} in SCX_DSQ_LOCAL_ON`);
      if (vtime) this.errors.coreError("cannot use vtime ordering for built-in DSQs");
      if (!this.host.cpuAllowed(t, cpu)) {
        this.errors.requestExit("SCX_EXIT_ERROR", `SCX_DSQ_LOCAL[_ON] target CPU ${cpu} not allowed for ${t.comm}[${t.pid}]`);
        return this.global;
      }
      return this.local[cpu];
    }
    if (id === SCX_DSQ_GLOBAL) {
      if (vtime) this.errors.coreError("cannot use vtime ordering for built-in DSQs");
      return this.global;
    }
    if (Number.isInteger(id) && id >= 0 && id < SCX_DSQ_USER_MAX) {
      const d = this.userDsq(id);
      if (d === undefined) this.errors.coreError(`non-existent DSQ 0x${id.toString(16)} for ${t.comm}[${t.pid}]`);
      return d;
    }
    this.errors.coreError(`invalid DSQ ID 0x${Number.isFinite(id) ? id.toString(16) : printable(id)}`);
  }

  /** Puts a runnable task on a DSQ; kicks the CPU whose local DSQ received it if needed. */
  insert(t: Task, d: Dsq, flags: number, vtime: boolean): void {
    const want = vtime ? DsqOrder.Vtime : DsqOrder.Fifo;
    if (d.order === DsqOrder.Unset) d.order = want;
    else if (d.order !== want) {
      this.errors.coreError(`DSQ 0x${d.id.toString(16)} already ${d.order === DsqOrder.Fifo ? "FIFO" : "vtime"}-ordered`);
    }
    this.push(t, d, flags, vtime);
    if (d.builtin && d !== this.global) {
      const cpu = d.id - SCX_DSQ_LOCAL_ON;
      // A CPU in balance is already looking for its next task: no kick, no preemption (as the
      // kernel's local_dsq_post_enq with SCX_RQ_IN_BALANCE).
      if (cpu === this.balancing) return;
      if (flags & SCX_ENQ_PREEMPT) this.host.preemptExt(cpu);
      else this.host.kickIfLower(cpu);
    }
  }

  /** Insert that cannot fail: a DSQ of the other ordering falls back to the global FIFO. */
  insertSafe(t: Task, d: Dsq, flags: number, vtime: boolean): void {
    if (d.order !== DsqOrder.Unset && d.order !== (vtime ? DsqOrder.Vtime : DsqOrder.Fifo)) d = this.global;
    if (d.order === DsqOrder.Unset) d.order = vtime ? DsqOrder.Vtime : DsqOrder.Fifo;
    this.push(t, d, flags & SCX_ENQ_HEAD, vtime);
    if (d !== this.global && d.builtin && d.id - SCX_DSQ_LOCAL_ON !== this.balancing) this.host.kickIfLower(d.id - SCX_DSQ_LOCAL_ON);
  }

  private push(t: Task, d: Dsq, flags: number, vtime: boolean): void {
    if (this.nrCursors !== 0) this.changing(d);
    if (this.lockCosts) this.lock(d, this.balancing >= 0 ? this.balancing : t.cpu);
    t.place = Place.Dsq;
    t.dsq = d.id;
    t.dsqStamp = this.stampSeq++;
    if (vtime) d.prio.push(t.dsqVtime, t.slot, t.dsqStamp);
    else if (flags & (SCX_ENQ_HEAD | SCX_ENQ_PREEMPT)) d.fifo.pushFront(t.slot, t.dsqStamp);
    else d.fifo.pushBack(t.slot, t.dsqStamp);
  }

  /**
   * Takes `d`'s lock on `cpu` for one operation: the CPU waits while another holds it, then
   * holds it for dsqLockNs, plus the bounce cost by distance when another CPU took it last (its
   * lines move). A shared DSQ fought over by many CPUs costs each of them more than a per-CPU
   * one; the waiting and holding are charged to `cpu`. Operations at one instant queue up.
   */
  private lock(d: Dsq, cpu: number): void {
    if (cpu < 0) cpu = 0;
    const c = this.host.costs, now = this.host.now;
    const other = d.lockCpu >= 0 && d.lockCpu !== cpu;
    const wait = other && d.lockFreeAt > now ? d.lockFreeAt - now : 0;
    const hold = c.dsqLockNs + (other ? c.dsqBounceNs[distance(this.host.topo, d.lockCpu, cpu)] : 0);
    d.lockFreeAt = (d.lockFreeAt > now ? d.lockFreeAt : now) + hold;
    d.lockCpu = cpu;
    this.host.chargeNs(cpu, wait + hold);
  }

  /** A mark in insert order: tasks inserted before it have a smaller dsqStamp (DSQ iterators start at one). */
  get stamp(): number {
    return this.stampSeq;
  }

  /** Takes a task off its DSQ (lazily: its entry goes stale). */
  unlink(t: Task): void {
    if (t.place !== Place.Dsq) return;
    const d = this.dsqOf(t.dsq);
    if (d !== undefined) {
      if (this.nrCursors !== 0) this.changing(d);
      if (d.order === DsqOrder.Vtime) d.prio.live--;
      else d.fifo.live--;
    }
    t.dsqStamp = 0;
    t.place = Place.Sleeping;
  }

  /** A user DSQ by id, or undefined. */
  userDsq(id: number): Dsq | undefined {
    if (id >= 0 && id < SMALL_USER_IDS) return this.smallUser[id];
    if (id === this.lastUserId) return this.lastUser;
    const d = this.user.get(id);
    if (d !== undefined) { this.lastUserId = id; this.lastUser = d; }
    return d;
  }

  /** scx_bpf_create_dsq's effect: false when the id is taken. */
  addUser(id: DsqId): boolean {
    if (this.user.has(id)) return false;
    const d = new Dsq(id, false);
    this.user.set(id, d);
    if (id < SMALL_USER_IDS) this.smallUser[id] = d;
    return true;
  }

  removeUser(id: number): void {
    const d = this.user.get(id);
    if (d !== undefined && this.nrCursors !== 0) this.changing(d);
    this.user.delete(id);
    if (id >= 0 && id < SMALL_USER_IDS) this.smallUser[id] = undefined;
    this.lastUserId = -1;
    this.lastUser = undefined;
  }

  /** User DSQs in existence. */
  get nrUser(): number {
    return this.user.size;
  }

  /** Every user DSQ, in creation order. */
  users(): IterableIterator<Dsq> {
    return this.user.values();
  }

  /** Empties every queue and forgets the user DSQs (the tasks were moved elsewhere). */
  clearAll(): void {
    for (let i = 0; i < this.nrCursors; i++) this.changing(this.cursors[i]!.dsq!);
    this.global.clear();
    for (const d of this.local) d.clear();
    this.user.clear();
    this.smallUser.length = 0;
    this.lastUserId = -1;
    this.lastUser = undefined;
  }

  dsqOf(id: number): Dsq | undefined {
    if (id === SCX_DSQ_GLOBAL) return this.global;
    if (id >= SCX_DSQ_LOCAL_ON) return this.local[id - SCX_DSQ_LOCAL_ON];
    return this.userDsq(id);
  }

  /** First live task of a DSQ allowed on `cpu` (or any when cpu < 0), removed from it. */
  take(d: Dsq, cpu: number): Task | null {
    if (this.nrCursors !== 0) this.changing(d);
    const tasks = this.host.tasks;
    // An empty queue is seen without its lock (the kernel checks list_empty first).
    if (this.lockCosts && (d.order === DsqOrder.Vtime ? d.prio.n : d.fifo.n) > 0) this.lock(d, cpu >= 0 ? cpu : this.balancing >= 0 ? this.balancing : d.lockCpu);
    if (d.order === DsqOrder.Vtime) return this.takeVtime(d, cpu);
    const q = d.fifo;
    for (let i = 0; i < q.n; i++) {
      const t = tasks[q.slotAt(i)];
      if (t.dsqStamp !== q.stampAt(i) || t.place !== Place.Dsq) {
        if (i === 0) { q.popFront(); i--; }
        continue;
      }
      if (cpu >= 0 && !this.host.cpuAllowed(t, cpu)) continue;
      if (i === 0) q.popFront();
      else q.removeAt(i);
      q.live--;
      t.dsqStamp = 0;
      return t;
    }
    return null;
  }

  /** Head of a DSQ without removing it. */
  peek(d: Dsq): Task | null {
    // It pops stale entries off the head.
    if (this.nrCursors !== 0) this.changing(d);
    const tasks = this.host.tasks;
    if (d.order === DsqOrder.Vtime) {
      const h = d.prio;
      while (h.n > 0) {
        const t = tasks[h.slot[0]];
        if (t.dsqStamp === h.stamp[0] && t.place === Place.Dsq) return t;
        h.popTop();
      }
      return null;
    }
    const q = d.fifo;
    while (q.n > 0) {
      const t = tasks[q.slotAt(0)];
      if (t.dsqStamp === q.stampAt(0) && t.place === Place.Dsq) return t;
      q.popFront();
    }
    return null;
  }

  /**
   * The tasks queued on `d`, in the order they would be dispatched, into `out` (cleared first)
   * as schedulers see them: a queued-at-start snapshot, what a DSQ walk starting now would see.
   */
  snapshot(d: Dsq, out: ScxTask[]): void {
    out.length = 0;
    const n = this.liveOrder(d), tasks = this.host.tasks, slots = this.orderSlots;
    for (let j = 0; j < n; j++) out.push(tasks[slots[j]!].view);
  }

  /** Starts `c` walking `d`, backwards if `rev` (undefined: a DSQ that does not exist). */
  openCursor(c: DsqCursor, d: Dsq | undefined, rev: boolean): void {
    c.start(d ?? null, rev, this.stampSeq);
    if (d === undefined) { this.closeCursor(c); return; }
    if (c.reg >= 0) return;
    c.reg = this.nrCursors;
    this.cursors[this.nrCursors++] = c;
  }

  /** Ends `c`'s walk. */
  closeCursor(c: DsqCursor): void {
    c.dsq = null;
    const i = c.reg;
    if (i < 0) return;
    const last = this.cursors[--this.nrCursors]!;
    this.cursors[i] = last;
    last.reg = i;
    c.reg = -1;
  }

  /** The next task of `c`'s walk, or null. */
  cursorNext(c: DsqCursor): Task | null {
    return c.next(this.host.tasks, this.copyWalk);
  }

  /** `d` is about to change: the walks reading it live take their copy now. */
  private changing(d: Dsq): void {
    for (let i = 0; i < this.nrCursors; i++) {
      const c = this.cursors[i]!;
      if (c.dsq === d && !c.copied) this.copyWalk(c);
    }
  }

  private readonly copyWalk = (c: DsqCursor): void => {
    c.fill(this.liveOrder(c.dsq!), this.orderSlots, this.orderStamps);
  };

  /** Fills orderSlots/orderStamps with `d`'s live tasks in dispatch order; returns their count. */
  private liveOrder(d: Dsq): number {
    const tasks = this.host.tasks, slots = this.orderSlots, stamps = this.orderStamps;
    let n = 0;
    if (d.order === DsqOrder.Vtime) {
      const h = d.prio;
      let live = this.liveScratch;
      for (let i = 0; i < h.n; i++) {
        const t = tasks[h.slot[i]];
        if (t.dsqStamp === h.stamp[i] && t.place === Place.Dsq) live[n++] = i;
      }
      // By (key, seq), stably. This runs on every copied walk and every TS snapshot, mostly
      // over a few tasks: an insertion sort there, with nothing allocated.
      if (n <= INSERTION_SORT_MAX) {
        for (let j = 1; j < n; j++) {
          const i = live[j]!, k = h.key[i], sq = h.seq[i];
          let m = j;
          for (; m > 0; m--) {
            const b = live[m - 1]!;
            if (h.key[b] < k || (h.key[b] === k && h.seq[b] <= sq)) break;
            live[m] = b;
          }
          live[m] = i;
        }
      } else {
        live = live.slice(0, n).sort((a, b) => h.key[a] - h.key[b] || h.seq[a] - h.seq[b]);
      }
      for (let j = 0; j < n; j++) { slots[j] = h.slot[live[j]!]; stamps[j] = h.stamp[live[j]!]; }
      return n;
    }
    const q = d.fifo;
    for (let i = 0; i < q.n; i++) {
      const t = tasks[q.slotAt(i)];
      if (t.dsqStamp === q.stampAt(i) && t.place === Place.Dsq) { slots[n] = q.slotAt(i); stamps[n++] = q.stampAt(i); }
    }
    return n;
  }

  private takeVtime(d: Dsq, cpu: number): Task | null {
    const h = d.prio, tasks = this.host.tasks;
    let skipped: Task[] | null = null;
    let found: Task | null = null;
    while (h.n > 0) {
      const t = tasks[h.slot[0]];
      const live = t.dsqStamp === h.stamp[0] && t.place === Place.Dsq;
      h.popTop();
      if (!live) continue;
      h.live--;
      if (cpu >= 0 && !this.host.cpuAllowed(t, cpu)) { (skipped ??= []).push(t); continue; }
      found = t;
      break;
    }
    if (skipped !== null) for (const t of skipped) h.push(t.dsqVtime, t.slot, t.dsqStamp);
    if (found !== null) found.dsqStamp = 0;
    return found;
  }
}

/**
 * Blocking objects of rt-app programs: suspend/resume references, mutexes (FIFO hand-off),
 * condition variables, barriers and counting semaphores. They only record who waits; waking
 * goes through the kernel.
 */
import { Block, type Task } from "./task.js";
import type { CompiledPlan } from "./program.js";

export interface Waker {
  /** Wake a blocked task (it becomes runnable through the normal wakeup path). */
  wakeBlocked(t: Task): void;
  /** Mark `t` as blocked for reason `why` with no timed wakeup. */
  blockOn(t: Task, why: Block, obj: number): void;
}

export class SyncState {
  private readonly suspended: Task[][];
  private readonly owner: (Task | null)[];
  private readonly mutexWaiters: Task[][];
  private readonly cvWaiters: Task[][];
  private readonly barrierWaiters: Task[][];
  private readonly barrierNeed: number[];
  private readonly semCount: Float64Array;
  private readonly semWaiters: Task[][];

  constructor(plan: CompiledPlan, private readonly k: Waker) {
    this.suspended = plan.suspendRefs.map(() => []);
    this.owner = plan.mutexes.map(() => null);
    this.mutexWaiters = plan.mutexes.map(() => []);
    this.cvWaiters = plan.condvars.map(() => []);
    this.barrierWaiters = plan.barriers.map(() => []);
    this.barrierNeed = plan.barriers.map((b) => b.need);
    this.semCount = new Float64Array(plan.semaphores.length);
    this.semWaiters = plan.semaphores.map(() => []);
  }

  suspend(t: Task, ref: number): void {
    this.suspended[ref].push(t);
    this.k.blockOn(t, Block.Suspend, ref);
  }

  /**
   * Wakes every task suspended on `ref`. rt-app's resume is a condvar broadcast, so with nobody
   * suspended it is lost: a later suspend blocks (sem_post/sem_wait is the primitive that counts).
   */
  resume(ref: number): void {
    const list = this.suspended[ref];
    if (list.length === 0) return;
    const woken = list.splice(0, list.length);
    for (const t of woken) this.k.wakeBlocked(t);
  }

  /** sem_post: hands the post to the first waiter, or remembers it. */
  semPost(s: number): void {
    const t = this.semWaiters[s].shift();
    if (t === undefined) this.semCount[s]++;
    else this.k.wakeBlocked(t);
  }

  /** sem_wait: takes a remembered post (true), or queues `t`, which must block (false). */
  semWait(t: Task, s: number): boolean {
    if (this.semCount[s] > 0) { this.semCount[s]--; return true; }
    this.semWaiters[s].push(t);
    this.k.blockOn(t, Block.Suspend, s);
    return false;
  }

  lock(t: Task, m: number): boolean {
    if (this.owner[m] === null) { this.owner[m] = t; return true; }
    this.mutexWaiters[m].push(t);
    this.k.blockOn(t, Block.Mutex, m);
    return false;
  }

  /** Releases a mutex held by `t`, handing it to the first waiter. */
  unlock(t: Task, m: number): void {
    if (this.owner[m] !== t) return;
    const next = this.mutexWaiters[m].shift() ?? null;
    this.owner[m] = next;
    if (next !== null) this.wakeOwner(next);
  }

  condWait(t: Task, cv: number, m: number): void {
    this.unlock(t, m);
    t.relockMutex = m;
    this.cvWaiters[cv].push(t);
    this.k.blockOn(t, Block.CondVar, cv);
  }

  signal(cv: number, all: boolean): void {
    const list = this.cvWaiters[cv];
    const n = all ? list.length : Math.min(1, list.length);
    for (const t of list.splice(0, n)) {
      const m = t.relockMutex;
      t.relockMutex = -1;
      if (m >= 0 && this.owner[m] !== null && this.owner[m] !== t) {
        // Re-taking the mutex: wait for it instead of waking.
        t.block = Block.Mutex;
        t.waitingOn = m;
        this.mutexWaiters[m].push(t);
        continue;
      }
      if (m >= 0) this.owner[m] = t;
      this.k.wakeBlocked(t);
    }
  }

  barrier(t: Task, b: number): boolean {
    const list = this.barrierWaiters[b];
    if (list.length + 1 >= this.barrierNeed[b]) {
      for (const w of list.splice(0, list.length)) this.k.wakeBlocked(w);
      return true;
    }
    list.push(t);
    this.k.blockOn(t, Block.Barrier, b);
    return false;
  }

  /** Forgets an exiting task: releases its mutexes so waiters are not stranded. */
  taskExited(t: Task): void {
    for (let m = 0; m < this.owner.length; m++) if (this.owner[m] === t) this.unlock(t, m);
  }

  /** Tasks blocked on any object, for the progress check. */
  blockedCount(): number {
    let n = 0;
    for (const l of this.suspended) n += l.length;
    for (const l of this.mutexWaiters) n += l.length;
    for (const l of this.cvWaiters) n += l.length;
    for (const l of this.barrierWaiters) n += l.length;
    for (const l of this.semWaiters) n += l.length;
    return n;
  }

  private wakeOwner(t: Task): void {
    this.k.wakeBlocked(t);
  }
}

/**
 * Kernel timers: BPF timers, the sched_ext watchdog, the fair balancer and scripted actions
 * (a loader crash). A timer is a slot with a function and a generation; arming pushes an event
 * carrying the generation, so cancelling or re-arming makes the pending event stale, as the
 * kernel's hrtimer_cancel does, without touching the event queue.
 */
const noop = (): void => {};

/** Where timers put their expiries: the kernel's event queue, with its clock. */
export interface TimerQueue {
  readonly now: number;
  pushTimer(at: number, id: number, gen: number): void;
}

export class Timers {
  private readonly fns: (() => void)[] = [];
  private readonly gen: number[] = [];
  private readonly freeIds: number[] = [];

  constructor(private readonly q: TimerQueue) {}

  /** Timer slots ever made (a freed slot is reused before a new one is made). */
  get slots(): number {
    return this.fns.length;
  }

  /** Creates a timer running `fn` when it fires; returns its id. */
  create(fn: () => void): number {
    const id = this.freeIds.pop();
    if (id !== undefined) {
      this.fns[id] = fn;
      return id;
    }
    this.fns.push(fn);
    this.gen.push(0);
    return this.fns.length - 1;
  }

  /** Cancels timer `id` and lets a later create reuse its slot (a scheduler going away). */
  free(id: number): void {
    this.gen[id]++;
    this.fns[id] = noop;
    this.freeIds.push(id);
  }

  /** Arms (or re-arms) timer `id` to fire `delayNs` from now. */
  start(id: number, delayNs: number): void {
    const gen = ++this.gen[id];
    this.q.pushTimer(this.q.now + Math.max(0, Math.round(delayNs)), id, gen);
  }

  cancel(id: number): void {
    this.gen[id]++;
  }

  /** The timer event (id, gen) came due: runs the timer unless it was cancelled or re-armed. */
  fire(id: number, gen: number): void {
    if (gen === this.gen[id]) this.fns[id]();
  }
}

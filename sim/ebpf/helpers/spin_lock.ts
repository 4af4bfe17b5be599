/**
 * bpf_spin_lock / bpf_spin_unlock on one simulated thread: a lock is never contended, but the
 * rules the verifier enforces still hold, checked as the program runs: the lock must be a
 * `struct bpf_spin_lock` field of a map value or global variable, one lock at a time, unlocked
 * by the program that took it before it returns, and while it is held only bpf_spin_unlock and
 * the graph kfuncs (rbtree, list, refcount) and bpf_iter_num may be called. Breaking a rule ends
 * the scheduler with an error exit, like any fault.
 */
import type { BpfAddr, BpfMemory } from "../memory.js";
import type { BpfNativeFn } from "../program.js";

/** kfuncs the kernel lets a program call while it holds a bpf_spin_lock. */
const ALLOWED_UNDER_LOCK = /^(bpf_rbtree_(add_impl|first|remove|root|left|right)|bpf_list_(push_front_impl|push_back_impl|pop_front|pop_back|front|back)|bpf_refcount_acquire_impl|bpf_iter_num_(new|next|destroy))$/;

export class SpinLocks {
  /** The lock held now, or 0. */
  private heldAt: BpfAddr = 0;

  constructor(
    private readonly memory: BpfMemory,
    /** Why `addr` is not a bpf_spin_lock field, or undefined when it is one. */
    private readonly notALock: (addr: BpfAddr) => string | undefined,
  ) {}

  get held(): BpfAddr {
    return this.heldAt;
  }

  lock(addr: BpfAddr): number {
    const why = this.notALock(addr);
    if (why !== undefined) throw new RangeError(`bpf_spin_lock(${this.memory.describe(addr)}): ${why}`);
    if (this.heldAt !== 0) {
      const again = this.heldAt === addr ? "the same lock again (a deadlock)" : `a second lock while holding ${this.memory.describe(this.heldAt)}`;
      throw new RangeError(`bpf_spin_lock takes ${again}`);
    }
    this.heldAt = addr;
    return 0;
  }

  unlock(addr: BpfAddr): number {
    if (this.heldAt !== addr) {
      const held = this.heldAt === 0 ? "no lock is held" : `the lock held is ${this.memory.describe(this.heldAt)}`;
      throw new RangeError(`bpf_spin_unlock(${this.memory.describe(addr)}): ${held}`);
    }
    this.heldAt = 0;
    return 0;
  }

  /** `fn` refusing to run while a lock is held, unless the kernel allows it there. */
  guard(name: string, fn: BpfNativeFn, kfunc: boolean): BpfNativeFn {
    // bpf_spin_lock itself passes, so that taking a second lock gets its own message.
    if (kfunc ? ALLOWED_UNDER_LOCK.test(name) : name === "bpf_spin_unlock" || name === "bpf_spin_lock") return fn;
    return (a) => {
      if (this.heldAt !== 0) throw new RangeError(`${name} called while holding bpf_spin_lock ${this.memory.describe(this.heldAt)} (only bpf_spin_unlock and the rbtree/list kfuncs may be)`);
      return fn(a);
    };
  }

  /** A program faulted: the lock state goes back to what it was before it ran. */
  restore(before: BpfAddr): void {
    this.heldAt = before;
  }

  /**
   * After program `name` returned: it must hold what it held when it started (nothing, for a
   * callback). Clears the lock either way, so the scheduler's exit path runs unlocked.
   */
  checkReturn(name: string, before: BpfAddr): void {
    if (this.heldAt === before) return;
    const at = this.memory.describe(this.heldAt);
    this.heldAt = before;
    throw new Error(`${name}: returned while holding bpf_spin_lock ${at} (the kernel refuses a BPF_EXIT inside a locked region)`);
  }
}

/**
 * The clocks of each CPU's `struct rq` in an object's per-CPU `runqueues` copies, kept as the
 * kernel keeps them: update_rq_clock() runs on a CPU's runqueue when the kernel takes its lock
 * for scheduling work, which is when a sched_ext callback runs for that CPU (and at its tick);
 * between those times a CPU's clocks stand still, so an idle CPU's are stale, as with
 * NO_HZ_IDLE. At each update:
 * - `clock` and `clock_task` become now (scxlab accounts no IRQ or steal time apart);
 * - `clock_pelt` follows update_rq_clock_pelt(): with a task current on the CPU it advances by
 *   the elapsed time scaled by the CPU's capacity and current performance level (cap_scale twice),
 *   with the CPU idle it catches up with clock_task (_update_idle_rq_clock_pelt);
 * - `lost_idle_time` stays 0: the kernel adds to it only when the fair, RT and deadline classes'
 *   utilisation sums were saturated as the CPU went idle, which sched_ext tasks do not feed.
 */
import type { CpuId, Scx } from "../../ext/ops.js";
import { asCpu } from "../../ext/ids.js";
import type { BpfAddr, BpfMemory } from "../memory.js";
import { KERNEL_BTF, kernelField } from "../obj/kernel_btf.js";

const CLOCK = kernelField("rq", "clock").offset;
const CLOCK_TASK = kernelField("rq", "clock_task").offset;
const CLOCK_PELT = kernelField("rq", "clock_pelt").offset;
const RQ_SIZE = KERNEL_BTF.sizeOf(KERNEL_BTF.find("struct", "rq")!);
const TWO32 = 4294967296;
/** SCHED_CAPACITY_SHIFT. */
const CAP_ONE = 1024;

/** Per-CPU rq clocks of one loaded object. */
export class RqClocks {
  private readonly pelt: Float64Array;
  /** Whether a CPU's clocks were set yet (they start at the first update, all three equal). */
  private readonly started: Uint8Array;

  /** `base`: CPU 0's copy of `runqueues` (the copies follow each other). */
  constructor(private readonly memory: BpfMemory, private readonly base: BpfAddr, private readonly scx: Scx, nrCpus: number) {
    this.pelt = new Float64Array(nrCpus);
    this.started = new Uint8Array(nrCpus);
  }

  /** update_rq_clock() on `cpu`'s runqueue, at the current simulated time. */
  update(cpu: CpuId): void {
    if (!(cpu >= 0 && cpu < this.pelt.length)) return;
    const scx = this.scx, now = scx.now(), at = this.base + cpu * RQ_SIZE;
    const last = this.readClockTask(at);
    if (this.started[cpu] === 0 || scx.cpuCurr(asCpu(cpu)) === null) {
      this.started[cpu] = 1;
      this.pelt[cpu] = now;
    }
    else if (now > last) {
      const scaled = Math.floor((Math.floor(((now - last) * scx.cpuCapacity(cpu)) / CAP_ONE) * scx.cpuperfCur(cpu)) / CAP_ONE);
      this.pelt[cpu]! += scaled;
    }
    this.write(cpu, now);
  }

  private readClockTask(at: BpfAddr): number {
    const i32 = this.memory.i32, w = (at + CLOCK_TASK) >> 2;
    return (i32[w]! >>> 0) + (i32[w + 1]! >>> 0) * TWO32;
  }

  private write(cpu: number, now: number): void {
    const at = this.base + cpu * RQ_SIZE;
    this.u64(at + CLOCK, now);
    this.u64(at + CLOCK_TASK, now);
    this.u64(at + CLOCK_PELT, this.pelt[cpu]!);
  }

  private u64(addr: BpfAddr, v: number): void {
    const i32 = this.memory.i32, w = addr >> 2;
    i32[w] = v % TWO32 | 0;
    i32[w + 1] = Math.floor(v / TWO32) | 0;
  }
}

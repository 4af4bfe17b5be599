/**
 * What scx_lavd's object reads from the kernel beyond the scx family (sched-ext/scx
 * scheds/include/scx/common.bpf.h scx_clock_task/scx_clock_pelt over the per-CPU `runqueues`,
 * bpf_experimental.h bpf_in_hardirq over `__preempt_count`, scx_lavd power.bpf.c
 * update_effective_capacity over `cpufreq_cpu_data`, idle.bpf.c and main.bpf.c's
 * bpf_cpumask_test_and_set_cpu, introspec.bpf.c's ring buffer, main.bpf.c lavd_init_task's
 * p->real_parent and the strncmp helper), each checked with our own program
 * (progs/eng_kernel_objs.bpf.c). Needs clang-19 (CI installs it).
 */
import { describe, expect, it } from "vitest";
import { instantiateBpfScheduler, type BpfSchedulerInstance } from "../../sim/ebpf/scx/index.js";
import type { BpfObject } from "../../sim/ebpf/obj/index.js";
import { BpfObjectError } from "../../sim/ebpf/obj/errors.js";
import { hog, plan, task } from "../helpers/plan.js";
import { attach, machine } from "../helpers/machine.js";
import { resolveTopology, type Topology } from "../../sim/topology.js";
import type { WorkloadPlan } from "../../sim/plan.js";
import { clangTestsEnabled, compileBpf } from "./clang.js";

const MS = 1_000_000;

function u64(obj: BpfObject, name: string, index = 0): bigint {
  const v = obj.globals.find((g) => g.name === name);
  if (v === undefined) throw new Error(`no global ${name}`);
  const b = obj.varBytes(v).slice(index * 8, index * 8 + 8);
  let n = 0n;
  for (let i = 7; i >= 0; i--) n = (n << 8n) | BigInt(b[i]!);
  return n;
}
const s64 = (obj: BpfObject, name: string, index = 0): number => Number(BigInt.asIntN(64, u64(obj, name, index)));

function run(p: WorkloadPlan, topology: Topology, options: Record<string, string> = {}): BpfObject {
  const bytes = compileBpf("eng_kernel_objs.bpf.c");
  const m = machine(p, { topology, durationNs: 50 * MS });
  let inst: BpfSchedulerInstance | undefined;
  attach(m, (scx) => (inst = instantiateBpfScheduler(bytes, "eng_kernel_objs.bpf.o", options, scx)).ops);
  m.runFor(50 * MS);
  const r = m.result();
  expect(r.scx.exit).toBeNull();
  return inst!.object;
}

/** Two CPUs, the second at half capacity. */
const bigLittle = resolveTopology({ cpus: [{ core: 0, llc: 0, node: 0, capacity: 1024 }, { core: 1, llc: 0, node: 0, capacity: 512 }] }, "big-little");
const sleeper = task("s", [{ kind: "run", us: 300 }, { kind: "sleep", us: 2000 }]);

describe.runIf(clangTestsEnabled())("kernel objects scx_lavd reads", () => {
  it("runqueues: clock_task is scx_bpf_now on the callback's CPU; clock_pelt runs at the CPU's capacity while a task runs and never passes clock_task (update_rq_clock_pelt)", () => {
    const obj = run(plan([hog("a"), hog("b"), sleeper]), bigLittle);
    expect(u64(obj, "nr_clock_match")).toBeGreaterThan(0n);
    expect(u64(obj, "nr_clock_miss")).toBe(0n);
    expect(u64(obj, "nr_rq_cpu_miss")).toBe(0n);
    expect(u64(obj, "nr_pelt_ahead")).toBe(0n);
    expect(u64(obj, "lost_idle")).toBe(0n);
    const [t0, p0, t1, p1] = [u64(obj, "sum_task", 0), u64(obj, "sum_pelt", 0), u64(obj, "sum_task", 1), u64(obj, "sum_pelt", 1)];
    expect(t0).toBeGreaterThan(10n * BigInt(MS));
    expect(t1).toBeGreaterThan(10n * BigInt(MS));
    // Full capacity and full speed: the two clocks advance together while a task runs.
    expect(p0).toBe(t0);
    // Half capacity: half as fast (each update rounds down, so at most one ns lost per update).
    expect(Number(p1)).toBeLessThanOrEqual(Number(t1) / 2);
    expect(Number(p1)).toBeGreaterThan(Number(t1) / 2 - 1e5);
  });

  it("cpufreq_cpu_data: every CPU's slot exists and holds NULL (no cpufreq policy object); past the last CPU bpf_per_cpu_ptr is NULL", () => {
    const obj = run(plan([hog("a")]), bigLittle);
    expect(u64(obj, "nr_policy_null")).toBe(2n);
    expect(u64(obj, "nr_policy_set")).toBe(0n);
    expect(u64(obj, "nr_slot_missing")).toBe(6n);
  });

  it("__preempt_count: a wakeup by a sleep's timer runs with a hard-IRQ count (bpf_in_hardirq), a wakeup by a task without", () => {
    const obj = run(plan([sleeper]), bigLittle);
    expect(u64(obj, "nr_wakeup_hardirq")).toBeGreaterThan(5n);
    const pinger = task("ping", [{ kind: "run", us: 100 }, { kind: "resume", ref: "pong" }, { kind: "suspend", ref: "ping" }]);
    const ponger = task("pong", [{ kind: "suspend", ref: "pong" }, { kind: "run", us: 100 }, { kind: "resume", ref: "ping" }]);
    const pipe = run(plan([pinger, ponger]), bigLittle);
    expect(u64(pipe, "nr_wakeup_task")).toBeGreaterThan(5n);
    expect(u64(pipe, "nr_wakeup_hardirq")).toBe(0n);
  });

  it("bpf_cpumask_test_and_set_cpu / test_and_clear_cpu answer the bit's old value; bpf_strncmp orders as strncmp; a ring buffer with no reader fills up", () => {
    const obj = run(plan([hog("a")]), bigLittle);
    const a = Array.from({ length: 15 }, (_, i) => s64(obj, "answers", i));
    expect(a.slice(0, 7)).toEqual([0, 1, 1, 1, 0, 0, 0]);
    expect(a.slice(7, 11)).toEqual([0, -1, 1, 0]);
    // output 0, ring size 4096, reserve with flags refused
    expect(a.slice(11, 14)).toEqual([0, 4096, 0]);
    // Each record takes its size rounded to 8 plus an 8-byte header, submitted or discarded alike.
    const used = 3 * (64 + 8);
    expect(u64(obj, "ring_records")).toBe(BigInt(Math.floor((4096 - used) / (64 + 8))));
    expect(a[14]).toBe(-11); // -EAGAIN: full
  });

  it("p->real_parent: one parent for every task, which is no simulated task (bpf_task_from_pid does not find pid 0)", () => {
    const obj = run(plan([hog("a"), hog("b"), sleeper]), bigLittle);
    expect(u64(obj, "nr_parent_same")).toBe(3n);
    expect(u64(obj, "nr_parent_other")).toBe(0n);
    expect(u64(obj, "parent_pid")).toBe(0n);
    expect(u64(obj, "nr_parent_found")).toBe(0n);
  });

  it("a read of a field the model lacks loads behind CONFIG_PREEMPT_RT (kconfig 0) and behind a .rodata switch left off; turning the switch on refuses the object naming the field", () => {
    const obj = run(plan([sleeper]), bigLittle);
    expect(u64(obj, "missing_sum")).toBe(0n);
    const bytes = compileBpf("eng_kernel_objs.bpf.c");
    const m = machine(plan([hog("a")]), { topology: bigLittle });
    expect(() => instantiateBpfScheduler(bytes, "ko.bpf.o", { read_missing: "1" }, m.scxApi)).toThrow(BpfObjectError);
    expect(() => instantiateBpfScheduler(bytes, "ko.bpf.o", { read_missing: "1" }, m.scxApi)).toThrow(/task_struct\.softirq_disable_cnt is not in scxlab's kernel model/);
  });
});

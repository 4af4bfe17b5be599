/**
 * SCX_KICK_WAIT from a compiled object, with the kernel's numbers as C writes them
 * (`SCX_DSQ_LOCAL_ON | 1`, `SCX_KICK_PREEMPT | SCX_KICK_WAIT`): the same behaviour as the TS
 * scheduler of test/ext/kick_wait.test.ts (Linux 6.19 kick_cpus_irq_workfn), through the one
 * table of sim/ext/kernel_abi.ts at the kfunc boundary.
 */
import { describe, expect, it } from "vitest";
import { instantiateBpfScheduler, type BpfSchedulerInstance } from "../../sim/ebpf/scx/index.js";
import { hog, plan, task } from "../helpers/plan.js";
import { attach, machine } from "../helpers/machine.js";
import { flatTopology } from "../../sim/topology.js";
import type { Machine } from "../../sim/machine.js";
import { clangTestsEnabled, compileBpf } from "./clang.js";

const MS = 1_000_000;

/** Runs eng_kick with `kickFlags` (as rodata); returns the comm CPU 1 ran when y woke, and the kicks made. */
function run(bytes: Uint8Array, kickFlags: bigint): { seen: string; kicks: number } {
  const m: Machine = machine(plan([
    hog("h", 0, { cpus: [1] }),
    task("w", [{ kind: "sleep", us: 1000 }, { kind: "sem_post", ref: "s1" }, { kind: "sem_post", ref: "s2" }, { kind: "sleep", us: 1_000_000 }], { cpus: [0] }),
    task("x", [{ kind: "sem_wait", ref: "s1" }, { kind: "run", us: 500 }], { nice: 5 }),
    task("y", [{ kind: "sem_wait", ref: "s2" }, { kind: "run", us: 10 }]),
  ]), { topology: flatTopology(2), durationNs: 5 * MS, seed: 1 });
  let inst: BpfSchedulerInstance | undefined;
  attach(m, (scx) => (inst = instantiateBpfScheduler(bytes, "eng_kick.bpf.o", { kick_flags: String(kickFlags) }, scx)).ops);
  m.runToEnd();
  expect(m.result(0).scx.exit?.kind ?? "none").toBe("none");
  const obj = inst!.object;
  const u64 = (name: string, index = 0): number => {
    const v = obj.globals.find((g) => g.name === name)!;
    const b = obj.varBytes(v);
    return Number(new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(index * 8, true));
  };
  const y = m.kernel.tasks.find((t) => t.comm.startsWith("y"))!;
  const curr = u64("curr_of_cpu1", y.pid & 63);
  return { seen: m.kernel.tasks.find((t) => t.pid === curr)?.comm.replace(/-.*/, "") ?? String(curr), kicks: u64("nr_kicks") };
}

describe.runIf(clangTestsEnabled())("SCX_KICK_WAIT from a compiled object (kick_cpus_irq_workfn; SCX_DSQ_LOCAL_ON | cpu at the boundary)", () => {
  it("PREEMPT|WAIT: the waker's next wakeup sees CPU 1 already running x; PREEMPT alone: still h", () => {
    const bytes = compileBpf("eng_kick.bpf.c");
    const wait = run(bytes, 2n | 4n), plain = run(bytes, 2n);
    expect(wait.kicks).toBe(1);
    expect(plain.kicks).toBe(1);
    expect(wait.seen).toBe("x");
    expect(plain.seen).toBe("h");
  });
});

import { describe, expect, it } from "vitest";
import { instantiateBpfScheduler, loadBpfScheduler, type BpfSchedulerInstance } from "../../sim/ebpf/scx/index.js";
import { SimpleScheduler } from "../../schedulers/simple.js";
import { hog, plan, poisson } from "../helpers/plan.js";
import { attach, machine } from "../helpers/machine.js";
import { flatTopology } from "../../sim/topology.js";
import { clangTestsEnabled, compileBpf } from "./clang.js";

const MS = 1_000_000;

describe.runIf(clangTestsEnabled())("a compiled sched_ext object runs as a scheduler", () => {
  const simpleObj = (): Uint8Array => compileBpf("eng_simple.bpf.c");

  it("eng_simple runs an M/M/4-like load and a hog mix with nothing lost and no exit, counting its own decisions", () => {
    const bytes = simpleObj();
    const p = plan([poisson("req", 3000, 1000), hog("h", 0, { instances: 2 }), hog("n5", 5)]);
    const m = machine(p, { topology: flatTopology(4), durationNs: 300 * MS, seed: 3 });
    let inst: BpfSchedulerInstance | undefined;
    attach(m, (scx) => (inst = instantiateBpfScheduler(bytes, "eng_simple.bpf.o", {}, scx)).ops);
    m.runToEnd();
    const r = m.result(0);
    expect(r.scx.exit?.kind ?? "none").toBe("none");
    expect(m.invariants().lost).toBe(0);
    const bss = inst!.object.mapByName("eng_simp.bss") ?? inst!.object.maps.find((x) => x.name.endsWith(".bss"))!;
    const counters = inst!.memory.hostBytes(inst!.object.mapValueAddr(bss.index, 0), 24);
    const dv = new DataView(counters.buffer, counters.byteOffset, 24);
    const local = dv.getBigUint64(8, true), global = dv.getBigUint64(16, true);
    expect(local + global).toBeGreaterThan(100n);
    expect(r.groups.req!.cpuNs).toBeGreaterThan(0);
  });

  it("eng_simple gives the hogs the CPU share the TS simple gives them (same vtime policy)", () => {
    const bytes = simpleObj();
    const p = plan([hog("a", 0, { instances: 3 }), hog("b", 5, { instances: 3 })]);
    const runWith = (make: Parameters<typeof attach>[1]) => {
      const m = machine(p, { topology: flatTopology(2), durationNs: 2000 * MS, seed: 1 });
      attach(m, make);
      m.runToEnd();
      return m.result(0);
    };
    const ts = runWith((scx) => new SimpleScheduler(scx, { fifo: false, slice_us: 20_000 }));
    const bpf = runWith((scx) => instantiateBpfScheduler(bytes, "eng_simple.bpf.o", {}, scx).ops);
    expect(bpf.scx.exit?.kind ?? "none").toBe("none");
    const share = (r: typeof ts) => r.groups.a!.cpuNs / (r.groups.a!.cpuNs + r.groups.b!.cpuNs);
    // nice 0 vs nice 5 is weight 100 vs 33: a gets about 3/4 of the CPU under either
    expect(share(bpf)).toBeCloseTo(share(ts), 2);
  });

  it("eng_simple with fifo_sched reproduces TS simple fifo=true on an M/M/4 run exactly (groups, events, CPU time)", () => {
    const bytes = simpleObj();
    const p = plan([poisson("customer", 3200, 1000, { arrivals: { process: "poisson", rate: 3200, max: 3000 } })]);
    const runWith = (make: Parameters<typeof attach>[1]) => {
      const m = machine(p, { topology: flatTopology(4), durationNs: 2000 * MS, seed: 7 });
      attach(m, make);
      m.runToEnd();
      expect(m.invariants().lost).toBe(0);
      return m.result(0);
    };
    const ts = runWith((scx) => new SimpleScheduler(scx, { fifo: true, slice_us: 20_000 }));
    const bpf = runWith((scx) => instantiateBpfScheduler(bytes, "eng_simple.bpf.o", { fifo_sched: true }, scx).ops);
    expect(bpf.groups.customer!.completed).toBe(3000);
    expect(JSON.stringify(bpf.groups)).toBe(JSON.stringify(ts.groups));
    expect(bpf.events).toBe(ts.events);
    expect(JSON.stringify(bpf.cpus)).toBe(JSON.stringify(ts.cpus));
  });

  it("task mirrors are recycled after exit: 3000 short-lived tasks need only a few", () => {
    const bytes = simpleObj();
    const p = plan([poisson("c", 3200, 1000, { arrivals: { process: "poisson", rate: 3200, max: 3000 } })]);
    const m = machine(p, { topology: flatTopology(4), durationNs: 2000 * MS, seed: 7 });
    let inst: BpfSchedulerInstance | undefined;
    attach(m, (scx) => (inst = instantiateBpfScheduler(bytes, "eng_simple.bpf.o", {}, scx)).ops);
    m.runToEnd();
    // ~1 KB per live mirror; 3000 never-freed mirrors would need more than 2 MB
    expect(inst!.memory.buffer.byteLength).toBeLessThan(1 << 20);
  });

  it("a program fault ends the scheduler with SCX_EXIT_ERROR_BPF naming the program and instruction; tasks go back to fair", () => {
    const bytes = compileBpf("eng_fault.bpf.c");
    const m = machine(plan([hog("h", 0, { instances: 3 })]), { topology: flatTopology(2), durationNs: 200 * MS, seed: 1 });
    attach(m, (scx) => instantiateBpfScheduler(bytes, "eng_fault.bpf.o", {}, scx).ops);
    m.runToEnd();
    const r = m.result(0);
    expect(r.scx.exit?.kind).toBe("SCX_EXIT_ERROR_BPF");
    expect(r.scx.exit?.msg).toMatch(/fault_enqueue: insn \d+: invalid read of 8 bytes at unmapped address 0x[0-9a-f]+ \(eng_fault\.bpf\.c:14\)$/);
    expect(m.invariants().lost).toBe(0);
    expect(r.groups.h!.cpuNs).toBeGreaterThan(100 * MS); // fair ran them after the ejection
  });
});

describe.runIf(clangTestsEnabled())("loading a compiled scheduler for runs", () => {
  it("loadBpfScheduler checks the object and its options once, then creates fresh instances per run", () => {
    const bytes = compileBpf("eng_simple.bpf.c");
    const f = loadBpfScheduler(bytes, "eng_simple.bpf.o", { slice_ns: "5000000" });
    expect(f.name).toBe("eng_simple");
    expect(() => loadBpfScheduler(bytes, "eng_simple.bpf.o", { slice: "1" })).toThrow(/eng_simple\.bpf\.o: unknown option slice; valid: .*slice_ns/);
    const runWith = (factory: typeof f) => {
      const m = machine(plan([hog("h", 0, { instances: 3 })]), { topology: flatTopology(2), durationNs: 200 * MS, seed: 1 });
      attach(m, (scx) => factory.create(scx));
      m.runToEnd();
      return m.result(0);
    };
    const [a, b] = [runWith(f), runWith(f)];
    expect(JSON.stringify(a.groups)).toBe(JSON.stringify(b.groups));
    // slice_ns = 5 ms preempts the hogs about 4x as often as the compiled default of 20 ms
    const dflt = runWith(loadBpfScheduler(bytes, "eng_simple.bpf.o", {}));
    expect(a.totals.contextSwitches.involuntary).toBeGreaterThan(3 * dflt.totals.contextSwitches.involuntary);
  });

  it("the user exit info receives the exit kind, code and message; ops.exit sees them in scx_exit_info", () => {
    const bytes = compileBpf("eng_fault.bpf.c");
    // three hogs on two CPUs: one must be enqueued, which faults
    const m = machine(plan([hog("h", 0, { instances: 3 })]), { topology: flatTopology(2), durationNs: 50 * MS, seed: 1 });
    let inst: BpfSchedulerInstance | undefined;
    attach(m, (scx) => (inst = instantiateBpfScheduler(bytes, "eng_fault.bpf.o", {}, scx)).ops);
    m.runToEnd();
    const uei = inst!.object.uei!;
    const b = inst!.object.varBytes(uei);
    expect(new DataView(b.buffer, b.byteOffset).getInt32(uei.members.kind!.offset, true)).toBe(1025); // SCX_EXIT_ERROR_BPF
    const msg = new TextDecoder().decode(b.subarray(uei.members.msg!.offset, uei.members.msg!.offset + 200)).replace(/\0.*$/s, "");
    expect(msg).toMatch(/fault_enqueue: insn \d+: invalid read/);
    // the program's own exit callback read the same through its scx_exit_info argument
    const data = inst!.object.maps.find((x) => x.name.endsWith(".data"))!;
    const vars = inst!.object.memory.hostBytes(inst!.object.mapValueAddr(data.index, 0), data.def.spec.valueSize);
    expect(new DataView(vars.buffer, vars.byteOffset).getInt32(0, true)).toBe(1025); // seen_kind
    expect(new TextDecoder().decode(vars.subarray(4, 4 + 127)).replace(/\0.*$/s, "")).toBe(msg.slice(0, 127)); // seen_msg
  });
});

describe.runIf(clangTestsEnabled())("helpers and kfuncs seen from a compiled program", () => {
  it("eng_helpers: maps, bpf_loop, probe_read, queue, printk, time, timers, cpumasks, kptr_xchg, bpf_for, task storage, DSQ iterator", () => {
    const bytes = compileBpf("eng_helpers.bpf.c");
    const m = machine(plan([hog("h", 0, { instances: 6 })]), { topology: flatTopology(4), durationNs: 100 * MS, seed: 1 });
    let inst: BpfSchedulerInstance | undefined;
    attach(m, (scx) => (inst = instantiateBpfScheduler(bytes, "eng_helpers.bpf.o", {}, scx)).ops);
    m.runToEnd();
    expect(m.result(0).scx.exit?.kind ?? "none").toBe("none");
    const obj = inst!.object;
    const outVar = obj.maps.find((x) => x.name.endsWith(".bss"))!;
    const word = (k: number): bigint => inst!.memory.readU64(obj.mapValueAddr(outVar.index, 0) + 8 * k);
    expect(word(0)).toBe(0n); // update ok
    expect(word(1)).toBe(42n); // lookup sees it
    expect(word(2)).toBe(0n); // delete ok
    expect(word(3)).toBe(1n); // gone
    expect(word(4)).toBe(10n); // bpf_loop ran indexes 0..9, the callback stopped it
    expect(word(5)).toBe(45n);
    expect(word(6)).toBe(6n); // "hello" and its NUL
    expect(word(7)).toBe(1n);
    expect(word(8)).toBe(BigInt.asUintN(64, -14n)); // -EFAULT
    expect(word(9)).toBe(7n); // a queue pops in FIFO order
    expect(inst!.printk).toEqual(["init -11 hello %"]);
    expect(word(10)).toBe(1n);
    expect([word(11), word(12), word(13)]).toEqual([0n, 0n, 0n]);
    const timers = obj.mapByName("timers")!.store;
    if (timers.storage !== "keyed") throw new Error("timers should be an array map");
    const fired = inst!.memory.readU64(timers.lookupKey(new Uint8Array(4), 0) + 16);
    expect(fired).toBe(5n); // re-armed every 1 ms until the 5th firing, within the 50 ms run
    expect(word(14)).toBe(2n * 100n + 1n * 10n + 1n); // weight 2, first CPU 1, CPU 3 online
    expect(word(15)).toBe(2n + 3n + 4n + 5n);
    expect(word(16)).toBe(1n);
    expect(word(17)).toBe(6n); // one storage per hog, created on enable
    expect(word(18)).toBe(6n); // and found again without F_CREATE
    expect(word(19)).not.toBe(0n);
    // the DSQ iterator: six hogs on four CPUs leave two or three queued when a CPU dispatches
    expect(Number(word(20))).toBeGreaterThanOrEqual(2);
    expect(Number(word(20))).toBeLessThanOrEqual(3);
    expect(word(21)).toBe(1n); // SCX_DSQ_ITER_REV starts from the other end
    expect(word(22)).toBe(0n);
  });
});

import { describe, expect, it } from "vitest";
import { compileProgram, invokeBpfFunction, isBpfFunctionAddr } from "../../sim/ebpf/engine.js";
import { BpfMemory } from "../../sim/ebpf/memory.js";
import type { BpfEnv, BpfNativeFn } from "../../sim/ebpf/program.js";
import { initScxEnums, kernelEnumValue, loadBpfObject, type BpfObject } from "../../sim/ebpf/obj/index.js";
import { MODEL_KERNEL_VERSION } from "../../sim/ebpf/obj/kconfig.js";
import { DEFAULT_HZ } from "../../sim/kernel.js";
import { clangTestsEnabled, compileBpf } from "./clang.js";

/** A minimal glue: map helpers through the object's stores, bpf_loop, timer callbacks, recording kfuncs. */
function envFor(obj: BpfObject, calls: string[]): { env: BpfEnv; useProgram: (kfuncNames: readonly string[]) => void } {
  const mem = obj.memory;
  const queue = (addr: number) => {
    const m = obj.mapByAddr(addr);
    if (m === undefined || m.store.storage !== "queue") throw new RangeError(`not a queue: ${addr}`);
    return m.store;
  };
  const keyed = (addr: number) => {
    const m = obj.mapByAddr(addr);
    if (m === undefined || m.store.storage !== "keyed") throw new RangeError(`not a keyed map: ${addr}`);
    return m.store;
  };
  const helpers: Record<number, BpfNativeFn> = {
    1: (a) => keyed(a.ptr(1)).lookup(a.ptr(2), 0),
    87: (a) => queue(a.ptr(1)).push(a.ptr(2), a.u32(3)),
    88: (a) => queue(a.ptr(1)).pop(a.ptr(2)),
    156: (a) => (a.ptr(2) === 0 ? 0 : -1),
    210: (a) => (a.ptr(2) === 0 ? 0 : -1),
    170: (a) => { calls.push(`timer_set_callback ${isBpfFunctionAddr(mem, a.u(2))}`); return 0; },
    181: (a) => {
      const n = a.u32(1), fn = a.u(2), ctx = a.u(3);
      let i = 0;
      while (i < n) if (invokeBpfFunction(mem, fn, i++, ctx, 0, 0, 0) !== 0) break;
      return i;
    },
  };
  const kfuncs: Record<string, BpfNativeFn> = {
    scx_bpf_dsq_insert: (a) => { calls.push(`dsq_insert ${a.u64(2)} ${a.u(3)} ${a.u(4)}`); return 0; },
    scx_bpf_kick_cpu: (a) => { calls.push(`kick_cpu ${a.s32(1)} ${a.u(2)}`); return 0; },
    scx_bpf_create_dsq: (a) => { calls.push(`create_dsq ${a.u(1)} ${a.s32(2)}`); return 0; },
  };
  // kfunc indexes are per program: the table is chosen before each compile.
  let current: readonly string[] = [];
  const env: BpfEnv = {
    memory: mem,
    helper: (id) => helpers[id],
    kfunc: (i) => kfuncs[current[i]!],
    mapAddr: (i) => obj.mapAddr(i),
    mapValueAddr: (i, off) => obj.mapValueAddr(i, off),
  };
  return { env, useProgram: (names) => { current = names; } };
}

function run(obj: BpfObject, name: string, glue: ReturnType<typeof envFor>, ctxWords: readonly bigint[]): number {
  const p = obj.programs.get(name)!;
  glue.useProgram(p.kfuncNames);
  const env = glue.env;
  const ctx = obj.memory.alloc(8 * ctxWords.length, { name: "ctx", writable: false, kind: "ctx" });
  ctxWords.forEach((w, i) => obj.memory.hostBytes(ctx + 8 * i, 8).set(new Uint8Array(new BigUint64Array([w]).buffer)));
  return compileProgram(p, env).run(ctx);
}

describe.runIf(clangTestsEnabled())("loaded programs run in the engine (ld_basic.bpf.c)", () => {
  it("maps, global data, subprograms, kconfig, kfuncs and callbacks all line up at run time", () => {
    const obj = loadBpfObject(compileBpf("ld_basic.bpf.c"), "ld_basic.bpf.o", new BpfMemory(), { nrCpus: 2, kfuncAvailable: (n) => n !== "scx_bpf_not_in_scxlab" });
    expect(initScxEnums(obj)).toEqual(["__SCX_NOT_IN_MODEL"]);
    obj.sealRodata();
    const calls: string[] = [];
    const glue = envFor(obj, calls);
    const mem = obj.memory;
    const data = (map: string, off: number): number => obj.mapValueAddr(obj.mapByName(map)!.index, off);
    const slice = 5000000n, extra1 = 2n;

    expect(run(obj, "ld_enqueue", glue, [0x1000n, 5n])).toBe(0);
    const counter1 = 7n + slice + extra1;
    expect(mem.readU64(data(".data", 0))).toBe(counter1);
    const arr = obj.mapByName("arr")!.store;
    expect(arr.storage === "keyed" && mem.readU64(arr.lookupKey(new Uint8Array([1, 0, 0, 0]), 0))).toBe(counter1);
    expect(calls).toEqual([`dsq_insert ${kernelEnumValue("SCX_DSQ_GLOBAL")} ${slice} 5`]); // the absent weak kfunc was skipped

    // Put an element in `hash` so ld_dispatch reaches bpf_timer_set_callback.
    const hash = obj.mapByName("hash")!.store;
    const kv = mem.alloc(24, { name: "kv", writable: true, kind: "stack" });
    mem.writeU64(kv, 1n);
    expect(hash.storage === "keyed" && hash.update(kv, kv + 8, 0, 0)).toBe(0);
    calls.length = 0;
    const r = run(obj, "ld_dispatch", glue, []);
    expect(mem.readU64(data(".bss", 0))).toBe(0n + 1n + 2n + 3n); // loop_cb over nr_cpus = 4
    expect(calls).toEqual(["timer_set_callback true", "kick_cpu 0 1"]);
    const counter2 = counter1 - 3n + extra1;
    expect(mem.readU64(data(".data", 0))).toBe(counter2);
    // table[1], HZ (the default tick rate: no hz given to the loader), label[1] = 'b'; the
    // __SCX_* checks add 0 once initScxEnums filled them
    expect(r).toBe(Number(counter2 * 22n + BigInt(MODEL_KERNEL_VERSION) + BigInt(DEFAULT_HZ) + 98n));

    calls.length = 0;
    expect(run(obj, "ld_init", glue, [])).toBe(1);
    expect(calls).toEqual(["kick_cpu 1 0", "create_dsq 0 -1"]);
    expect(mem.readU32(data(".data", obj.uei!.offset))).toBe(1);

    // The array of maps hands back q1 itself; q1 pops in FIFO order; the stack got its value.
    expect(run(obj, "ld_queue", glue, [])).toBe(1000 + 5 * 10 + 1);
    const q1 = obj.mapByName("q1")!.store, stk = obj.mapByName("stk")!.store;
    expect([q1.size(), stk.size()]).toEqual([1, 1]);
  });
});

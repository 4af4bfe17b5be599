/**
 * What the scx Rust loaders write by path (libbpf-rs skeletons: `rodata.topo_config.nr_llcs`,
 * `bss_data.cpu_llc_ids[3]`) and two CO-RE cases vmlinux.h-based objects (scx's lib) need:
 * a typedef'd anonymous struct as the relocation root (atomic_t; libbpf matches it by the
 * typedef's name) and an element load from an array field that is shorter in scxlab's model
 * (struct cpumask: 1024 bytes in vmlinux.h, 32 here).
 */
import { describe, expect, it } from "vitest";
import { compileProgram } from "../../sim/ebpf/engine.js";
import { BpfMemory } from "../../sim/ebpf/memory.js";
import { BpfObjectError, loadBpfObject, setRodata, type BpfObject } from "../../sim/ebpf/obj/index.js";
import { clangTestsEnabled, compileBpf } from "./clang.js";

function load(): BpfObject {
  return loadBpfObject(compileBpf("ld_paths.bpf.c"), "ld_paths.bpf.c", new BpfMemory());
}

function u64At(obj: BpfObject, name: string, i: number): bigint {
  const v = obj.globals.find((g) => g.name === name)!;
  return new DataView(obj.varBytes(v).slice().buffer).getBigUint64(8 * i, true);
}

describe.runIf(clangTestsEnabled())("loader: globals by path and vmlinux.h CO-RE cases (ld_paths.bpf.c)", () => {
  it("sets .rodata struct members and array elements by path, .bss elements after load, and the program reads them", () => {
    const obj = load();
    setRodata(obj, "topo.nr_cpus", 6);
    setRodata(obj, "topo.smt", false);
    setRodata(obj, "topo.ratio[2]", 513);
    obj.sealRodata();
    obj.writeData("cpu_llc_ids[3]", 7);
    const m = obj.memory;
    const atomic = m.alloc(4, { name: "atomic_t", writable: true, kind: "kernel_object" });
    m.writeU32(atomic, 42);
    const mask = m.alloc(32, { name: "cpumask", writable: true, kind: "kernel_object" });
    for (let w = 0; w < 4; w++) m.writeU64(mask + 8 * w, BigInt(100 + w));
    const ctx = m.alloc(32, { name: "ctx", writable: true, kind: "ctx" });
    [atomic, mask, 2, 4].forEach((v, i) => m.writeU64(ctx + 8 * i, BigInt(v)));
    const p = obj.programs.get("read_paths")!;
    const run = compileProgram(p, { memory: m, helper: () => undefined, kfunc: () => undefined, mapAddr: (i) => obj.mapAddr(i), mapValueAddr: (i, o) => obj.mapValueAddr(i, o) });
    expect(run.run(ctx)).toBe(0);
    expect([0, 1, 2, 3, 4, 5, 6].map((i) => u64At(obj, "out", i))).toEqual([6n, 32n, 0n, 513n, 7n, 42n, 102n]);
    expect([0, 1, 2, 3].map((i) => u64At(obj, "words", i))).toEqual([100n, 101n, 102n, 103n]);
  });

  it("refuses an unknown member, an index past the array, and .bss writes to .rodata, each in one line", () => {
    const obj = load();
    expect(() => setRodata(obj, "topo.nope", 1)).toThrow(BpfObjectError);
    expect(() => setRodata(obj, "topo.nope", 1)).toThrow(/unknown option topo\.nope/);
    expect(() => setRodata(obj, "topo.ratio[3]", 1)).toThrow(/index 3 is outside topo\.ratio\[0\.\.2\]/);
    expect(() => obj.writeData("topo.nr_cpus", 1)).toThrow(/not a writable global/);
    expect(() => obj.writeData("cpu_llc_ids[8]", 1)).toThrow(/index 8 is outside cpu_llc_ids\[0\.\.7\]/);
  });
});

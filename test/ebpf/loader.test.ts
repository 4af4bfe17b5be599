import { describe, expect, it } from "vitest";
import { decode, LD_IMM64, PSEUDO } from "../../sim/ebpf/isa.js";
import { BpfMemory } from "../../sim/ebpf/memory.js";
import { BpfObjectError, KFUNC_PRESENT_TOKEN, initScxEnums, kernelEnumValue, loadBpfObject, setRodata, type BpfObject } from "../../sim/ebpf/obj/index.js";
import { MODEL_KERNEL_VERSION } from "../../sim/ebpf/obj/kconfig.js";
import type { LoadedProgram } from "../../sim/ebpf/obj/link.js";
import {
  BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_CGRP_STORAGE, BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_LRU_HASH, BPF_MAP_TYPE_PERCPU_ARRAY,
  BPF_MAP_TYPE_PERCPU_HASH, BPF_MAP_TYPE_TASK_STORAGE, BPF_MAP_TYPE_QUEUE, BPF_MAP_TYPE_STACK, BPF_MAP_TYPE_ARRAY_OF_MAPS,
} from "../../sim/ebpf/maps/map_types.js";
import { clangTestsEnabled, compileBpf } from "./clang.js";

const CALL = 0x85;

function load(flags: readonly string[] = [], absent: readonly string[] = ["scx_bpf_not_in_scxlab"], hz?: number): BpfObject {
  return loadBpfObject(compileBpf("ld_basic.bpf.c", flags), "ld_basic.bpf.o", new BpfMemory(), { nrCpus: 4, kfuncAvailable: (n) => !absent.includes(n), hz });
}

function loadError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(BpfObjectError);
    return (e as Error).message;
  }
  throw new Error("expected a BpfObjectError");
}

function prog(obj: BpfObject, name: string): LoadedProgram {
  const p = obj.programs.get(name);
  if (p === undefined) throw new Error(`no program ${name}`);
  return p;
}

/** Every ld_imm64 of a program as [src, imm, second imm]. */
function wides(p: LoadedProgram): [number, number, number][] {
  const d = decode(p.insns);
  const out: [number, number, number][] = [];
  for (let i = 0; i < d.length; i++) if (d.op[i] === LD_IMM64) { out.push([d.src[i]!, d.imm[i]!, d.imm[i + 1]!]); i++; }
  return out;
}

function mapIndex(obj: BpfObject, name: string): number {
  const m = obj.mapByName(name);
  if (m === undefined) throw new Error(`no map ${name}`);
  return m.index;
}

describe.runIf(clangTestsEnabled())("BPF object loader on clang-19 objects (ld_basic.bpf.c)", () => {
  it("every .maps definition becomes a map of its declared type, key/value size, entries and flags", () => {
    const obj = load();
    const spec = (n: string): unknown => { const m = obj.mapByName(n)!.def.spec; return [m.type, m.keySize, m.valueSize, m.maxEntries, m.mapFlags]; };
    expect(spec("arr")).toEqual([BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0]);
    expect(spec("pcpu_arr")).toEqual([BPF_MAP_TYPE_PERCPU_ARRAY, 4, 4, 2, 0]);
    expect(spec("hash")).toEqual([BPF_MAP_TYPE_HASH, 8, 16, 16, 0]);
    expect(spec("pcpu_hash")).toEqual([BPF_MAP_TYPE_PERCPU_HASH, 4, 12, 8, 0]);
    expect(spec("lru")).toEqual([BPF_MAP_TYPE_LRU_HASH, 4, 4, 2, 0]);
    expect(spec("tstore")).toEqual([BPF_MAP_TYPE_TASK_STORAGE, 4, 8, 0, 1]);
    expect(spec("cstore")).toEqual([BPF_MAP_TYPE_CGRP_STORAGE, 4, 4, 0, 1]);
    expect(spec("q0")).toEqual([BPF_MAP_TYPE_QUEUE, 0, 4, 3, 0]);
    expect(spec("stk")).toEqual([BPF_MAP_TYPE_STACK, 0, 8, 2, 0]);
    expect(spec("qarr")).toEqual([BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 2, 0]);
  });

  it("an array of maps holds the maps its .values initialiser names, and nothing in the other slots", () => {
    const obj = load();
    const qarr = obj.mapByName("qarr")!.store;
    expect(qarr.storage).toBe("keyed");
    if (qarr.storage !== "keyed") return;
    expect(qarr.lookupKey(new Uint8Array([1, 0, 0, 0]), 0)).toBe(obj.mapByName("q1")!.addr);
    expect(qarr.lookupKey(new Uint8Array([0, 0, 0, 0]), 0)).toBe(0);
    expect(obj.mapByAddr(obj.mapByName("q1")!.addr)?.name).toBe("q1");
  });

  it("global data sections are one-element arrays holding their initial bytes; .rodata is read-only to programs", () => {
    const obj = load();
    const mem = obj.memory;
    const at = (map: string, off: number): number => obj.mapValueAddr(mapIndex(obj, map), off);
    expect(mem.readU64(at(".rodata", 0))).toBe(5000000n); // slice_ns
    expect(mem.readU32(at(".rodata", 8))).toBe(4); // nr_cpus
    expect(mem.readU32(at(".rodata", 12)) | 0).toBe(-3); // bias
    expect(mem.readU64(at(".data", 0))).toBe(7n); // counter
    expect([0, 4, 8].map((o) => mem.readU32(at(".data.extra", o)))).toEqual([1, 2, 3]);
    expect([0, 4].map((o) => mem.readU32(at(".rodata.table", o)))).toEqual([11, 22]);
    expect(mem.readU64(at(".bss", 0))).toBe(0n);
    expect(mem.accessible(at(".rodata", 0), 8, true)).toBe(false);
    expect(mem.accessible(at(".data", 0), 8, true)).toBe(true);
  });

  it("kconfig externs get the model's values (a weak unknown one reads 0) in a read-only .kconfig map", () => {
    const obj = load();
    const k = obj.mapByName(".kconfig")!;
    const base = obj.mapValueAddr(k.index, 0);
    // Laid out in symbol order at natural alignment: u32 version, int HZ, bool NOT_IN_MODEL.
    expect(obj.memory.readU32(base)).toBe(MODEL_KERNEL_VERSION);
    expect(obj.memory.readU32(base + 4)).toBe(250);
    expect(obj.memory.readU8(base + 8)).toBe(0);
    expect(obj.memory.accessible(base, 4, true)).toBe(false);
    const onlySecond = wides(prog(obj, "ld_dispatch")).filter(([src, imm]) => src === PSEUDO.MAP_VALUE && imm === k.index).map(([, , off]) => off);
    expect(onlySecond.sort()).toEqual([0, 4, 8]);
  });

  it("CONFIG_HZ is the machine's tick rate, as the kernel a run models was built with", () => {
    for (const hz of [100, 1000]) {
      const obj = load([], undefined, hz);
      const base = obj.mapValueAddr(obj.mapByName(".kconfig")!.index, 0);
      expect(obj.memory.readU32(base + 4)).toBe(hz);
    }
  });

  it("ld_imm64 of a map is src 1 with its index; of global data src 2 with map index and byte offset", () => {
    const obj = load();
    const rodata = mapIndex(obj, ".rodata");
    expect(wides(prog(obj, "ld_enqueue"))).toContainEqual([PSEUDO.MAP_FD, mapIndex(obj, "arr"), 0]);
    expect(wides(prog(obj, "ld_enqueue"))).toContainEqual([PSEUDO.MAP_VALUE, rodata, 0]); // slice_ns
    const d = wides(prog(obj, "ld_dispatch"));
    expect(d).toContainEqual([PSEUDO.MAP_VALUE, rodata, 8]); // nr_cpus
    expect(d).toContainEqual([PSEUDO.MAP_VALUE, rodata, 12]); // bias
    expect(d).toContainEqual([PSEUDO.MAP_VALUE, rodata, 16]); // label
    expect(d).toContainEqual([PSEUDO.MAP_FD, mapIndex(obj, "hash"), 0]);
    expect(wides(prog(obj, "ld_init"))).toContainEqual([PSEUDO.MAP_VALUE, mapIndex(obj, ".data"), 8]); // uei
    for (const n of ["pcpu_arr", "pcpu_hash", "lru", "tstore", "cstore"]) expect(wides(prog(obj, "ld_init"))).toContainEqual([PSEUDO.MAP_FD, mapIndex(obj, n), 0]);
  });

  it("used .text subprograms are appended once per program and every call and function address points at a function start", () => {
    const obj = load();
    const p = prog(obj, "ld_dispatch");
    expect(p.functions.map((f) => f.name).sort()).toEqual(["add_counter", "ld_dispatch", "loop_cb", "only_second", "timer_cb", "twice"]);
    expect(prog(obj, "ld_enqueue").functions.map((f) => f.name)).toEqual(["ld_enqueue", "add_counter"]);
    expect(prog(obj, "ld_init").functions.map((f) => f.name)).toEqual(["ld_init"]);
    const starts = new Map(p.functions.map((f) => [f.start, f.name]));
    const d = decode(p.insns);
    const called: string[] = [];
    const addressed: string[] = [];
    for (let i = 0; i < d.length; i++) {
      if (d.op[i] === CALL && d.src[i] === 1) called.push(starts.get(i + 1 + d.imm[i]!) ?? `bad ${i}`);
      if (d.op[i] === LD_IMM64) {
        if (d.src[i] === PSEUDO.FUNC) addressed.push(starts.get(d.imm[i]!) ?? `bad ${i}`);
        i++;
      }
    }
    expect(called.sort()).toEqual(["add_counter", "only_second", "twice"]); // twice: a .text-to-.text call with no relocation
    expect(addressed.sort()).toEqual(["loop_cb", "timer_cb"]);
    // The appended copy of add_counter is byte-identical in both programs except for its relocated immediates.
    const len = 10 * 8;
    const a = prog(obj, "ld_enqueue"), aStart = a.functions[1]!.start * 8;
    const bStart = p.functions.find((f) => f.name === "add_counter")!.start * 8;
    expect(a.insns.subarray(aStart, aStart + len)).toEqual(p.insns.subarray(bStart, bStart + len));
  });

  it("kfunc calls become src 2 calls indexing kfuncNames; bpf_ksym_exists reads 0 for an absent weak kfunc", () => {
    const obj = load();
    const p = prog(obj, "ld_enqueue");
    expect(p.kfuncNames).toEqual(["scx_bpf_not_in_scxlab", "scx_bpf_dsq_insert"]);
    const d = decode(p.insns);
    const kcalls = [];
    for (let i = 0; i < d.length; i++) if (d.op[i] === CALL && d.src[i] === 2) kcalls.push(d.imm[i]);
    expect(kcalls).toEqual([0, 1]);
    expect(wides(p)).toContainEqual([0, 0, 0]); // absent: bpf_ksym_exists(scx_bpf_not_in_scxlab) is false
    expect(wides(prog(obj, "ld_dispatch"))).toContainEqual([0, KFUNC_PRESENT_TOKEN, 0]); // scx_bpf_kick_cpu is here
    expect(wides(prog(obj, "ld_init"))).toContainEqual([0, 0, 0]); // &scxlab_percpu_var: a weak kernel variable scxlab lacks is NULL
    expect(obj.kfuncs.get("scx_bpf_not_in_scxlab")).toEqual({ name: "scx_bpf_not_in_scxlab", symbol: "scx_bpf_not_in_scxlab", weak: true, available: false });
    // A flavoured extern calls the kernel function without its ___suffix.
    expect(prog(obj, "ld_init").kfuncNames).toEqual(["scx_bpf_kick_cpu", "scx_bpf_create_dsq"]);
  });

  it("program lines come from .BTF.ext line_info, renumbered into the linked program", () => {
    const p = prog(load(), "ld_dispatch");
    expect(p.lines.length).toBeGreaterThan(0);
    expect(p.lines.every((l) => l.insn >= 0 && l.insn < p.insns.length / 8 && l.file.endsWith("ld_basic.bpf.c"))).toBe(true);
    const cb = p.functions.find((f) => f.name === "loop_cb")!.start;
    expect(p.lines.find((l) => l.insn === cb)?.text.trim()).toBe("zeroed += i;");
  });

  it(".struct_ops.link binds callbacks to programs, reads data members, and asks for BPF_F_LINK", () => {
    const [ops] = load().structOps;
    expect(ops).toMatchObject({
      variable: "ld_ops", section: ".struct_ops.link", link: true, name: "ld_basic",
      callbacks: { enqueue: "ld_enqueue", dispatch: "ld_dispatch", init: "ld_init" },
      flags: 4n, timeoutMs: 5000, dispatchMaxBatch: 8, exitDumpLen: 0,
    });
    const [plain] = load(["-DPLAIN_STRUCT_OPS"]).structOps;
    expect([plain!.section, plain!.link]).toEqual([".struct_ops", false]);
  });

  it("the uei user exit info is located in .data with its members, and its dump buffer beside it", () => {
    const obj = load();
    expect(obj.uei).toMatchObject({ name: "uei", map: mapIndex(obj, ".data"), offset: 8, size: 1168 });
    expect(obj.uei!.dump).toMatchObject({ name: "uei_dump", map: mapIndex(obj, ".data.uei_dump"), offset: 0, size: 64 });
    expect(obj.uei!.members).toEqual({ kind: { offset: 0, size: 4 }, exit_code: { offset: 8, size: 8 }, reason: { offset: 16, size: 128 }, msg: { offset: 144, size: 1024 } });
  });

  it("setRodata writes .rodata variables type-checked against BTF, until sealed", () => {
    const obj = load();
    expect(obj.rodata.map((v) => v.name).sort()).toEqual(["__SCX_DSQ_LOCAL", "__SCX_NOT_IN_MODEL", "__SCX_TASK_CURSOR", "bias", "label", "nr_cpus", "slice_ns", "table", "verbose"]);
    const at = (off: number): number => obj.mapValueAddr(mapIndex(obj, ".rodata"), off);
    setRodata(obj, "slice_ns", "20000000");
    setRodata(obj, "nr_cpus", 0xffffffff);
    setRodata(obj, "bias", "-7");
    setRodata(obj, "verbose", "true");
    setRodata(obj, "label", "xyz1234");
    expect(obj.memory.readU64(at(0))).toBe(20000000n);
    expect(obj.memory.readU32(at(8))).toBe(0xffffffff);
    expect(obj.memory.readU32(at(12)) | 0).toBe(-7);
    expect(obj.memory.readU8(at(48))).toBe(1);
    expect(new TextDecoder().decode(obj.memory.bytes(at(16), 8))).toBe("xyz1234\0");
    expect(loadError(() => setRodata(obj, "nr_cpus", -1))).toBe("ld_basic.bpf.o: option nr_cpus (u32): -1 is outside 0..4294967295");
    expect(loadError(() => setRodata(obj, "bias", "2147483648"))).toContain("outside -2147483648..2147483647");
    expect(loadError(() => setRodata(obj, "slice_ns", "fast"))).toContain("is not an integer");
    expect(loadError(() => setRodata(obj, "verbose", "maybe"))).toContain("is not true/false");
    expect(loadError(() => setRodata(obj, "label", "12345678"))).toContain("longer than 7 characters");
    expect(loadError(() => setRodata(obj, "slice", 1))).toBe("ld_basic.bpf.o: unknown option slice; valid: slice_ns, nr_cpus, bias, label, __SCX_DSQ_LOCAL, __SCX_TASK_CURSOR, __SCX_NOT_IN_MODEL, verbose, table");
    obj.sealRodata();
    expect(loadError(() => setRodata(obj, "slice_ns", 1))).toContain("sealed");
  });

  it("initScxEnums fills __SCX_* .rodata variables with the model's enum values and names those it lacks", () => {
    const obj = load();
    expect(initScxEnums(obj)).toEqual(["__SCX_NOT_IN_MODEL"]);
    const at = (off: number): bigint => obj.memory.readU64(obj.mapValueAddr(mapIndex(obj, ".rodata"), off));
    expect([at(24), at(32), at(40)]).toEqual([kernelEnumValue("SCX_DSQ_LOCAL"), BigInt.asUintN(64, kernelEnumValue("SCX_TASK_CURSOR")), 0n]);
  });

  it("resizeArray grows a RESIZABLE_ARRAY-style global (its own last variable) keeping its bytes, before sealing", () => {
    const obj = load();
    const i = mapIndex(obj, ".data.resizable");
    obj.resizeArray("resizable", 8);
    expect(obj.maps[i]!.def.spec.valueSize).toBe(64);
    expect(obj.globals.find((v) => v.name === "resizable")!.size).toBe(64);
    const base = obj.mapValueAddr(i, 0);
    expect(obj.memory.readU64(base)).toBe(42n);
    expect(obj.memory.readU64(base + 56)).toBe(0n);
    expect(obj.memory.accessible(base + 56, 8, true)).toBe(true);
    expect(obj.memory.accessible(base + 64, 8, false)).toBe(false);
    expect(loadError(() => obj.resizeArray("counter", 2))).toBe("ld_basic.bpf.o: resize counter: u64 is not an array");
    expect(loadError(() => obj.resizeArray("uei", 2))).toContain("is not an array");
    expect(loadError(() => obj.resizeArray("resizable", 0))).toContain("0 elements is not 1..");
    obj.sealRodata();
    expect(loadError(() => obj.resizeArray("resizable", 4))).toContain("sealed");
  });

  it("refuses at load, in one line naming it: a missing strong kfunc or kernel variable, an unsupported map type, an unknown kconfig, an ops member the model lacks", () => {
    expect(loadError(() => load([], ["scx_bpf_create_dsq"]))).toBe(
      "ld_basic.bpf.o: kfunc scx_bpf_create_dsq is not provided by scxlab (declare it __weak to test for it with bpf_ksym_exists)");
    expect(loadError(() => load(["-DWITH_STRONG_KSYM_VAR"]))).toBe(
      "ld_basic.bpf.o: kernel variable scxlab_strong_var is not provided by scxlab (declare it __weak to read NULL)");
    expect(loadError(() => load(["-DWITH_BLOOM"]))).toBe("ld_basic.bpf.o: map bloom: unsupported map type BPF_MAP_TYPE_BLOOM_FILTER");
    expect(loadError(() => load(["-DWITH_BAD_KCONFIG"]))).toContain("kconfig extern CONFIG_SCXLAB_UNKNOWN is not set");
    expect(loadError(() => load(["-DWITH_FUTURE_MEMBER"]))).toBe("ld_basic.bpf.o: .struct_ops.link: ld_ops.scxlab_future is not a member of scxlab's sched_ext_ops");
  });
});

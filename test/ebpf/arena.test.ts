/**
 * BPF arenas (kernel/bpf/arena.c, the verifier's addr_space_cast and the JIT's PROBE_MEM32
 * accesses): our eng_arena.bpf.c run through the loader and the engine, misuse the kernel
 * refuses, and hand-assembled casts.
 */
import { describe, expect, it } from "vitest";
import { compileProgram } from "../../sim/ebpf/engine.js";
import { ALU, CLS } from "../../sim/ebpf/isa.js";
import { ArenaMap } from "../../sim/ebpf/maps/arena.js";
import { BPF_F_MMAPABLE, BPF_MAP_TYPE_ARENA } from "../../sim/ebpf/maps/map_types.js";
import { BpfMemory } from "../../sim/ebpf/memory.js";
import { BpfCallArgs, BpfLoadError, BpfRuntimeError, type BpfEnv } from "../../sim/ebpf/program.js";
import { arenaKfuncs } from "../../sim/ebpf/helpers/arena_kfuncs.js";
import { BpfObjectError, loadBpfObject, type BpfObject } from "../../sim/ebpf/obj/index.js";
import { aluR, exit, ldx, mov64, program, testEnv } from "./asm.js";
import { clangTestsEnabled, compileBpf } from "./clang.js";

const PAGE = 4096;
const START = 2 ** 40;

function load(flags: readonly string[] = [], file = "eng_arena.bpf.c"): BpfObject {
  return loadBpfObject(compileBpf(file, flags), file, new BpfMemory());
}

/** Run SEC("syscall") `name` of `obj` with a u64 context of `words` (inputs); returns R0 and the context after. */
function run(obj: BpfObject, name: string, words: readonly number[] = []): { r0: number; ctx: bigint[] } {
  const p = obj.programs.get(name)!;
  const kf = new Map(arenaKfuncs((addr) => obj.mapByAddr(addr)?.store, () => 1));
  const env: BpfEnv = {
    memory: obj.memory,
    helper: () => undefined,
    kfunc: (i) => kf.get(p.kfuncNames[i]!),
    mapAddr: (i) => obj.mapAddr(i),
    mapValueAddr: (i, off) => obj.mapValueAddr(i, off),
  };
  const n = 16;
  const ctx = obj.memory.alloc(8 * n, { name: "ctx", writable: true, kind: "ctx" });
  words.forEach((w, i) => obj.memory.writeU64(ctx + 8 * i, BigInt(w)));
  const r0 = compileProgram(p, env).run(ctx);
  return { r0, ctx: Array.from({ length: n }, (_, i) => obj.memory.readU64(ctx + 8 * i)) };
}

function arenaOfObj(obj: BpfObject): ArenaMap {
  const m = obj.mapByName("arena")!;
  expect(m.store).toBeInstanceOf(ArenaMap);
  return m.store as ArenaMap;
}

describe.runIf(clangTestsEnabled())("BPF arenas: eng_arena.bpf.c (kernel/bpf/arena.c semantics)", () => {
  it("bpf_arena_alloc_pages hands out zeroed pages first-fit below the globals; loads and stores through the pointer reach them", () => {
    const obj = load();
    const a = arenaOfObj(obj);
    expect(a.userVmStart).toBe(START);
    // The 4-word globals take the arena's last page, as libbpf places them.
    expect(a.isMapped(15)).toBe(true);
    const one = run(obj, "alloc_rw", [1]);
    expect(one.r0).toBe(0);
    expect(one.ctx[1]).toBe(BigInt(START));
    expect(one.ctx[2]).toBe(0x1122334455667788n);
    expect(one.ctx[3]).toBe(99n);
    const two = run(obj, "alloc_rw", [2]);
    expect(two.ctx[1]).toBe(BigInt(START + PAGE)); // the next free run: pages 1-2
    expect(two.ctx[3]).toBe(99n); // the last word of the second page: one contiguous allocation
    expect(a.size()).toBe(1 + 1 + 2);
  });

  it("a page nobody allocated reads 0 and swallows writes (an atomic there fetches 0); a freed page reads 0 again", () => {
    const obj = load();
    const { r0, ctx } = run(obj, "unmapped");
    expect(r0).toBe(0);
    expect(ctx[1]).toBe(0n);
    expect(ctx[2]).toBe(0n);
    expect(ctx[3]).toBe(0n);
    expect(ctx[4]).toBe(0n); // not the 3 the first add left in the sink
    expect(arenaOfObj(obj).isMapped(0)).toBe(false);
  });

  it("__arena globals: initial values, an atomic add and a store through ld_imm64's user address", () => {
    const obj = load();
    const first = run(obj, "globals");
    expect(first.ctx[1]).toBe(33n);
    expect(first.ctx[2]).toBe(6n);
    // table follows hits in the section; both live in the arena's last page.
    const table = Number(first.ctx[3]);
    expect(table).toBeGreaterThanOrEqual(START + 15 * PAGE);
    expect(table).toBeLessThan(START + 16 * PAGE);
    expect(run(obj, "globals").ctx[2]).toBe(12n);
  });

  it("a linked list of __arena pointers is walked through casts at every step", () => {
    const obj = load();
    const { r0, ctx } = run(obj, "list", [40]);
    expect(r0).toBe(0);
    expect(ctx[1]).toBe(BigInt((40 * 41) / 2));
  });

  it("addr_space_cast both ways: to 0 and back gives the user address; NULL stays NULL", () => {
    const obj = load();
    const { r0, ctx } = run(obj, "casts", [0]);
    expect(r0).toBe(0);
    expect(ctx[1]).toBe(BigInt(START + PAGE));
    expect(ctx[2]).toBe(1n);
    expect(ctx[3]).toBe(1234n);
    expect(ctx[5]).toBe(0n);
  });

  it("placement: a taken, misaligned or oversized request, or flags, give NULL; reserved pages are skipped until freed", () => {
    const obj = load();
    const at = START + 4 * PAGE;
    const { ctx } = run(obj, "placement", [at]);
    expect(ctx[1]).toBe(BigInt(at));
    expect(ctx[2]).toBe(0n);
    expect(ctx[3]).toBe(0n);
    expect(ctx[4]).toBe(0n);
    expect(ctx[5]).toBe(0n);
    expect(ctx[6]).toBe(0n); // reserved
    expect(ctx[7]).toBe(0n); // not allocatable while reserved
    expect(BigInt.asIntN(64, ctx[8])).toBe(-114n); // -EALREADY
    expect(ctx[9]).toBe(BigInt(at + PAGE)); // freed, then allocatable
  });

  it("bpf_arena_alloc_pages: NUMA_NO_NODE or a node that exists allocates, another node gives NULL", () => {
    const obj = load();
    const alloc = new Map(arenaKfuncs((addr) => obj.mapByAddr(addr)?.store, () => 2)).get("bpf_arena_alloc_pages")!;
    const a = new BpfCallArgs();
    const call = (node: number): number => {
      a.lo[1] = obj.mapByName("arena")!.addr; a.hi[1] = 0;
      a.lo[2] = 0; a.hi[2] = 0; a.lo[3] = 1; a.lo[4] = node; a.lo[5] = 0; a.hi[5] = 0;
      return alloc(a);
    };
    expect(call(2)).toBe(0);
    expect(call(-2)).toBe(0);
    expect(call(1)).toBe(START);
    expect(call(-1)).toBe(START + PAGE);
  });
});

describe.runIf(clangTestsEnabled())("BPF arenas: definitions and objects the kernel or libbpf refuse (one line, no crash)", () => {
  const refused = (flags: readonly string[], file = "eng_arena.bpf.c"): string => {
    try {
      load(flags, file);
    } catch (e) {
      expect(e).toBeInstanceOf(BpfObjectError);
      return (e as Error).message;
    }
    throw new Error("expected the load to fail");
  };
  it("without BPF_F_MMAPABLE", () => expect(refused(["-DARENA_FLAGS=0"])).toMatch(/map arena: .*needs map_flags BPF_F_MMAPABLE/));
  it("with no pages or more than 4 GiB of them", () => {
    expect(refused(["-DARENA_PAGES=0"])).toMatch(/map arena: .*max_entries \(pages\) 1\.\.1048576, not 0/);
    expect(refused(["-DARENA_PAGES=1048577"])).toMatch(/not 1048577/);
  });
  it("a user address that is misaligned or whose range crosses a 4 GiB boundary", () => {
    expect(refused(["-DARENA_START=0x10000000008ull"])).toMatch(/not page-aligned/);
    expect(refused(["-DARENA_START=0x1fffff000ull"])).toMatch(/crosses a 4 GiB boundary/);
  });
  it("two arenas in one object", () => expect(refused(["-DSECOND_ARENA"])).toMatch(/arena and arena2 are both arenas/));
  it("__arena globals with no arena map", () => expect(refused([], "eng_arena_orphan.bpf.c")).toMatch(/__arena globals need an arena map/));
});

describe("addr_space_cast and arena pointers, hand-assembled", () => {
  const cast = (dst: number, src: number, imm: number): Uint8Array => {
    const b = aluR(CLS.ALU64, ALU.MOV, dst, src, 1);
    new DataView(b.buffer).setInt32(4, imm, true);
    return b;
  };
  const withArena = (): { memory: BpfMemory; arena: ArenaMap } => {
    const memory = new BpfMemory();
    const arena = new ArenaMap({ name: "a", type: BPF_MAP_TYPE_ARENA, keySize: 0, valueSize: 0, maxEntries: 4, mapFlags: BPF_F_MMAPABLE }, memory, START);
    return { memory, arena };
  };

  it("is refused at load in a program whose object has no arena (the verifier's rule)", () => {
    expect(() => compileProgram(program([cast(0, 1, 1), exit()]), testEnv())).toThrow(BpfLoadError);
    expect(() => compileProgram(program([cast(0, 1, 1), exit()]), testEnv())).toThrow(/no arena/);
  });

  it("is refused for address spaces other than 0 and 1", () => {
    const env = testEnv({}, withArena().memory);
    expect(() => compileProgram(program([cast(0, 1, 2), exit()]), env)).toThrow(/from address space 2 to 0/);
    expect(() => compileProgram(program([cast(0, 1, 2 << 16), exit()]), env)).toThrow(/to 2/);
  });

  it("a pointer with a high half that is not the arena's faults as a wild access, naming the instruction", () => {
    const env = testEnv({}, withArena().memory);
    // r1 = ctx (< 2^32); r1 |= 5 << 32 gives a high half that is no arena's; then load through it.
    const prog = program([mov64(2, 5), mov64(4, 32), aluR(CLS.ALU64, ALU.LSH, 2, 4), aluR(CLS.ALU64, ALU.OR, 1, 2), ldx(8, 0, 1, 0), exit()]);
    const ctx = env.memory.alloc(8, { name: "ctx", writable: false, kind: "ctx" });
    const run = (): number => compileProgram(prog, env).run(ctx);
    expect(run).toThrow(BpfRuntimeError);
    expect(run).toThrow(/invalid read of 8 bytes/);
  });

  it("cast to 0 of an arena page loads what the host stored there; to 1 restores the user address", () => {
    const { memory, arena } = withArena();
    const env = testEnv({}, memory);
    // Page 0's low 32 bits are 0 here: cast to address space 0 and back, it reads as NULL (the
    // kernel's JIT keeps only the low half), so the round trip is checked on page 1.
    expect(arena.allocPages(1)).toBe(START);
    const user = arena.allocPages(1);
    memory.writeU64(arena.at(arena.hi, arena.lo + PAGE + 16, 0, 1), 777n);
    // r1 = ctx; r2 = *(u64 *)(r1 + 0) (the user address); r3 = cast(r2, 0, 1); r0 = *(u64 *)(r3 + 16)
    const prog = program([ldx(8, 2, 1, 0), cast(3, 2, 1), ldx(8, 0, 3, 16), exit()]);
    const ctx = memory.alloc(8, { name: "ctx", writable: true, kind: "ctx" });
    memory.writeU64(ctx, BigInt(user));
    const compiled = compileProgram(prog, env);
    expect(compiled.run(ctx)).toBe(777);
    const back = program([ldx(8, 2, 1, 0), cast(3, 2, 1), cast(0, 3, 1 << 16), exit()]);
    const c2 = compileProgram(back, env);
    c2.run(ctx);
    expect(c2.lastR0()).toBe(BigInt(user));
    memory.writeU64(ctx, BigInt(START));
    c2.run(ctx);
    expect(c2.lastR0()).toBe(0n);
  });
});

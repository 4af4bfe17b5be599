import { describe, expect, it } from "vitest";
import { compileProgram } from "../../sim/ebpf/engine.js";
import { BpfMemory } from "../../sim/ebpf/memory.js";
import { BpfObjectError, KERNEL_BTF, kernelEnumValue, kernelField, loadBpfObject } from "../../sim/ebpf/obj/index.js";
import { clangTestsEnabled, compileBpf } from "./clang.js";

describe.runIf(clangTestsEnabled())("CO-RE relocations against scxlab's kernel model (ld_core.bpf.c)", () => {
  it("every relocation kind 0-12 resolves to the model's answer when the program runs in the engine", () => {
    const memory = new BpfMemory();
    const obj = loadBpfObject(compileBpf("ld_core.bpf.c"), "ld_core.bpf.o", memory);
    const region = (name: string, struct: string): number =>
      memory.alloc(KERNEL_BTF.sizeOf(KERNEL_BTF.find("struct", struct)!) + 64, { name, writable: true, kind: "kernel_object" });
    const task = region("task", "task_struct"), dsq = region("dsq", "scx_dispatch_q"), mask = region("mask", "cpumask");
    const cg = region("cgroup", "cgroup"), kn = region("kn", "kernfs_node");
    const put = (base: number, struct: string, path: string, v: bigint): void => {
      const f = kernelField(struct, path);
      const b = memory.hostBytes(base + f.offset, f.size);
      for (let i = 0; i < f.size; i++) b[i] = Number((v >> BigInt(8 * i)) & 0xffn);
    };
    put(task, "task_struct", "pid", 4242n);
    put(task, "task_struct", "scx.dsq_vtime", 987654321987n);
    put(task, "task_struct", "scx.dsq", BigInt(dsq));
    put(task, "task_struct", "cpus_ptr", BigInt(mask));
    memory.hostBytes(task + kernelField("task_struct", "comm").offset, 4).set([0x77, 0x65, 0x62, 0]); // "web"
    put(dsq, "scx_dispatch_q", "id", 77n);
    put(mask, "cpumask", "bits", 0b1011n);
    put(cg, "cgroup", "level", 1n);
    put(cg, "cgroup", "kn", BigInt(kn));
    memory.writeU64(cg + kernelField("cgroup", "ancestors").offset + 8, 0xabcdefn);
    put(kn, "kernfs_node", "id", 31337n);
    const ctx = memory.alloc(16, { name: "ctx", writable: false, kind: "ctx" });
    memory.hostBytes(ctx, 16).set(new Uint8Array(new BigUint64Array([BigInt(task), BigInt(cg)]).buffer));

    const env = {
      memory, helper: () => undefined, kfunc: () => undefined,
      mapAddr: (i: number) => obj.mapAddr(i), mapValueAddr: (i: number, off: number) => obj.mapValueAddr(i, off),
    };
    expect(compileProgram(obj.programs.get("ld_core")!, env).run(ctx)).toBe(0);
    const bss = obj.mapValueAddr(obj.mapByName(".bss")!.index, 0);
    const out = Array.from({ length: 27 }, (_, i) => memory.readU64(bss + 8 * i));
    const u = (n: number): bigint => BigInt(n);
    expect(out).toEqual([
      4242n, 987654321987n, 77n, 16n, 0n, 1n, 1n, 32n, 32n, u(kernelField("task_struct", "scx.slice").offset),
      u(obj.btf.find("struct", "task_struct")!), u(KERNEL_BTF.find("struct", "task_struct")!), 0n, 1n, 32n, 1n,
      kernelEnumValue("SCX_DSQ_LOCAL"), 1n, 4242n, 31337n, 1n, 0x65n, 0n, 0b1011n, 2n, 0xabcdefn,
      7n, // the read of the missing field sits behind FIELD_EXISTS = 0: dead, so the program loads
    ]);
    // The store through p->scx.slice landed where the model keeps it.
    expect(memory.readU64(task + kernelField("task_struct", "scx.slice").offset)).toBe(12345n);
  });

  it("reading a field the model lacks where it can run is refused at load, naming the field", () => {
    let msg = "";
    try {
      loadBpfObject(compileBpf("ld_core.bpf.c", ["-DREAD_MISSING"]), "ld_core.bpf.o", new BpfMemory());
    } catch (e) {
      expect(e).toBeInstanceOf(BpfObjectError);
      msg = (e as Error).message;
    }
    expect(msg).toMatch(/^ld_core\.bpf\.o: struct_ops\/ld_core_bad: insn \d+: CO-RE FIELD_BYTE_OFFSET: field task_struct\.nonexistent_field is not in scxlab's kernel model$/);
  });
});

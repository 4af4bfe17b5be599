import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { E2BIG, EEXIST, EINVAL, ENOENT } from "../../sim/bpf/errno.js";
import { BpfMemory } from "../../sim/ebpf/memory.js";
import { createMapStore } from "../../sim/ebpf/maps/create.js";
import {
  BPF_ANY, BPF_EXIST, BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_CGRP_STORAGE, BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_LRU_HASH,
  BPF_MAP_TYPE_PERCPU_ARRAY, BPF_MAP_TYPE_PERCPU_HASH, BPF_MAP_TYPE_TASK_STORAGE, BPF_NOEXIST,
  BPF_MAP_TYPE_QUEUE, BPF_MAP_TYPE_STACK,
  type BpfMapSpec, type KeyedMap, type LocalStorageMap,
} from "../../sim/ebpf/maps/map_types.js";

function setup(spec: Partial<BpfMapSpec> & { type: number }): { mem: BpfMemory; key: number; val: number; map: KeyedMap } {
  const mem = new BpfMemory();
  const full: BpfMapSpec = { name: "m", keySize: 4, valueSize: 8, maxEntries: 4, mapFlags: 0, ...spec };
  const map = createMapStore(full, mem, { nrCpus: 2 });
  if (typeof map === "string" || map.storage !== "keyed") throw new Error(String(map));
  const key = mem.alloc(16, { name: "key", writable: true, kind: "stack" });
  const val = mem.alloc(16, { name: "val", writable: true, kind: "stack" });
  return { mem, key, val, map };
}

function storage(type: number): { mem: BpfMemory; map: LocalStorageMap; val: number } {
  const mem = new BpfMemory();
  const map = createMapStore({ name: "s", type, keySize: 4, valueSize: 8, maxEntries: 0, mapFlags: 1 }, mem, { nrCpus: 1 });
  if (typeof map === "string" || map.storage !== "local") throw new Error(String(map));
  return { mem, map, val: mem.alloc(8, { name: "val", writable: true, kind: "stack" }) };
}

describe("map stores", () => {
  it("array: elements exist from the start, NOEXIST is -EEXIST, out of range is -E2BIG/NULL, delete is -EINVAL", () => {
    const { mem, key, val, map } = setup({ type: BPF_MAP_TYPE_ARRAY });
    mem.writeU32(key, 3);
    const a = map.lookup(key, 0);
    expect(a).not.toBe(0);
    expect(mem.readU64(a)).toBe(0n);
    mem.writeU64(val, 99n);
    expect(map.update(key, val, BPF_ANY, 0)).toBe(0);
    expect(mem.readU64(map.lookup(key, 0))).toBe(99n);
    expect(map.lookup(key, 0)).toBe(a); // values stay at their address
    expect(map.update(key, val, BPF_NOEXIST, 0)).toBe(-EEXIST);
    expect(map.update(key, val, BPF_EXIST, 0)).toBe(0);
    expect(map.update(key, val, 3, 0)).toBe(-EINVAL);
    expect(map.delete(key)).toBe(-EINVAL);
    mem.writeU32(key, 4);
    expect(map.lookup(key, 0)).toBe(0);
    expect(map.update(key, val, BPF_ANY, 0)).toBe(-E2BIG);
  });

  it("array values are separate regions: reading past one element faults instead of reaching the next", () => {
    const { mem, key, map } = setup({ type: BPF_MAP_TYPE_ARRAY, valueSize: 8 });
    mem.writeU32(key, 0);
    const a = map.lookup(key, 0);
    expect(mem.accessible(a, 8, true)).toBe(true);
    expect(mem.accessible(a + 8, 8, false)).toBe(false);
  });

  it("percpu_array: each CPU has its own zeroed copy; lookup_percpu_elem reaches any CPU and refuses a bad one", () => {
    const { mem, key, val, map } = setup({ type: BPF_MAP_TYPE_PERCPU_ARRAY });
    mem.writeU32(key, 1);
    mem.writeU64(val, 5n);
    expect(map.update(key, val, BPF_ANY, 1)).toBe(0);
    expect(mem.readU64(map.lookup(key, 0))).toBe(0n);
    expect(mem.readU64(map.lookup(key, 1))).toBe(5n);
    expect(map.lookupPercpu(key, 1)).toBe(map.lookup(key, 1));
    expect(map.lookupPercpu(key, 2)).toBe(0);
  });

  it("hash: NOEXIST/EXIST follow the kernel, a full map is -E2BIG, delete of a missing key is -ENOENT", () => {
    const { mem, key, val, map } = setup({ type: BPF_MAP_TYPE_HASH, keySize: 8, maxEntries: 2 });
    const k = (v: bigint): number => { mem.writeU64(key, v); return key; };
    mem.writeU64(val, 1n);
    expect(map.update(k(1n << 60n), val, BPF_EXIST, 0)).toBe(-ENOENT);
    expect(map.update(k(1n << 60n), val, BPF_NOEXIST, 0)).toBe(0);
    expect(map.update(k(1n << 60n), val, BPF_NOEXIST, 0)).toBe(-EEXIST);
    expect(map.update(k(2n), val, BPF_ANY, 0)).toBe(0);
    expect(map.update(k(3n), val, BPF_ANY, 0)).toBe(-E2BIG);
    expect(map.delete(k(3n))).toBe(-ENOENT);
    expect(map.delete(k(2n))).toBe(0);
    expect(map.update(k(3n), val, BPF_ANY, 0)).toBe(0);
    expect(map.size()).toBe(2);
    expect(mem.readU64(map.lookup(k(1n << 60n), 0))).toBe(1n);
  });

  it("lru_hash: a full map evicts the least recently used key", () => {
    const { mem, key, val, map } = setup({ type: BPF_MAP_TYPE_LRU_HASH, maxEntries: 2 });
    const k = (v: number): number => { mem.writeU32(key, v); return key; };
    expect(map.update(k(1), val, BPF_ANY, 0)).toBe(0);
    expect(map.update(k(2), val, BPF_ANY, 0)).toBe(0);
    expect(map.lookup(k(1), 0)).not.toBe(0); // 1 is now the most recent
    expect(map.update(k(3), val, BPF_ANY, 0)).toBe(0);
    expect(map.lookup(k(2), 0)).toBe(0);
    expect(map.lookup(k(1), 0)).not.toBe(0);
    expect(map.lookup(k(3), 0)).not.toBe(0);
  });

  it("percpu_hash: a new key is this CPU's value and zero on the others", () => {
    const { mem, key, val, map } = setup({ type: BPF_MAP_TYPE_PERCPU_HASH });
    mem.writeU32(key, 9);
    mem.writeU64(val, 42n);
    expect(map.update(key, val, BPF_ANY, 1)).toBe(0);
    expect(mem.readU64(map.lookupPercpu(key, 1))).toBe(42n);
    expect(mem.readU64(map.lookupPercpu(key, 0))).toBe(0n);
  });

  it("task_storage and cgrp_storage: get creates only with F_CREATE (from an initial value), delete then -ENOENT", () => {
    for (const type of [BPF_MAP_TYPE_TASK_STORAGE, BPF_MAP_TYPE_CGRP_STORAGE]) {
      const { mem, map, val } = storage(type);
      const owner = 0x5000;
      expect(map.get(owner, 0, 0)).toBe(0);
      mem.writeU64(val, 7n);
      const a = map.get(owner, val, 1);
      expect(mem.readU64(a)).toBe(7n);
      expect(map.get(owner, 0, 0)).toBe(a);
      expect(map.get(0, 0, 1)).toBe(0);
      expect(map.get(owner + 8, 0, 2)).toBe(0); // unknown flag
      expect(map.delete(owner)).toBe(0);
      expect(map.delete(owner)).toBe(-ENOENT);
      expect(mem.readU64(map.get(owner, 0, 1))).toBe(0n); // recycled value starts zeroed
    }
  });

  it("queue is FIFO and stack LIFO; full is -E2BIG unless BPF_EXIST drops the oldest; empty pops are -ENOENT", () => {
    for (const [type, order] of [[BPF_MAP_TYPE_QUEUE, [2, 3]], [BPF_MAP_TYPE_STACK, [3, 2]]] as const) {
      const mem = new BpfMemory();
      const q = createMapStore({ name: "q", type, keySize: 0, valueSize: 4, maxEntries: 2, mapFlags: 0 }, mem, { nrCpus: 1 });
      if (typeof q === "string" || q.storage !== "queue") throw new Error(String(q));
      const v = mem.alloc(4, { name: "v", writable: true, kind: "stack" });
      const push = (x: number, flags = 0): number => { mem.writeU32(v, x); return q.push(v, flags); };
      const pop = (): number => (q.pop(v) === 0 ? mem.readU32(v) : -1);
      expect([push(1), push(2), push(3)]).toEqual([0, 0, -E2BIG]);
      expect(push(3, BPF_EXIST)).toBe(0); // drops 1, the oldest
      expect(push(4, 7)).toBe(-EINVAL);
      expect(q.peek(v) === 0 ? mem.readU32(v) : -1).toBe(order[0]);
      expect([pop(), pop(), pop()]).toEqual([...order, -1]);
      expect(q.pop(v)).toBe(-ENOENT);
    }
  });

  it("definitions the kernel would refuse are rejected in one line", () => {
    const mem = new BpfMemory();
    const make = (s: Partial<BpfMapSpec> & { type: number }): unknown =>
      createMapStore({ name: "m", keySize: 4, valueSize: 8, maxEntries: 4, mapFlags: 0, ...s }, mem, { nrCpus: 1 });
    expect(make({ type: BPF_MAP_TYPE_ARRAY, keySize: 8 })).toBe("map m: BPF_MAP_TYPE_ARRAY needs a 4-byte key, not 8");
    expect(make({ type: BPF_MAP_TYPE_HASH, maxEntries: 0 })).toBe("map m: BPF_MAP_TYPE_HASH needs max_entries > 0");
    expect(make({ type: BPF_MAP_TYPE_TASK_STORAGE, maxEntries: 0 })).toBe("map m: BPF_MAP_TYPE_TASK_STORAGE needs map_flags BPF_F_NO_PREALLOC");
    expect(make({ type: 30 })).toBe("map m: unsupported map type BPF_MAP_TYPE_BLOOM_FILTER");
    // ringbuf_map_alloc: no key or value, a power-of-2 number of pages
    expect(make({ type: 27 })).toBe("map m: BPF_MAP_TYPE_RINGBUF takes no key or value (key_size and value_size 0)");
    expect(make({ type: 27, keySize: 0, valueSize: 0, maxEntries: 6000 })).toMatch(/^map m: BPF_MAP_TYPE_RINGBUF needs max_entries a power of 2 from 4096/);
    expect(typeof make({ type: 27, keySize: 0, valueSize: 0, maxEntries: 8192 })).toBe("object");
    expect(make({ type: BPF_MAP_TYPE_ARRAY, maxEntries: 1 << 30 })).toBe("map m: 1073741824 entries is more than scxlab allows for an array (1048576)");
    expect(make({ type: BPF_MAP_TYPE_ARRAY, maxEntries: 1 << 16, valueSize: 4096 })).toMatch(/^map m: 65536 × 4096-byte values is more than scxlab allocates/);
  });

  it("hash behaves like a bounded dictionary under any sequence of update/delete/lookup", () => {
    const op = fc.record({ kind: fc.constantFrom("update", "delete", "lookup"), key: fc.integer({ min: 0, max: 9 }), flags: fc.constantFrom(BPF_ANY, BPF_NOEXIST, BPF_EXIST), v: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }) });
    fc.assert(fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
      const { mem, key, val, map } = setup({ type: BPF_MAP_TYPE_HASH, maxEntries: 5 });
      const model = new Map<number, bigint>();
      for (const o of ops) {
        mem.writeU32(key, o.key);
        if (o.kind === "update") {
          mem.writeU64(val, o.v);
          const has = model.has(o.key);
          const want = o.flags === BPF_NOEXIST && has ? -EEXIST : o.flags === BPF_EXIST && !has ? -ENOENT : !has && model.size >= 5 ? -E2BIG : 0;
          expect(map.update(key, val, o.flags, 0)).toBe(want);
          if (want === 0) model.set(o.key, o.v);
        } else if (o.kind === "delete") {
          expect(map.delete(key)).toBe(model.delete(o.key) ? 0 : -ENOENT);
        } else {
          const a = map.lookup(key, 0);
          expect(a === 0 ? undefined : mem.readU64(a)).toBe(model.get(o.key));
        }
      }
      expect(map.size()).toBe(model.size);
    }));
  });
});

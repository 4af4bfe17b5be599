/**
 * BPF_MAP_TYPE_TASK_STORAGE and CGRP_STORAGE: one value per owner, the owner being a task or a
 * cgroup named by the address of its kernel-object mirror. Values are created on demand by
 * `bpf_*_storage_get(..., F_CREATE)` and recycled when deleted or when the owner goes away.
 */
import { ENOENT } from "../../bpf/errno.js";
import type { BpfAddr, BpfMemory } from "../memory.js";
import { copyValue, zeroValue } from "./key.js";
import { BPF_LOCAL_STORAGE_GET_F_CREATE, type BpfMapSpec, type LocalStorageMap } from "./map_types.js";

export class LocalStorage implements LocalStorageMap {
  readonly storage = "local";
  private readonly values = new Map<BpfAddr, BpfAddr>();
  private readonly free: BpfAddr[] = [];

  constructor(
    readonly spec: BpfMapSpec,
    private readonly mem: BpfMemory,
  ) {}

  get(owner: BpfAddr, initAddr: BpfAddr, flags: number): BpfAddr {
    if (owner === 0 || (flags & ~BPF_LOCAL_STORAGE_GET_F_CREATE) !== 0) return 0;
    const v = this.values.get(owner);
    if (v !== undefined) return v;
    if ((flags & BPF_LOCAL_STORAGE_GET_F_CREATE) === 0) return 0;
    const a = this.free.pop() ?? this.mem.alloc(this.spec.valueSize, { name: `map ${this.spec.name}#${this.values.size}`, writable: true, kind: "map_value" });
    if (initAddr !== 0) copyValue(this.mem, a, initAddr, this.spec.valueSize);
    else zeroValue(this.mem, a, this.spec.valueSize);
    this.values.set(owner, a);
    return a;
  }

  delete(owner: BpfAddr): number {
    const v = this.values.get(owner);
    if (v === undefined) return -ENOENT;
    this.values.delete(owner);
    this.free.push(v);
    return 0;
  }

  forget(owner: BpfAddr): void {
    this.delete(owner);
  }

  size(): number {
    return this.values.size;
  }
}

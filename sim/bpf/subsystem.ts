/**
 * The kernel's side of struct_ops as one object: subsystems register types here, processes are
 * spawned here, and observers watch every reg/unreg/update through it.
 */
import { EEXIST, ENOTSUPP } from "./errno.js";
import type { StructOpsListener } from "./events.js";
import { BpfKernel, type Task } from "./bpf_kernel.js";
import type { LinkInfo } from "./link.js";
import type { MapInfo } from "./map.js";
import { MAX_MEMBERS, asError } from "./members.js";
import { Process, type SpawnOptions } from "./process.js";
import type { StructOpsType } from "./struct_ops_type.js";

export class BpfSubsystem {
  private readonly kernel = new BpfKernel();

  /**
   * Registers a struct_ops type (register_bpf_struct_ops): 0, -EEXIST for a taken name,
   * -ENOTSUPP for more than 64 members, or init's error (the type is then unusable).
   */
  registerStructOpsType<V extends object>(type: StructOpsType<V>): number {
    if (this.kernel.types.has(type.name)) return -EEXIST;
    if (type.members.length > MAX_MEMBERS) return -ENOTSUPP;
    const r = type.init?.() ?? 0;
    if (r !== 0) return asError(r);
    this.kernel.types.set(type.name, type);
    return 0;
  }

  /** The registered type with this name, if any. */
  findType(name: string): StructOpsType | undefined {
    return this.kernel.types.get(name);
  }

  /** A new process with stdio on fds 0-2 and nothing else open. */
  spawnProcess(name: string, opts: SpawnOptions = {}): Process {
    return new Process(this.kernel, name, opts);
  }

  /** Calls `listener` after every reg, unreg and update callback and every EPOLLHUP wake-up; returns an unsubscribe. */
  onEvent(listener: StructOpsListener): () => void {
    return this.kernel.subscribe(listener);
  }

  /** The task whose syscall (or exit) is running; "kernel" (pid 0) otherwise. Callbacks may read it. */
  get current(): Task {
    return this.kernel.current;
  }

  /** Every live map, by id (like `bpftool map list`). */
  listMaps(): MapInfo[] {
    return [...this.kernel.maps.values()].map((m) => m.info()).sort((a, b) => a.id - b.id);
  }

  /** Every visible link, by id. */
  listLinks(): LinkInfo[] {
    return [...this.kernel.links.values()].map((l) => l.info()).sort((a, b) => a.id - b.id);
  }

  /** Pinned paths, sorted. */
  listPins(): string[] {
    return [...this.kernel.pins.keys()].sort();
  }
}

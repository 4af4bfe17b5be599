/**
 * Kernel-side state shared by every process: registered types, the map/link id tables, bpffs pins,
 * the global struct_ops update mutex, the current task and the event stream. Internal to sim/bpf;
 * the public face is BpfSubsystem.
 */
import type { StructOpsEvent, StructOpsListener } from "./events.js";
import { IdCounter, type LinkId, type MapId } from "./ids.js";
import type { LinkObject } from "./link.js";
import type { StructOpsMap } from "./map.js";
import type { StructOpsLink, StructOpsType } from "./struct_ops_type.js";
import { EngineBug } from "../errors.js";

/** The task a kernel action runs on behalf of. */
export interface Task {
  readonly pid: number;
  readonly name: string;
}

/** Context for work no process asked for (e.g. a subsystem detaching a link on its own). */
export const KERNEL_TASK: Task = { pid: 0, name: "kernel" };

/** Something a file descriptor or a bpffs pin can refer to. */
export type BpfObject =
  | { readonly kind: "map"; readonly map: StructOpsMap }
  | { readonly kind: "link"; readonly link: LinkObject };

export class BpfKernel {
  readonly types = new Map<string, StructOpsType>();
  readonly maps = new Map<MapId, StructOpsMap>();
  /** Links become visible here only once fully created (bpf_link_settle). */
  readonly links = new Map<LinkId, LinkObject>();
  readonly pins = new Map<string, BpfObject>();
  readonly mapIds = new IdCounter<MapId>();
  readonly linkIds = new IdCounter<LinkId>();
  private readonly listeners = new Set<StructOpsListener>();
  private task: Task = KERNEL_TASK;
  private updateMutexHeld = false;
  private lastPid = 99;

  get current(): Task {
    return this.task;
  }

  allocPid(): number {
    return ++this.lastPid;
  }

  /** Runs `fn` with `task` as the current task, restoring the previous one after. */
  as<T>(task: Task, fn: () => T): T {
    const prev = this.task;
    this.task = task;
    try {
      return fn();
    } finally {
      this.task = prev;
    }
  }

  /**
   * The global update_mutex. Single-threaded, so it never blocks; a nested acquisition is a
   * callback re-entering link create/update/detach, which would deadlock a real kernel.
   */
  withUpdateMutex<T>(fn: () => T): T {
    if (this.updateMutexHeld) {
      throw new EngineBug("struct_ops update_mutex taken recursively (reg/unreg/update must not detach or update links)");
    }
    this.updateMutexHeld = true;
    try {
      return fn();
    } finally {
      this.updateMutexHeld = false;
    }
  }

  subscribe(listener: StructOpsListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  reg(map: StructOpsMap, link: StructOpsLink | null): number {
    const value = map.kdata();
    const result = map.type.reg(value, link);
    this.emit({ kind: "reg", type: map.type.name, mapId: map.id, linkId: link?.id ?? null, result, value });
    return result;
  }

  unreg(map: StructOpsMap, link: StructOpsLink | null): void {
    const value = map.kdata();
    map.type.unreg(value, link);
    this.emit({ kind: "unreg", type: map.type.name, mapId: map.id, linkId: link?.id ?? null, result: 0, value });
  }

  /** Calls the type's update; the caller has checked that it exists. */
  update(newMap: StructOpsMap, oldMap: StructOpsMap, link: StructOpsLink): number {
    const value = newMap.kdata();
    const result = newMap.type.update?.(value, oldMap.kdata(), link) ?? 0;
    this.emit({
      kind: "update", type: newMap.type.name, mapId: newMap.id, oldMapId: oldMap.id,
      linkId: link.id, result, value,
    });
    return result;
  }

  hup(map: StructOpsMap, link: StructOpsLink): void {
    this.emit({ kind: "hup", type: map.type.name, mapId: map.id, linkId: link.id, result: 0, value: map.kdata() });
  }

  private emit(e: Omit<StructOpsEvent, "process" | "pid">): void {
    const full: StructOpsEvent = { ...e, process: this.task.name, pid: this.task.pid };
    for (const l of this.listeners) l(full);
  }
}

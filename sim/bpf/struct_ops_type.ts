/**
 * The contract between the struct_ops framework and a subsystem (the kernel's struct bpf_struct_ops).
 * A value is a plain object (or class instance) whose function-valued members are the programs.
 */
import type { LinkId, MapId } from "./ids.js";

/** What a subsystem sees of a link: an identity to key per-link state by, and the detach hook. */
export interface StructOpsLink {
  readonly id: LinkId;
  /** The map the link is attached to, or 0 once detached (and while reg is still running). */
  readonly mapId: MapId | 0;
  /**
   * Subsystem-initiated detach (link->ops->detach): unreg now, EPOLLHUP to pollers. Returns 0, or
   * -ENOENT when the link is already being freed. Calling it from inside reg, unreg or update
   * would deadlock on the update mutex in the kernel, so here it throws.
   */
  detach(): number;
}

/** A struct_ops type registered by a subsystem; V is the ops value the subsystem consumes. */
export interface StructOpsType<V extends object = object> {
  /** e.g. "sched_ext_ops", "tcp_congestion_ops". */
  readonly name: string;
  /** Nominal value size in bytes; map create requires value_size to equal it. */
  readonly valueSize: number;
  /** Member names in declaration order; members are processed in this order on map update. */
  readonly members: readonly string[];
  /** Once at type registration; nonzero makes the type unusable (registration fails). */
  init?(): number;
  /** Stands in for the verifier's per-slot veto: nonzero rejects a program placed in `member`. */
  checkMember?(member: string): number;
  /**
   * The copy the kernel makes of the value at map update (uvalue into kvalue): what init_member,
   * validate and reg see from then on, so changing the caller's object later changes nothing.
   * Null when the value cannot be read (-EFAULT). Absent: the value itself is kept.
   */
  copyValue?(value: V): V | null;
  /** Per member on map update: <0 rejects the update, >0 means handled here, 0 leaves it to the framework. */
  initMember?(value: V, member: string): number;
  /** Whole-value check after all members are in; absent means accept. */
  validate?(value: V): number;
  /** Make the value live; nonzero refuses. `link` is null for a plain (non-link) map. */
  reg(value: V, link: StructOpsLink | null): number;
  /** Take it out of service; cannot fail. Called exactly once per successful reg. */
  unreg(value: V, link: StructOpsLink | null): void;
  /** Atomically replace a live link's value; absent makes links of this type non-updatable. */
  update?(newValue: V, oldValue: V, link: StructOpsLink): number;
}

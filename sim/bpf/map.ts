/**
 * A struct_ops map: one element (key 0) holding an ops value, a state machine
 * INIT -> INUSE -> TOBEFREE (plain maps) or INIT -> READY (BPF_F_LINK maps), and two reference
 * counts: all refs, and the user refs (fds and pins) among them.
 */
import { BPF_F_LINK, E2BIG, EBUSY, EFAULT, EINPROGRESS, EINVAL, ENOENT, EOPNOTSUPP } from "./errno.js";
import type { MapId } from "./ids.js";
import type { BpfKernel } from "./bpf_kernel.js";
import { asError, fillMembers } from "./members.js";
import type { StructOpsType } from "./struct_ops_type.js";
import { assert } from "../errors.js";

export type MapState = "INIT" | "INUSE" | "TOBEFREE" | "READY";
export type MapStateValue = 0 | 1 | 2 | 3;
/** The numbers user space reads in the value header's `state`. */
export const MAP_STATE_VALUE: Readonly<Record<MapState, MapStateValue>> = { INIT: 0, INUSE: 1, TOBEFREE: 2, READY: 3 };

/** The common header user space may send with a value; both fields must be zero. */
export interface ValueHeader {
  readonly state?: number;
  readonly refcnt?: number;
}

export interface MapLookupResult {
  readonly state: MapState;
  readonly stateValue: MapStateValue;
  /** Approximate in-kernel users: all refs minus user (fd and pin) refs. */
  readonly refcnt: number;
  /** The installed value, or null while INIT (the kernel returns all zeroes). */
  readonly value: object | null;
}

export interface MapInfo {
  readonly id: MapId;
  readonly type: "struct_ops";
  readonly valueType: string;
  readonly flags: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly state: MapState;
  readonly refcnt: number;
  readonly usercnt: number;
}

export interface MapShape {
  readonly flags: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
}

export class StructOpsMap {
  state: MapState = "INIT";
  private value: object | null = null;
  private refs = 0;
  private urefs = 0;
  private locked = false;

  constructor(
    private readonly kernel: BpfKernel,
    readonly id: MapId,
    readonly type: StructOpsType,
    readonly shape: MapShape,
  ) {}

  get isLink(): boolean {
    return (this.shape.flags & BPF_F_LINK) !== 0;
  }

  /** bpf_struct_ops_valid_to_reg: the only maps a link may point at. */
  get validToReg(): boolean {
    return this.isLink && this.state === "READY";
  }

  /** The value handed to the subsystem; only called once one is installed. */
  kdata(): object {
    assert(this.value !== null, `struct_ops map ${this.id} has no value`);
    return this.value;
  }

  /** Takes a reference; `user` marks an fd or pin reference. */
  get(user: boolean): void {
    this.refs++;
    if (user) this.urefs++;
  }

  /** Drops a reference; the last one frees the map (its id disappears). */
  put(user: boolean): void {
    if (user) this.urefs--;
    if (--this.refs === 0) this.kernel.maps.delete(this.id);
  }

  /** BPF_MAP_UPDATE_ELEM once the fd is resolved; checks in the kernel's order. */
  update(key: number, value: object, flags: number, header?: ValueHeader): number {
    if (flags !== 0) return -EINVAL;
    if (key !== 0) return -E2BIG;
    if ((header?.state ?? 0) !== 0 || (header?.refcnt ?? 0) !== 0) return -EINVAL;
    if (value === null || (typeof value !== "object" && typeof value !== "function")) return -EINVAL;
    if (this.locked) throw new Error(`struct_ops map ${this.id}: update re-entered from a callback (would deadlock)`);
    this.locked = true;
    try {
      return this.install(value);
    } finally {
      this.locked = false;
    }
  }

  private install(value: object): number {
    if (this.state !== "INIT") return -EBUSY;
    const kvalue = copyValue(this.type, value);
    if (kvalue === null) return -EFAULT;
    const r = checkValue(this.type, kvalue);
    if (r !== 0) return r;
    this.value = kvalue;
    if (this.isLink) {
      this.state = "READY";
      return 0;
    }
    let err: number = -EINVAL; // stays nonzero if reg throws, so the value is not left installed
    try {
      err = this.kernel.reg(this, null);
    } finally {
      if (err !== 0) this.value = null;
    }
    if (err !== 0) return asError(err);
    this.get(false); // the registration keeps the map alive after every fd is gone
    this.state = "INUSE";
    return 0;
  }

  /** BPF_MAP_DELETE_ELEM: the only way to unregister a plain map; the key is not looked at. */
  delete(): number {
    if (this.isLink) return -EOPNOTSUPP;
    switch (this.state) {
      case "INUSE":
        this.state = "TOBEFREE";
        this.kernel.unreg(this, null);
        this.put(false);
        return 0;
      case "TOBEFREE":
        return -EINPROGRESS;
      default:
        return -ENOENT;
    }
  }

  lookup(key: number): MapLookupResult | number {
    if (key !== 0) return -ENOENT;
    if (this.state === "INIT") return { state: "INIT", stateValue: 0, refcnt: 0, value: null };
    return {
      state: this.state,
      stateValue: MAP_STATE_VALUE[this.state],
      refcnt: Math.max(0, this.refs - this.urefs),
      value: this.value,
    };
  }

  info(): MapInfo {
    return {
      id: this.id, type: "struct_ops", valueType: this.type.name, ...this.shape,
      state: this.state, refcnt: this.refs, usercnt: this.urefs,
    };
  }
}

/** The type's copy of a value from user space (see StructOpsType.copyValue); null if unreadable. */
function copyValue(type: StructOpsType, value: object): object | null {
  if (type.copyValue === undefined) return value;
  try {
    return type.copyValue(value);
  } catch {
    return null;
  }
}

/**
 * The member pass and the type's validate over a value from user space. A value whose reads
 * throw (a getter, a Proxy) is memory the kernel could not copy: -EFAULT, as copy_from_user.
 */
function checkValue(type: StructOpsType, value: object): number {
  let r: number;
  try {
    r = fillMembers(type, value);
  } catch {
    return -EFAULT;
  }
  if (r !== 0) return r;
  const v = type.validate?.(value) ?? 0;
  return v !== 0 ? asError(v) : 0;
}

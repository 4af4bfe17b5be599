/**
 * sched_ext_ops as a struct_ops type: link-only in practice, never updatable. The value is
 * copied at the map write and its data members checked then (bpf_scx_init_member), so changing
 * the ops object afterwards changes nothing. reg enables the
 * scheduler (one at a time: -EBUSY otherwise); unreg, from a detach or the last fd of the link
 * closing (the loader exits or crashes), disables it with SCX_EXIT_UNREG. The instance a link
 * enabled is remembered per link, so a stale link's unreg never touches a newer scheduler.
 */
import type { Kernel } from "../kernel.js";
import type { StructOpsLink, StructOpsType } from "../bpf/index.js";
import { E2BIG, EINVAL, EOPNOTSUPP } from "../bpf/errno.js";
import { SCHED_EXT_CALLBACKS, SCHED_EXT_DATA, type SchedExtOps } from "./ops.js";
import { SCX_OPS_ALL_FLAGS, SCX_WATCHDOG_MAX_TIMEOUT_MS } from "./consts.js";
import { enableScx, disableScx } from "./lifecycle.js";
import { copyOps } from "./callbacks.js";

const CALLBACKS = SCHED_EXT_CALLBACKS;
/** bpf_obj_name_cpy: letters, digits, '_' and '.', at least one, within SCX_OPS_NAME_LEN. */
const OBJ_NAME = /^[A-Za-z0-9_.]{1,127}$/;
const INT_MAX = 0x7fff_ffff;
const DATA = SCHED_EXT_DATA;

/** Builds the sched_ext_ops struct_ops type bound to a kernel. */
export function schedExtOpsType(k: Kernel): StructOpsType<SchedExtOps> {
  /** `ops->priv`: the map's value (the copy made at its write) → the scheduler instance it last enabled. */
  const priv = new WeakMap<SchedExtOps, number>();
  /** The copy made at map update → the caller's object, `this` of its callbacks (the program's data). */
  const selves = new WeakMap<SchedExtOps, SchedExtOps>();
  return {
    name: "sched_ext_ops",
    valueSize: 1024,
    members: [...CALLBACKS, ...DATA],
    copyValue(value: SchedExtOps): SchedExtOps | null {
      const copy = copyOps(value);
      if (copy !== null) selves.set(copy, value);
      return copy;
    },
    // bpf_scx_init_member: the data members are checked as they are copied, at the map write.
    initMember(value: SchedExtOps, member: string): number {
      switch (member) {
        case "name":
          return typeof value.name === "string" && OBJ_NAME.test(value.name) ? 1 : -EINVAL;
        case "timeout_ms": {
          const t = value.timeout_ms ?? 0;
          if (!Number.isInteger(t) || t < 0) return -EINVAL;
          return t > SCX_WATCHDOG_MAX_TIMEOUT_MS ? -E2BIG : 1;
        }
        case "flags": {
          const f = value.flags ?? 0;
          if (!Number.isInteger(f) || f < 0) return -EINVAL;
          return f > 0xffff_ffff || ((f >>> 0) & ~SCX_OPS_ALL_FLAGS) !== 0 ? -EINVAL : 1;
        }
        case "dispatch_max_batch": {
          const b = value.dispatch_max_batch ?? 0;
          if (!Number.isInteger(b) || b < 0) return -EINVAL;
          return b > INT_MAX ? -E2BIG : 1;
        }
        case "exit_dump_len": {
          const v = value.exit_dump_len ?? 0;
          return Number.isInteger(v) && v >= 0 ? 1 : -EINVAL;
        }
        default:
          return 0;
      }
    },
    validate: () => 0,
    reg(value: SchedExtOps, link: StructOpsLink | null): number {
      const r = enableScx(k, value, selves.get(value) ?? value, link === null ? "struct_ops map registered" : "link created");
      if (r === 0) priv.set(value, k.ext.instance);
      k.settle();
      return r;
    },
    unreg(value: SchedExtOps): void {
      const inst = priv.get(value);
      if (inst === undefined || inst !== k.ext.instance || !k.ext.enabled) return;
      k.ext.requestExit("SCX_EXIT_UNREG", "");
      disableScx(k);
      k.settle();
    },
    update: () => -EOPNOTSUPP,
  };
}

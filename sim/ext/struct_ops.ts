/**
 * sched_ext_ops as a struct_ops type: link-only in practice, never updatable. reg enables the
 * scheduler (one at a time: -EBUSY otherwise); unreg, from a detach or the last fd of the link
 * closing (the loader exits or crashes), disables it with SCX_EXIT_UNREG. The instance a link
 * enabled is remembered per link, so a stale link's unreg never touches a newer scheduler.
 */
import type { Kernel } from "../kernel.js";
import type { StructOpsLink, StructOpsType } from "../bpf/index.js";
import { E2BIG, EINVAL, EOPNOTSUPP } from "../bpf/errno.js";
import { SCHED_EXT_CALLBACKS, SCHED_EXT_DATA, type SchedExtOps } from "./ops.js";
import { SCX_WATCHDOG_MAX_TIMEOUT_MS } from "./consts.js";
import { enableScx, disableScx } from "./lifecycle.js";

const CALLBACKS = SCHED_EXT_CALLBACKS;
const DATA = SCHED_EXT_DATA;

/** Builds the sched_ext_ops struct_ops type bound to a kernel. */
export function schedExtOpsType(k: Kernel): StructOpsType<SchedExtOps> {
  /** link id → scheduler instance it enabled. */
  const instances = new Map<number, number>();
  const keyOf = (link: StructOpsLink | null) => (link === null ? -1 : link.id);
  return {
    name: "sched_ext_ops",
    valueSize: 1024,
    members: [...CALLBACKS, ...DATA],
    initMember(value: SchedExtOps, member: string): number {
      switch (member) {
        case "name":
          return typeof value.name === "string" && /^[A-Za-z0-9_.-]{1,127}$/.test(value.name) ? 1 : -EINVAL;
        case "timeout_ms": {
          const t = value.timeout_ms ?? 0;
          if (!Number.isInteger(t) || t < 0) return -EINVAL;
          return t > SCX_WATCHDOG_MAX_TIMEOUT_MS ? -E2BIG : 1;
        }
        case "flags": case "dispatch_max_batch": case "exit_dump_len": {
          const v = value[member] ?? 0;
          return Number.isInteger(v) && v >= 0 ? 1 : -EINVAL;
        }
        default:
          return 0;
      }
    },
    validate: () => 0,
    reg(value: SchedExtOps, link: StructOpsLink | null): number {
      const r = enableScx(k, value, link === null ? "struct_ops map registered" : "link created");
      if (r === 0) instances.set(keyOf(link), k.ext.instance);
      k.settle();
      return r;
    },
    unreg(_value: SchedExtOps, link: StructOpsLink | null): void {
      const inst = instances.get(keyOf(link));
      instances.delete(keyOf(link));
      if (inst === undefined || inst !== k.ext.instance || !k.ext.enabled) return;
      k.ext.requestExit("SCX_EXIT_UNREG", "");
      disableScx(k);
      k.settle();
    },
    update: () => -EOPNOTSUPP,
  };
}

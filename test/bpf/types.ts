/**
 * Test doubles for struct_ops types, shaped after the kernel's: bpf_testmod_ops, tcp_congestion_ops,
 * bpf_dummy_ops and Qdisc_ops, plus a wide type for the trampoline page budget. Each records its
 * callback calls so tests can count them.
 */
import {
  EEXIST, EINVAL, ENOENT, ENOTSUPP, EOPNOTSUPP, slotFn,
  type StructOpsLink, type StructOpsType,
} from "../../sim/bpf/index.js";

/** An ops value as tests build it: programs (functions or BpfProg) and data members by name. */
export type Ops = Record<string, unknown>;

export interface Call {
  readonly kind: "reg" | "unreg" | "update";
  readonly value: Ops;
  readonly link: StructOpsLink | null;
}

/** A type plus what it saw. */
export interface Recorded<T = object> extends StructOpsType<Ops> {
  readonly calls: Call[];
  /** Subsystem-side state (e.g. registered names), for asserting what is live. */
  readonly state: T;
  count(kind: Call["kind"]): number;
}

function recorder(): Pick<Recorded, "calls" | "count"> {
  const calls: Call[] = [];
  return { calls, count: (kind) => calls.filter((c) => c.kind === kind).length };
}

/** bpf_testmod_ops: no validate, no update; reg always succeeds and runs test_1/test_2 at once. */
export function testmodType(): Recorded<{ live: number }> {
  const state = { live: 0 };
  const r = recorder();
  return {
    ...r, state,
    name: "bpf_testmod_ops", valueSize: 64,
    members: ["test_1", "test_2", "test_sleepable", "data"],
    initMember(_value, member) {
      return member === "data" ? 1 : 0; // data is copied by the type, like bpf_testmod_ops_init_member
    },
    reg(value, link) {
      r.calls.push({ kind: "reg", value, link });
      slotFn<() => void>(value.test_1)?.();
      slotFn<(a: number, b: number) => void>(value.test_2)?.(4, Number(value.data ?? 0));
      state.live++;
      return 0;
    },
    unreg(value, link) {
      r.calls.push({ kind: "unreg", value, link });
      state.live--;
    },
  };
}

const TCP_MEMBERS = [
  "ssthresh", "cong_avoid", "set_state", "cwnd_event", "in_ack_event", "pkts_acked", "min_tso_segs",
  "cong_control", "undo_cwnd", "sndbuf_expand", "get_info", "flags", "name",
];

/** tcp_congestion_ops: validate, update (same name only), reg refuses a registered name. */
export function tcpType(name = "tcp_congestion_ops"): Recorded<{ registry: Map<string, Ops>; errors: string[] }> {
  const registry = new Map<string, Ops>();
  const errors: string[] = [];
  const r = recorder();
  const valid = (v: Ops): number =>
    v.ssthresh && v.undo_cwnd && (v.cong_avoid || v.cong_control) ? 0 : -EINVAL;
  return {
    ...r, state: { registry, errors },
    name, valueSize: 256, members: TCP_MEMBERS,
    checkMember: (member) => (member === "get_info" ? -ENOTSUPP : 0), // no CFI stub
    initMember(value, member) {
      if (member === "name") return typeof value.name === "string" && value.name !== "" ? 1 : -EINVAL;
      if (member === "flags") return 1;
      return 0;
    },
    validate: valid,
    reg(value, link) {
      r.calls.push({ kind: "reg", value, link });
      const err = valid(value);
      if (err) return err;
      if (registry.has(String(value.name))) return -EEXIST;
      registry.set(String(value.name), value);
      return 0;
    },
    unreg(value, link) {
      r.calls.push({ kind: "unreg", value, link });
      if (registry.get(String(value.name)) !== value) errors.push(`unreg of unregistered ${String(value.name)}`);
      else registry.delete(String(value.name));
    },
    update(newValue, oldValue, link) {
      r.calls.push({ kind: "update", value: newValue, link });
      const err = valid(newValue);
      if (err) return err;
      if (newValue.name !== oldValue.name) return -EINVAL;
      if (registry.get(String(oldValue.name)) !== oldValue) return -ENOENT;
      registry.set(String(newValue.name), newValue);
      return 0;
    },
  };
}

/** bpf_dummy_ops: only for test_run, so reg always fails. */
export function dummyType(): Recorded<null> {
  const r = recorder();
  return {
    ...r, state: null,
    name: "bpf_dummy_ops", valueSize: 32, members: ["test_1", "test_2", "test_sleepable"],
    reg(value, link) {
      r.calls.push({ kind: "reg", value, link });
      return -EOPNOTSUPP;
    },
    unreg(value, link) {
      r.calls.push({ kind: "unreg", value, link });
    },
  };
}

/** Qdisc_ops: validate requires the core callbacks; no update; reg refuses a registered id. */
export function qdiscType(): Recorded<{ registry: Map<string, Ops> }> {
  const registry = new Map<string, Ops>();
  const r = recorder();
  const required = ["enqueue", "dequeue", "init", "reset", "destroy"];
  return {
    ...r, state: { registry },
    name: "Qdisc_ops", valueSize: 232, members: ["enqueue", "dequeue", "peek", "init", "reset", "destroy", "id"],
    initMember: (value, member) => (member === "id" ? (value.id ? 1 : -EINVAL) : 0),
    validate: (value) => (required.every((m) => value[m]) ? 0 : -EINVAL),
    reg(value, link) {
      r.calls.push({ kind: "reg", value, link });
      if (registry.has(String(value.id))) return -EEXIST;
      registry.set(String(value.id), value);
      return 0;
    },
    unreg(value, link) {
      r.calls.push({ kind: "unreg", value, link });
      registry.delete(String(value.id));
    },
  };
}

/** bpf_testmod_multi_st_ops widened to 64 trampolines, for the image page budget. */
export function multiPageType(): Recorded<null> {
  const r = recorder();
  return {
    ...r, state: null,
    name: "bpf_testmod_multi_st_ops", valueSize: 512,
    members: Array.from({ length: 64 }, (_, i) => `tramp_${i + 1}`),
    reg(value, link) {
      r.calls.push({ kind: "reg", value, link });
      return 0;
    },
    unreg(value, link) {
      r.calls.push({ kind: "unreg", value, link });
    },
  };
}

/** A complete tcp ops value named `name` (each call makes fresh programs). */
export function tcpOps(name: string, extra: Ops = {}): Ops {
  return { name, ssthresh: () => 2, undo_cwnd: () => 10, cong_avoid: () => undefined, ...extra };
}

/** A complete qdisc ops value with id `id`. */
export function qdiscOps(id: string): Ops {
  const f = (): number => 0;
  return { id, enqueue: f, dequeue: f, init: f, reset: f, destroy: f };
}

/**
 * The loader's side of attaching a scheduler, written once: what libbpf does for a
 * `SEC(".struct_ops.link")` object. BPF_MAP_CREATE of a sched_ext_ops struct_ops map with
 * BPF_F_LINK, BPF_MAP_UPDATE_ELEM with the ops as its value, then BPF_LINK_CREATE. Every caller
 * (a job, validate, the crash demo, tests, scripts) goes through here, so every kind of scheduler
 * (a built-in, a user's module, a compiled BPF object) is attached the same way.
 */
import { BPF_F_LINK, errnoName, strerror, type Process } from "./bpf/index.js";
import { InputError } from "./errors.js";
import type { SchedExtOps } from "./ext/ops.js";

/** The bpf(2) commands of an attach, in order. */
export type AttachCall = "BPF_MAP_CREATE" | "BPF_MAP_UPDATE_ELEM" | "BPF_LINK_CREATE";

/** Sees each call of an attach and what it returned (an fd, 0, or -errno), as strace would. */
export type AttachObserver = (call: AttachCall, ret: number, mapFd: number) => void;

export interface LoadOptions {
  /** A link map (BPF_F_LINK, attached by BPF_LINK_CREATE) or a plain one, registered at update. Default true. */
  readonly link?: boolean;
  readonly onCall?: AttachObserver;
}

/** A scheduler attached by a loader process: the fds it holds. */
export interface Attachment {
  readonly loader: Process;
  readonly map: number;
  /** The link fd, or -1 for a plain (non-link) map. */
  readonly link: number;
}

/** An attach step failed: the scheduler's ops were refused (or the kernel was busy). */
export class AttachError extends InputError {
  constructor(readonly scheduler: string, readonly call: AttachCall, readonly errno: number) {
    super(`${scheduler}: ${call} failed: ${strerror(errno)} (${errnoName(-errno)})`);
  }
}

/** Creates the struct_ops map and writes `ops` into it: the map fd, or -errno of the failing call. */
export function loadOps(proc: Process, ops: SchedExtOps, o: LoadOptions = {}): { readonly map: number; readonly ret: number; readonly call: AttachCall } {
  const map = proc.bpf.mapCreate({ type: "struct_ops", valueType: "sched_ext_ops", flags: (o.link ?? true) ? BPF_F_LINK : 0 });
  o.onCall?.("BPF_MAP_CREATE", map, map);
  if (map < 0) return { map, ret: map, call: "BPF_MAP_CREATE" };
  const up = proc.bpf.mapUpdateElem(map, 0, ops);
  o.onCall?.("BPF_MAP_UPDATE_ELEM", up, map);
  return { map, ret: up, call: "BPF_MAP_UPDATE_ELEM" };
}

/** BPF_LINK_CREATE on a loaded link map: the link fd, or -errno. */
export function linkOps(proc: Process, map: number, onCall?: AttachObserver): number {
  const link = proc.bpf.linkCreate(map);
  onCall?.("BPF_LINK_CREATE", link, map);
  return link;
}

/** The whole sequence from `proc`; throws AttachError naming the call that failed. */
export function attachOps(proc: Process, ops: SchedExtOps, o: LoadOptions = {}): Attachment {
  const loaded = loadOps(proc, ops, o);
  if (loaded.ret < 0) throw new AttachError(proc.name, loaded.call, -loaded.ret);
  if (!(o.link ?? true)) return { loader: proc, map: loaded.map, link: -1 };
  const link = linkOps(proc, loaded.map, o.onCall);
  if (link < 0) throw new AttachError(proc.name, "BPF_LINK_CREATE", -link);
  return { loader: proc, map: loaded.map, link };
}

/**
 * What the framework did to subsystems, as a stream: one event per reg/unreg/update call and per
 * EPOLLHUP wake-up. The kernel prints log lines from it; tests count calls with it.
 */
import { errnoName } from "./errno.js";
import type { LinkId, MapId } from "./ids.js";

export type StructOpsEventKind = "reg" | "unreg" | "update" | "hup";

export interface StructOpsEvent {
  readonly kind: StructOpsEventKind;
  /** The struct_ops type's name. */
  readonly type: string;
  /** The map whose value was handed over (for update: the new map). */
  readonly mapId: MapId;
  /** update only: the map being replaced. */
  readonly oldMapId?: MapId;
  /** null for a plain (non-link) map. */
  readonly linkId: LinkId | null;
  /** Task in whose context the call ran: the syscall's caller or the process dropping the last ref. */
  readonly process: string;
  readonly pid: number;
  /** Callback result for reg and update; 0 for unreg and hup. */
  readonly result: number;
  /** The value (kdata) passed to the callback: the same object for every link of one map. */
  readonly value: object;
}

export type StructOpsListener = (e: StructOpsEvent) => void;

/** One kernel-log-style line, e.g. `bpf: loader[100]: tcp_congestion_ops reg map 1 link 2 = 0`. */
export function formatEvent(e: StructOpsEvent): string {
  const link = e.linkId === null ? "" : ` link ${e.linkId}`;
  const map = e.oldMapId === undefined ? `map ${e.mapId}` : `map ${e.oldMapId} -> ${e.mapId}`;
  const res = e.kind === "reg" || e.kind === "update" ? ` = ${e.result === 0 ? 0 : `-${errnoName(e.result)}`}` : "";
  return `bpf: ${e.process}[${e.pid}]: ${e.type} ${e.kind} ${map}${link}${res}`;
}

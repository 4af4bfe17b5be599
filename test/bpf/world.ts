/** Shared set-up for the struct_ops tests: a subsystem with the test types and an event log. */
import { expect } from "vitest";
import {
  BPF_F_LINK, BpfSubsystem,
  type MapId, type MapLookupResult, type Process, type StructOpsEvent, type StructOpsEventKind,
} from "../../sim/bpf/index.js";
import { dummyType, multiPageType, qdiscType, tcpType, testmodType, type Ops } from "./types.js";

export function world() {
  const sys = new BpfSubsystem();
  const testmod = testmodType();
  const tcp = tcpType();
  const dummy = dummyType();
  const qdisc = qdiscType();
  const multi = multiPageType();
  for (const t of [testmod, tcp, dummy, qdisc, multi]) expect(sys.registerStructOpsType(t)).toBe(0);
  const events: StructOpsEvent[] = [];
  sys.onEvent((e) => events.push(e));
  const count = (kind: StructOpsEventKind): number => events.filter((e) => e.kind === kind).length;
  const loader = sys.spawnProcess("loader");
  return { sys, testmod, tcp, dummy, qdisc, multi, events, count, loader };
}

/** Map create (link map unless `link` is false); returns the fd, asserting success. */
export function newMap(p: Process, type: string, link = true): number {
  const fd = p.bpf.mapCreate({ type: "struct_ops", valueType: type, flags: link ? BPF_F_LINK : 0 });
  expect(fd).toBeGreaterThanOrEqual(3);
  return fd;
}

/** Map create + value write, asserting both succeed. */
export function loadMap(p: Process, type: string, value: Ops, link = true): number {
  const fd = newMap(p, type, link);
  expect(p.bpf.mapUpdateElem(fd, 0, value)).toBe(0);
  return fd;
}

/** bpf_map__attach_struct_ops on a fresh link map: returns { map, link } fds. */
export function attach(p: Process, type: string, value: Ops): { map: number; link: number } {
  const map = loadMap(p, type, value);
  const link = p.bpf.linkCreate(map);
  expect(link).toBeGreaterThanOrEqual(3);
  return { map, link };
}

/** Lookup of key 0 that must succeed. */
export function lookup(p: Process, fd: number): MapLookupResult {
  const r = p.bpf.mapLookupElem(fd, 0);
  if (typeof r === "number") throw new Error(`lookup failed: ${r}`);
  return r;
}

/** The map id behind a map fd. */
export function mapId(p: Process, fd: number): MapId {
  const info = p.bpf.mapInfo(fd);
  if (typeof info === "number") throw new Error(`map info failed: ${info}`);
  return info.id;
}

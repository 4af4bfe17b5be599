/**
 * Shared helpers for the sched_ext tests: loading a scheduler the way a loader does (with the fds
 * kept so tests can close, detach or pin them), an independent "where is every task" check that
 * is stricter than sim/invariants.ts, and small readers for exit info and task classes.
 */
import { expect } from "vitest";
import type { Process } from "../../sim/bpf/index.js";
import { linkOps, loadOps } from "../../sim/attach.js";
import type { Machine } from "../../sim/machine.js";
import type { SchedExtOps, Scx } from "../../sim/ext/ops.js";
import { EXIT_REASON } from "../../sim/ext/exit.js";
import type { ExitKind } from "../../sim/result.js";
import { Cls, Place, type Task } from "../../sim/task.js";
import { DsqOrder } from "../../sim/ext/dsq.js";

export interface Loaded {
  proc: Process;
  map: number;
  /** The link fd, or -errno when link create failed (or -1 for a plain map). */
  link: number;
}

/**
 * Loads `ops` from process `proc` (a new "loader" by default): map create (BPF_F_LINK unless
 * `link` is false), map update, and link create for link maps. Map create and update must succeed.
 */
export function load(m: Machine, make: (scx: Scx) => SchedExtOps, o: { proc?: Process; link?: boolean } = {}): Loaded {
  const proc = o.proc ?? m.spawnProcess("loader");
  const linkMap = o.link ?? true;
  const { map, ret } = loadOps(proc, make(m.scxApi), { link: linkMap });
  expect(map).toBeGreaterThanOrEqual(3);
  expect(ret).toBe(0);
  const link = linkMap ? linkOps(proc, map) : -1;
  return { proc, map, link };
}

/** The map id a link fd points at (0 once detached). */
export function linkMapId(proc: Process, link: number): number {
  const info = proc.bpf.linkInfo(link);
  if (typeof info === "number") throw new Error(`link info failed: ${info}`);
  return info.mapId;
}

/** Live (not dead, not free) tasks. */
export function live(m: Machine): Task[] {
  return m.kernel.tasks.filter((t) => t.place !== Place.Dead && t.place !== Place.Free);
}

/** Asserts the scheduler is gone and every live task is back under fair, nothing lost. */
export function expectAllFair(m: Machine): void {
  expect(m.scx.state).toBe("disabled");
  for (const t of live(m)) {
    expect(t.cls, `${t.comm} class`).toBe(Cls.Fair);
    expect([Place.Dsq, Place.Bpf], `${t.comm} place`).not.toContain(t.place);
  }
  expect(placeViolations(m)).toEqual([]);
  const inv = m.invariants();
  expect(inv.lost).toBe(0);
  expect(inv.created).toBe(inv.exited + inv.alive);
}

/** Asserts the exit that ended the last scheduler: kind, the kernel's reason string, and optionally msg. */
export function expectExit(m: Machine, kind: ExitKind, msg?: string | RegExp): void {
  const ei = m.scx.exitInfo;
  expect(ei, "exit info").not.toBeNull();
  expect(ei!.kind).toBe(kind);
  expect(ei!.reason).toBe(EXIT_REASON[kind]);
  if (typeof msg === "string") expect(ei!.msg).toBe(msg);
  else if (msg !== undefined) expect(ei!.msg).toMatch(msg);
}

/** Brings the CPU time of running tasks up to date (it is otherwise charged at checkpoints). */
export function syncCpu(m: Machine): void {
  const k = m.kernel;
  for (let c = 0; c < k.topo.nrCpus; c++) if (k.curr[c] >= 0) k.updateCurr(c, k.tasks[k.curr[c]]);
}

/** Total CPU time of live and dead tasks, ns, with the running ones brought up to date. */
export function totalCpuNs(m: Machine): number {
  const k = m.kernel;
  syncCpu(m);
  let s = 0;
  for (const t of k.tasks) s += t.cpuNs;
  return s;
}

/**
 * An independent check of where every task is, from the queues' point of view and the tasks':
 * each live task is in exactly the place it claims (the CPU it names, the fair runqueue of its
 * CPU, the DSQ whose id it holds, or BPF custody while a scheduler is enabled), queues hold no
 * entry for a task that is elsewhere, each DSQ's count equals its live entries, and classes
 * agree with places (DSQ and BPF custody only for ext tasks; no ext task once disabled).
 * Returns human-readable violations (empty when all is well).
 */
export function placeViolations(m: Machine): string[] {
  const k = m.kernel, ext = k.ext, out: string[] = [];
  const where = new Map<number, string[]>();
  const note = (slot: number, w: string) => {
    const l = where.get(slot);
    if (l === undefined) where.set(slot, [w]);
    else l.push(w);
  };
  for (let c = 0; c < k.topo.nrCpus; c++) if (k.curr[c] >= 0) note(k.curr[c], `cpu${c}`);
  for (let c = 0; c < k.topo.nrCpus; c++) {
    const h = k.fair.rq[c];
    let n = 0;
    for (let i = 0; i < h.n; i++) {
      const t = k.tasks[h.slot[i]];
      if (t.fairStamp === h.stamp[i] && t.place === Place.FairRq) { note(t.slot, `rq${c}`); n++; }
    }
    if (n !== h.live) out.push(`fair rq${c}: live ${h.live} but ${n} entries`);
  }
  const dsqs = [ext.dsqs.global, ...ext.dsqs.local, ...ext.dsqs.users()];
  for (const d of dsqs) {
    let n = 0;
    for (let i = 0; i < d.fifo.n; i++) {
      const t = k.tasks[d.fifo.slotAt(i)];
      if (t.dsqStamp === d.fifo.stampAt(i) && t.place === Place.Dsq) { note(t.slot, `dsq${d.id}`); n++; }
    }
    for (let i = 0; i < d.prio.n; i++) {
      const t = k.tasks[d.prio.slot[i]];
      if (t.dsqStamp === d.prio.stamp[i] && t.place === Place.Dsq) { note(t.slot, `dsq${d.id}`); n++; }
    }
    if (n !== d.nr) out.push(`dsq ${d.id}: nr ${d.nr} but ${n} entries (${d.order === DsqOrder.Vtime ? "vtime" : "fifo"})`);
  }
  for (const t of k.tasks) {
    const w = where.get(t.slot) ?? [];
    const name = `${t.comm}[${t.pid}]`;
    if (t.place === Place.Dead || t.place === Place.Free) {
      if (w.length > 0) out.push(`${name} is dead but found in ${w.join(",")}`);
      continue;
    }
    switch (t.place) {
      case Place.Sleeping:
        if (w.length > 0) out.push(`${name} sleeps but is in ${w.join(",")}`);
        if (t.block === 0) out.push(`${name} sleeps with no reason to`);
        break;
      case Place.Running:
        if (w.length !== 1 || w[0] !== `cpu${t.cpu}`) out.push(`${name} runs on cpu${t.cpu} but is in [${w.join(",")}]`);
        if (t.cls !== k.currCls[t.cpu]) out.push(`${name} runs in class ${t.cls} on a cpu of class ${k.currCls[t.cpu]}`);
        break;
      case Place.FairRq:
        if (w.length !== 1 || w[0] !== `rq${t.cpu}`) out.push(`${name} queued on rq${t.cpu} but is in [${w.join(",")}]`);
        if (t.cls !== Cls.Fair) out.push(`${name} on a fair runqueue in the ext class`);
        break;
      case Place.Dsq:
        if (w.length !== 1 || w[0] !== `dsq${t.dsq}`) out.push(`${name} in dsq ${t.dsq} but is in [${w.join(",")}]`);
        if (t.cls !== Cls.Ext) out.push(`${name} in a DSQ but in the fair class`);
        break;
      case Place.Bpf:
        if (w.length !== 0) out.push(`${name} in BPF custody but is in [${w.join(",")}]`);
        if (!ext.enabled) out.push(`${name} in BPF custody with no scheduler`);
        if (t.cls !== Cls.Ext) out.push(`${name} in BPF custody but in the fair class`);
        break;
    }
    if (!ext.enabled && t.cls === Cls.Ext) out.push(`${name} in the ext class with no scheduler`);
  }
  return out;
}

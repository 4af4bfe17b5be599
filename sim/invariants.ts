/**
 * The "nothing lost" check, computed independently of the bookkeeping that moves tasks: every live
 * task must be found in exactly one place (on one CPU, in one queue, held by the BPF scheduler
 * while one is enabled, or blocked), and every queue entry must belong to a task that says so.
 */
import type { Kernel } from "./kernel.js";
import { Block, Place } from "./task.js";

export interface Invariants {
  created: number;
  exited: number;
  alive: number;
  lost: number;
}

export function checkInvariants(k: Kernel): Invariants {
  const seen = new Uint8Array(k.tasks.length);
  const mark = (slot: number) => { seen[slot]++; };
  for (let c = 0; c < k.topo.nrCpus; c++) if (k.curr[c] >= 0) mark(k.curr[c]);
  for (let c = 0; c < k.topo.nrCpus; c++) {
    const h = k.fair.rq[c];
    for (let i = 0; i < h.n; i++) {
      const t = k.tasks[h.slot[i]];
      if (t.fairStamp === h.stamp[i] && t.place === Place.FairRq) mark(t.slot);
    }
  }
  for (const [heaps, place] of [[k.rt.rq, Place.RtRq], [k.dl.rq, Place.DlRq]] as const) {
    for (const h of heaps) {
      for (let i = 0; i < h.n; i++) {
        const t = k.tasks[h.slot[i]];
        if (t.fairStamp === h.stamp[i] && t.place === place) mark(t.slot);
      }
    }
  }
  const dsqs = [k.ext.dsqs.global, ...k.ext.dsqs.local, ...k.ext.dsqs.users()];
  for (const d of dsqs) {
    for (let i = 0; i < d.fifo.n; i++) {
      const t = k.tasks[d.fifo.slotAt(i)];
      if (t.dsqStamp === d.fifo.stampAt(i) && t.place === Place.Dsq) mark(t.slot);
    }
    for (let i = 0; i < d.prio.n; i++) {
      const t = k.tasks[d.prio.slot[i]];
      if (t.dsqStamp === d.prio.stamp[i] && t.place === Place.Dsq) mark(t.slot);
    }
  }
  let alive = 0, lost = 0;
  for (const t of k.tasks) {
    if (t.place === Place.Dead || t.place === Place.Free) continue;
    alive++;
    if (t.place === Place.Sleeping) {
      if (t.block === Block.None || seen[t.slot] !== 0) lost++;
      continue;
    }
    if (t.place === Place.Throttled) {
      if (seen[t.slot] !== 0) lost++;
      continue;
    }
    if (t.place === Place.Bpf) {
      if (!k.ext.enabled || seen[t.slot] !== 0) lost++;
      continue;
    }
    if (seen[t.slot] !== 1) lost++;
    if (t.place === Place.Running && k.curr[t.cpu] !== t.slot) lost++;
  }
  lost += Math.abs(k.created - k.exited - alive);
  return { created: k.created, exited: k.exited, alive, lost };
}

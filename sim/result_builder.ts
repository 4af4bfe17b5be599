/** Builds the RunResult of a run from the kernel's recorder and counters. */
import type { Kernel } from "./kernel.js";
import { checkInvariants } from "./invariants.js";
import { Place } from "./task.js";
import { Distance } from "./topology.js";
import { Histogram } from "./histogram.js";
import { RUN_SCHEMA, type GroupResult, type JobSpec, type RunEnd, type RunResult } from "./result.js";

export interface ResultExtras {
  readonly job: JobSpec;
  readonly wallMs: number;
  readonly scheduler: string | null;
  readonly exit: RunResult["scx"]["exit"];
  readonly stats: Record<string, number>;
  readonly warnings: readonly string[];
  readonly end?: RunEnd | null;
}

export function buildResult(k: Kernel, x: ResultExtras): RunResult {
  const rec = k.rec, n = k.topo.nrCpus, simNs = k.now;
  const measuredNs = simNs - rec.measureFromNs;
  for (let c = 0; c < n; c++) if (k.curr[c] >= 0) k.updateCurr(c, k.tasks[k.curr[c]]);
  for (const t of k.tasks) if (t.place !== Place.Free) rec.syncTask(t);
  const groups: Record<string, GroupResult> = {};
  rec.groups.forEach((g, i) => {
    groups[rec.groupNames[i]] = {
      tasks: g.tasks, completed: g.completed, cpuNs: g.cpuNs, requests: g.requests,
      wakeupLatencyNs: g.wakeup.stats(), requestLatencyNs: g.request.stats(), waitNs: g.wait.stats(),
      firstStartNs: g.firstStartNs >= 0 ? g.firstStartNs : null, lastExitNs: g.lastExitNs >= 0 ? g.lastExitNs : null,
      deadlineNs: g.deadlineNs, deadlineMisses: g.deadlineMisses, wakeupHistogramUs: Array.from(g.wakeupBinsUs),
    };
  });
  let busy = 0;
  const cpus = Array.from({ length: n }, (_, c) => {
    busy += k.busyNs[c];
    const overheadNs = Math.min(k.overheadNs[c], measuredNs);
    return { cpu: c, busyNs: k.busyNs[c], idleNs: Math.max(0, measuredNs - k.busyNs[c] - overheadNs), overheadNs };
  });
  let completed = 0, requests = 0;
  const wakeup = new Histogram(), request = new Histogram();
  for (const g of rec.groups) {
    completed += g.completed;
    requests += g.requests;
    wakeup.merge(g.wakeup);
    request.merge(g.request);
  }
  const m = rec.migrations;
  const scxEvents: Record<string, number> = { ...k.ext.events, ...x.stats };
  const result: RunResult = {
    schema: RUN_SCHEMA,
    job: x.job,
    simNs,
    ...(x.end ? { end: x.end } : {}),
    measuredNs,
    events: k.events,
    wallMs: x.wallMs,
    groups,
    tasks: rec.taskRecords,
    tasksTruncated: rec.tasksTruncated,
    cpus,
    totals: {
      completed,
      requests,
      throughput: measuredNs > 0 ? requests / (measuredNs / 1e9) : 0,
      wakeupLatencyNs: wakeup.stats(),
      requestLatencyNs: request.stats(),
      contextSwitches: { voluntary: rec.voluntary, involuntary: rec.involuntary },
      migrations: { smt: m[Distance.Smt], core: m[Distance.Core], llc: m[Distance.Llc], numa: m[Distance.Numa], total: m[1] + m[2] + m[3] + m[4] },
      utilization: measuredNs > 0 ? busy / (n * measuredNs) : 0,
      jainFairness: jain(k),
    },
    scx: { scheduler: x.scheduler, timeline: rec.classSwitches, exit: x.exit, log: rec.log, events: scxEvents },
    invariants: checkInvariants(k),
    warnings: [...x.warnings],
  };
  const tl = rec.tl;
  if (tl !== null) {
    result.timeline = { ...tl, sampleNs: k.timelineSampleInterval, truncated: rec.tlTruncated };
  }
  return result;
}

/**
 * Jain's index over CPU time per unit of weight, among closed-loop tasks alive for the whole run
 * that were never blocked for long: 1 when they share in exact proportion to weight.
 */
function jain(k: Kernel): number {
  let s = 0, s2 = 0, cnt = 0;
  for (const t of k.tasks) {
    if (t.openLoop || t.place === Place.Free || t.place === Place.Dead || t.startNs > 0) continue;
    if (t.nvcsw > 0) continue;
    const x = t.cpuNs / t.fairWeight;
    s += x; s2 += x * x; cnt++;
  }
  return cnt === 0 || s2 === 0 ? 1 : (s * s) / (cnt * s2);
}

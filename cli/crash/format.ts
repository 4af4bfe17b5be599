/** What `scxlab crash-demo` prints: the story in simulated time, the exit info, the windows, the invariants. */
import { errnoName, EOPNOTSUPP, strerror } from "../../sim/bpf/index.js";
import { formatQuantity } from "../../results/index.js";
import type { RunResult } from "../../sim/result.js";
import { clean } from "../format_run.js";
import { table } from "../text_table.js";
import type { CrashDemoOutcome } from "./demo.js";
import { EXIT_KIND_VALUE, FAULT_INFO } from "./faults.js";
import { formatStoryLine } from "./story.js";

function s3(ns: number): string {
  return (ns / 1e9).toFixed(3);
}

export function formatHeader(o: CrashDemoOutcome): string {
  const j = o.result.job;
  const info = FAULT_INFO[o.fault];
  const at = o.fault === "stall" ? `${s3(o.faultAtNs)} s (timeout_ms=${o.timeoutMs})` : `${s3(o.faultAtNs)} s`;
  return [
    `scxlab crash-demo · scheduler ${o.scheduler} · workload ${j.workload} · ${j.cpus} CPUs (${j.topology}) · ${(j.durationNs / 1e9).toFixed(2)} s simulated · seed ${j.seed}`,
    `fault: ${o.fault} at ${at} · ${info.what}`,
  ].join("\n");
}

/** The exit info as a loader would report it, and whether it is the kind the fault should give. */
export function formatExit(o: CrashDemoOutcome): string[] {
  const lines: string[] = [];
  const want = FAULT_INFO[o.fault].kind;
  const e = o.exit;
  if (e === null) {
    lines.push(`exit info: none: "${o.scheduler}" was still enabled at the end (expected ${want})`);
    return lines;
  }
  const verdict = e.atNs < o.faultAtNs
    ? `before the fault: the scheduler failed on its own`
    : e.kind === want ? `as expected for --fault ${o.fault}` : `UNEXPECTED: --fault ${o.fault} should give ${want}`;
  lines.push(`exit info: kind ${e.kind} (${EXIT_KIND_VALUE[e.kind]}), reason "${e.reason}", at ${(e.atNs / 1e9).toFixed(6)} s, exit code ${e.exitCode} (${verdict})`);
  if (e.msg) lines.push(`           msg "${clean(e.msg)}"`);
  if (o.stallBeganNs !== null && o.timeoutMs !== null) {
    const late = e.atNs - o.stallBeganNs - o.timeoutMs * 1e6;
    lines.push(`           the stall began at ${(o.stallBeganNs / 1e9).toFixed(6)} s; the watchdog fired ${(late / 1e6).toFixed(3)} ms after timeout_ms elapsed (it checks every ${o.timeoutMs / 2} ms)`);
  }
  if (o.atExit?.linkAttached === true) {
    const rel = o.linkReleasedNs === null ? "never released" : `released by user space at ${(o.linkReleasedNs / 1e9).toFixed(6)} s`;
    lines.push(`           link ${o.linkId} stayed attached after the exit (the kernel never detaches it): ${rel}`);
  }
  return lines;
}

export function formatLinkUpdate(o: CrashDemoOutcome): string {
  const r = o.linkUpdate;
  if (r === null) return `link update at ${s3(o.linkUpdateAtNs)} s: not attempted (the loader was gone)`;
  const what = r < 0 ? `-${errnoName(r)} (${strerror(-r)}, ${r})` : String(r);
  return `link update at ${s3(o.linkUpdateAtNs)} s: ${what}${r === -EOPNOTSUPP ? ", as sched_ext requires (no atomic replacement)" : ": UNEXPECTED, sched_ext links cannot be updated"}`;
}

/** Before vs after the fault, one row per window. */
export function formatWindows(windows: readonly RunResult[], startsNs: readonly number[]): string[] {
  const q = (v: number, u: "ns") => formatQuantity(v, u);
  const lat = (r: RunResult, which: "wakeupLatencyNs" | "requestLatencyNs", k: "p50" | "p99") =>
    r.totals[which].count === 0 ? "-" : q(r.totals[which][k], "ns");
  const head = ["window", "span (s)", "requests", "throughput", "wakeup p50", "p99", "request p50", "p99", "util"];
  const rows = windows.map((w, i) => [
    clean(w.job.scheduler),
    `${s3(startsNs[i]!)}–${s3(startsNs[i]! + w.simNs)}`,
    String(w.totals.requests),
    `${w.totals.throughput.toFixed(1)} req/s`,
    lat(w, "wakeupLatencyNs", "p50"), lat(w, "wakeupLatencyNs", "p99"),
    lat(w, "requestLatencyNs", "p50"), lat(w, "requestLatencyNs", "p99"),
    `${(w.totals.utilization * 100).toFixed(1)} %`,
  ]);
  return table([head, ...rows]);
}

export function formatInvariants(r: RunResult): string {
  const i = r.invariants;
  const ok = i.lost === 0 && i.created === i.alive + i.exited;
  return `tasks created ${i.created} = alive ${i.alive} + exited ${i.exited} · lost ${i.lost} (${ok ? "ok" : "VIOLATED"})`;
}

/** The whole terminal report (without the output paths). */
export function formatDemo(o: CrashDemoOutcome, quiet = false): string {
  const out: string[] = [formatHeader(o), ""];
  if (!quiet) {
    for (const l of o.story) out.push(clean(formatStoryLine(l)));
    out.push("");
  }
  out.push(...formatExit(o));
  out.push(formatLinkUpdate(o));
  if (o.reattach !== null) {
    const r = o.reattach;
    out.push(r.attachedAtNs === null
      ? `reattach: "${r.scheduler}" could not attach (${r.attempts} attempt${r.attempts === 1 ? "" : "s"}${r.lastError === null ? "" : `, last: ${errnoName(r.lastError)}`})`
      : `reattach: "${r.scheduler}" enabled at ${(r.attachedAtNs / 1e9).toFixed(6)} s through a new link ${r.linkId} (${r.extTasks} tasks moved to it); at the end: ${endState(o.machine.scx.current, o.machine.scx.exitInfo?.kind ?? null)}`);
  }
  if (!quiet && o.windows.length > 0) {
    out.push("", "before vs after the fault (latencies count where recorded: a wakeup when the task first runs, a request when it completes):");
    out.push(...formatWindows(o.windows, o.windowStartsNs));
  }
  out.push("", formatInvariants(o.result));
  return out.join("\n");
}

/**
 * The state after a reattach. The exit info outlives the instance that exited (as the kernel's
 * sysfs keeps it), so with a scheduler still enabled it is the evicted one's, and says so.
 */
function endState(current: string | null, lastExit: string | null): string {
  if (current === null) return `no scheduler enabled, exit info ${lastExit ?? "null"}`;
  return `${current} enabled, last exit on record ${lastExit === null ? "none" : `${lastExit} (the evicted instance's)`}`;
}

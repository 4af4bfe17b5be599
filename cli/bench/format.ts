/**
 * The bench's output: text tables for the terminal, a comparison against an earlier bench.json,
 * and bench.html, a self-contained page whose charts are plain SVG drawn here (no script, no
 * network): the yardstick, events/s per case, speed-up against workers with the ideal line,
 * and events/s against the number of tasks.
 */
import type { BenchResult, SingleRow } from "./run.js";
import { MS_PER_COST, WORKER_START_MS } from "../pool_plan.js";
import { formatBpflandObject } from "./bpfland_object.js";

const M = (x: number) => `${(x / 1e6).toFixed(2)} M`;
const K = (x: number) => (x >= 1e6 ? M(x) : x >= 1e3 ? `${(x / 1e3).toFixed(1)} k` : x.toFixed(0));

function table(head: string[], rows: (string | number)[][], right: boolean[] = []): string {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const w = head.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  return cells.map((r, ri) => `  ${r.map((c, i) => (right[i] && ri > 0 ? c.padStart(w[i]) : c.padEnd(w[i]))).join("  ").trimEnd()}`).join("\n");
}

export function caseKey(r: Pick<SingleRow, "scheduler" | "workload" | "cpus">): string {
  return `${r.scheduler}/${r.workload}/${r.cpus}`;
}

export function formatBench(b: BenchResult): string {
  const out: string[] = [];
  const m = b.machine;
  const psi = m.cpuPressureStart !== null ? ` · CPU pressure ${m.cpuPressureStart}% → ${m.cpuPressureEnd}% (some, avg60)` : "";
  out.push(`scxlab bench · ${b.schema}, ${b.suite} suite · node ${m.node} · ${m.cpus} CPUs (${m.cpuModel}) · load ${m.loadAvgStart.join("/")} at start, ${m.loadAvgEnd.join("/")} at end${psi}`);
  const y = b.yardstick;
  out.push("", `Yardstick: ${y.model}`, `  ${y.customers} customers, median of ${y.reps}; Erlang C mean sojourn ${y.erlangC.toFixed(4)}`);
  out.push(table(
    ["", "customers/s", "events/s", "customers/CPU-s", "events/customer", "mean sojourn"],
    [
      ["scxlab, full path", M(y.scxlab.customersPerS), M(y.scxlab.eventsPerS), M(y.scxlab.customersPerCpuS), y.scxlab.eventsPerCustomer.toFixed(3), y.scxlab.meanSojourn.toFixed(4)],
      ["bare typed-array heap loop", M(y.bare.customersPerS), M(y.bare.eventsPerS), M(y.bare.customersPerCpuS), "2.000", y.bare.meanSojourn.toFixed(4)],
      ["scxlab ÷ bare", `${y.ratio.toFixed(3)}×`, "", `${y.ratioCpu.toFixed(3)}×`, "", ""],
    ],
    [false, true, true, true, true, true],
  ));
  const cr = b.cold.run, st = b.cold.startup;
  out.push("", "Fresh processes, as a user starts them",
    `  scxlab run, the yardstick's model (${cr.customers} customers, median of ${cr.wallMs.length}): ${M(cr.customersPerS)} customers per wall second of the run (${cr.wallMs.map((x) => x.toFixed(0)).join(", ")} ms)`
      + (cr.cCustomersPerS === null ? "; the C loop of shared/perfref: not available" : `; the C loop of shared/perfref: ${M(cr.cCustomersPerS)}, ratio ${(cr.customersPerS / cr.cCustomersPerS).toFixed(3)}×`),
    `  start-up, median of ${st.runs.list.length} spawns: scxlab list ${st.listMs.toFixed(0)} ms, scxlab --help ${st.helpMs.toFixed(0)} ms, node -e 0 ${st.nodeMs.toFixed(0)} ms`);
  const bs = b.bpfSimple;
  if (bs !== undefined) {
    out.push("", "skipped" in bs
      ? `BPF simple beside TS simple: not measured (${bs.skipped})`
      : `BPF simple beside TS simple (M/M/${y.model.match(/M\/M\/(\d+)/)?.[1] ?? "c"}, FIFO, eng_simple.bpf.o): ${M(bs.bpf.eventsPerS)} events/s vs ${M(bs.ts.eventsPerS)} events/s, ratio ${bs.ratio.toFixed(2)}× (customers/s ${M(bs.bpf.customersPerS)} vs ${M(bs.ts.customersPerS)})`);
  }
  if (b.bpflandObject !== undefined) out.push("", formatBpflandObject(b.bpflandObject));
  out.push("", "Single thread (a fresh process per scheduler): events per wall second, simulated seconds per wall second, and each scheduler's throughput");
  out.push(table(
    ["scheduler", "workload", "CPUs", "sim s", "events", "wall ms", "events/s", "events/CPU-s", "sim-s/wall-s", "requests/sim-s", "RSS MB"],
    b.single.map((r) => [r.scheduler, r.workload, r.cpus, r.simS, r.events, r.wallMs.toFixed(0), K(r.eventsPerS), K(r.eventsPerCpuS), r.simSPerWallS.toFixed(2), K(r.throughput), r.processMaxRssMB.toFixed(0)]),
    [false, false, true, true, true, true, true, true, true, true, true],
  ));
  const s = b.scaling;
  out.push("", `Worker scaling: ${s.jobs} jobs (${s.description})`);
  out.push(table(
    ["workers", "wall s", "jobs/s", "speed-up", "efficiency", "cores got", "per thread: jobs (schedulers)"],
    s.runs.map((r) => [r.workers, r.wallS.toFixed(2) + (r.walls.length > 1 ? ` (${r.walls.map((x) => x.toFixed(2)).join(", ")})` : ""), r.jobsPerS.toFixed(2), `${r.speedup.toFixed(2)}×`, r.efficiency.toFixed(2),
      r.cores.toFixed(2), r.threads.map((t) => `${t.jobs} (${t.schedulers.join("+")})`).join(", ")]),
    [true, true, true, true, true, true, false],
  ));
  out.push(`  results identical for every worker count: ${s.identical ? "yes" : "NO"}; "cores got" = CPU time of every thread (workers, V8 compiler and GC helpers) ÷ wall time: well below the worker count, other load took the rest`);
  const g = b.growth;
  out.push("", `Cost per event against live tasks: ${g.model}, ${g.cpus} CPUs`);
  out.push(table(
    ["tasks", "events", "events/s", "events/CPU-s", "setup s", "heap B/task", "RSS MB"],
    g.rows.map((r) => [r.tasks, r.events, K(r.eventsPerS), K(r.eventsPerCpuS), r.setupS.toFixed(2), r.heapPerTaskB === null ? "?" : r.heapPerTaskB.toFixed(0), r.maxRssMB.toFixed(0)]),
    [true, true, true, true, true, true, true],
  ));
  if (g.rows.length >= 2) out.push(`  slowdown from ${g.rows[0].tasks} to ${g.rows[g.rows.length - 1].tasks} tasks: ${g.slowdown.toFixed(2)}× (CPU time ${g.slowdownCpu.toFixed(2)}×)`);
  const mem = b.memory;
  out.push("", `Memory: peak RSS ${mem.peakRssMB.toFixed(0)} MB over all bench processes; ${mem.perTaskB === null ? "?" : mem.perTaskB.toFixed(0)} B of V8 heap per live task`
    + (mem.million ? `; ${mem.million.tasks} live tasks: peak RSS ${mem.million.maxRssMB.toFixed(0)} MB, set up in ${mem.million.setupS.toFixed(1)} s` : "")
    + (mem.names ? `; ${mem.names.names} distinct task names run to their RunResult: peak RSS ${mem.names.maxRssMB.toFixed(0)} MB in ${mem.names.wallS.toFixed(1)} s` : ""));
  const p = b.pool;
  if (p !== undefined) {
    out.push("", `Pool on users' sweeps (a fresh process per sweep, as compare runs it; 1 and 2 workers paired, alternating order)`);
    out.push(`  pool thread start-up, a fresh thread's cold pass (default line-up, 1 seed) minus the warm calling thread's: ${p.startMs.toFixed(0)} ms (the pool assumes ${WORKER_START_MS} ms)`);
    out.push(`    of which loading: ${p.loadMs.toFixed(0)} ms from asking for the thread to its worker entry loaded; JIT warm-up: ${p.warmupMs.toFixed(0)} ms (the calling thread's own cold pass minus its warm one: every thread pays it)`);
    out.push(`    first job: ${p.firstJobMs.thread.toFixed(0)} ms on the fresh thread, ${p.firstJobMs.main.toFixed(0)} ms on the cold calling thread; the thread's whole cold pass ${p.threadOverColdMs >= 0 ? "+" : ""}${p.threadOverColdMs.toFixed(0)} ms against the calling thread's`);
    out.push(`  warm pace ${(p.msPerCost * 1e3).toFixed(2)} µs per simulated CPU-ms on mixed, 5 s jobs (the pool assumes ${(MS_PER_COST * 1e3).toFixed(2)} µs)`);
    out.push(`  crossover, the pool's rule with the measured start-up: a second worker's thread starts above ~${(p.crossoverMs / 1000).toFixed(2)} s of estimated work (its share must exceed its start-up)`);
    if (p.cpuModel !== null) {
      const { extraS, workS } = p.cpuModel;
      out.push(`  crossover from CPU time (20 s sweep, medians): 2 workers with a thread started at once (${p.cpuModel.forcedCpus.map((x) => x.toFixed(2)).join(", ")} CPU-s) need ${extraS.toFixed(2)} CPU-s beyond the 1-worker calling thread's ${workS.toFixed(2)} s (compiling, the second thread's warm-up);`
        + ` on two free cores they win above ~${extraS.toFixed(1)} s of work and reach 1.7× from ~${(extraS * 1.7 / 0.3).toFixed(0)} s`);
    }
    out.push(table(
      ["sweep", "jobs", "1 worker s", "2 workers s", "speed-up per pair", "identical"],
      p.sweeps.map((s) => [s.name, s.jobs, s.walls1.map((x) => x.toFixed(2)).join(", "), s.walls2.map((x) => x.toFixed(2)).join(", "), s.ratios.map((x) => `${x.toFixed(2)}×`).join(", "), s.identical ? "yes" : "NO"]),
      [false, true, false, false, false, false],
    ));
    const cpu = (xs: readonly number[]) => (xs.length === 0 ? "?" : xs.map((x) => x.toFixed(2)).join(", "));
    for (const s of p.sweeps) {
      out.push(`  ${s.name}: CPU s, 1 worker ${cpu(s.cpus1)} (calling thread ${cpu(s.mainCpus1)}); 2 workers ${cpu(s.cpus2)} (calling thread ${cpu(s.mainCpus2)})`);
    }
    out.push("  (CPU beyond the calling thread's: pool threads, V8's compiler and GC threads; with one worker those use the idle core for free)");
  }
  out.push("", "Targets");
  out.push(table(
    ["", "what", "target", "measured"],
    b.targets.map((t) => [t.met === null ? "–" : t.met ? "met" : "MISSED", t.what, t.target, t.measured]),
  ));
  return out.join("\n");
}

/** Changes against an earlier bench.json: events/s per case and the yardstick. */
export function formatBaseline(now: BenchResult, before: BenchResult): string {
  const out: string[] = [`Against ${before.createdAt} (${before.schema}, ${before.suite} suite, node ${before.machine.node}):`];
  if (before.schema !== now.schema || before.suite !== now.suite) out.push("  (different suite or schema: figures may not compare)");
  const pct = (a: number, b: number) => (b > 0 ? `${a >= b ? "+" : ""}${(((a - b) / b) * 100).toFixed(1)} %` : "?");
  const rows: string[][] = [["yardstick", M(before.yardstick.scxlab.customersPerS), M(now.yardstick.scxlab.customersPerS), pct(now.yardstick.scxlab.customersPerS, before.yardstick.scxlab.customersPerS)]];
  const old = new Map(before.single.map((r) => [caseKey(r), r]));
  for (const r of now.single) {
    const o = old.get(caseKey(r));
    if (o) rows.push([caseKey(r), K(o.eventsPerS), K(r.eventsPerS), pct(r.eventsPerS, o.eventsPerS)]);
  }
  out.push(table(["case (events/s; yardstick customers/s)", "before", "now", "change"], rows, [false, true, true, true]));
  return out.join("\n");
}

// ---- HTML ----

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

const PALETTE = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1"];

/** Horizontal bars, one per item, with a value label. */
function barChart(title: string, items: { label: string; value: number; color?: string }[], unit: (v: number) => string): string {
  const rowH = 18, labelW = 230, plotW = 420, top = 28, h = top + items.length * rowH + 10;
  const max = Math.max(1e-9, ...items.map((i) => i.value));
  const bars = items.map((it, k) => {
    const y = top + k * rowH, w = (it.value / max) * plotW;
    return `<text x="${labelW - 6}" y="${y + 13}" text-anchor="end">${esc(it.label)}</text>`
      + `<rect x="${labelW}" y="${y + 2}" width="${w.toFixed(1)}" height="${rowH - 5}" fill="${it.color ?? PALETTE[0]}"/>`
      + `<text x="${(labelW + w + 4).toFixed(1)}" y="${y + 13}">${esc(unit(it.value))}</text>`;
  }).join("");
  return `<figure><svg viewBox="0 0 ${labelW + plotW + 90} ${h}" width="${labelW + plotW + 90}" height="${h}" role="img" aria-label="${esc(title)}">`
    + `<text x="4" y="16" class="t">${esc(title)}</text>${bars}</svg></figure>`;
}

/** Speed-up against workers: measured points and the ideal line y = x. */
function scalingChart(b: BenchResult): string {
  const runs = b.scaling.runs;
  if (runs.length === 0) return "";
  const W = 420, H = 300, L = 50, B = 40, T = 30, R = 20;
  const maxW = Math.max(2, ...runs.map((r) => r.workers));
  const maxS = Math.max(maxW, ...runs.map((r) => r.speedup));
  const x = (w: number) => L + ((w - 0) / maxW) * (W - L - R);
  const y = (s: number) => H - B - (s / maxS) * (H - B - T);
  const ticks = Array.from({ length: maxW + 1 }, (_, i) => i);
  const axes = `<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="#888"/><line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="#888"/>`
    + ticks.map((t) => `<text x="${x(t)}" y="${H - B + 16}" text-anchor="middle">${t}</text><text x="${L - 6}" y="${y(t) + 4}" text-anchor="end">${t}</text>`).join("")
    + `<text x="${(L + W - R) / 2}" y="${H - 6}" text-anchor="middle">worker threads</text>`
    + `<text x="14" y="${(T + H - B) / 2}" transform="rotate(-90 14 ${(T + H - B) / 2})" text-anchor="middle">speed-up</text>`;
  const ideal = `<line x1="${x(0)}" y1="${y(0)}" x2="${x(maxW)}" y2="${y(maxW)}" stroke="#aaa" stroke-dasharray="5 4"/><text x="${x(maxW) - 4}" y="${y(maxW) - 6}" text-anchor="end" fill="#888">ideal</text>`;
  const pts = runs.map((r) => `${x(r.workers).toFixed(1)},${y(r.speedup).toFixed(1)}`).join(" ");
  const line = `<polyline points="${x(0)},${y(0)} ${pts}" fill="none" stroke="${PALETTE[1]}" stroke-width="2"/>`
    + runs.map((r) => `<circle cx="${x(r.workers).toFixed(1)}" cy="${y(r.speedup).toFixed(1)}" r="4" fill="${PALETTE[1]}"><title>${r.workers} workers: ${r.speedup.toFixed(2)}×, ${r.jobsPerS.toFixed(2)} jobs/s</title></circle>`
      + `<text x="${x(r.workers) + 6}" y="${y(r.speedup) + 14}">${r.speedup.toFixed(2)}×</text>`).join("");
  return `<figure><svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="speed-up against workers">`
    + `<text x="4" y="16" class="t">Speed-up against worker threads (${b.scaling.jobs} jobs)</text>${axes}${ideal}${line}</svg></figure>`;
}

function htmlTable(head: string[], rows: (string | number)[][]): string {
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>`
    + rows.map((r) => `<tr>${r.map((c) => `<td>${esc(String(c))}</td>`).join("")}</tr>`).join("") + `</tbody></table>`;
}

export function renderBenchHtml(b: BenchResult): string {
  const y = b.yardstick;
  const schedColor = new Map<string, string>();
  for (const r of b.single) if (!schedColor.has(r.scheduler)) schedColor.set(r.scheduler, PALETTE[schedColor.size % PALETTE.length]);
  const parts = [
    barChart(`Yardstick: M/M/4 customers per wall second (scxlab ÷ bare = ${y.ratio.toFixed(2)}×)`, [
      { label: "scxlab, full path", value: y.scxlab.customersPerS, color: PALETTE[0] },
      { label: "bare typed-array heap loop", value: y.bare.customersPerS, color: PALETTE[2] },
    ], M),
    barChart("Single thread: events per wall second", b.single.map((r) => ({ label: `${r.scheduler} · ${r.workload} · ${r.cpus} CPUs`, value: r.eventsPerS, color: schedColor.get(r.scheduler) })), K),
    barChart("Simulated throughput: completed requests per simulated second", b.single.map((r) => ({ label: `${r.scheduler} · ${r.workload} · ${r.cpus} CPUs`, value: r.throughput, color: schedColor.get(r.scheduler) })), K),
    scalingChart(b),
    barChart(`Events per wall second against live tasks (slowdown ${b.growth.slowdown.toFixed(2)}×)`, b.growth.rows.map((r) => ({ label: `${r.tasks} tasks`, value: r.eventsPerS, color: PALETTE[4] })), K),
  ];
  const m = b.machine;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>scxlab bench · ${esc(b.suite)} · ${esc(b.createdAt)}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; max-width: 1100px; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 28px; }
figure { margin: 12px 0; } svg text { font: 12px system-ui, sans-serif; fill: #333; } svg text.t { font-weight: 600; font-size: 13px; }
table { border-collapse: collapse; margin: 8px 0; } th, td { border-bottom: 1px solid #ddd; padding: 3px 8px; text-align: right; } th:first-child, td:first-child { text-align: left; }
.muted { color: #777; } .met { color: #2a7d2a; } .missed { color: #b3261e; font-weight: 600; }
</style></head><body>
<h1>scxlab bench <span class="muted">· ${esc(b.schema)} · ${esc(b.suite)} suite</span></h1>
<p class="muted">${esc(b.createdAt)} · node ${esc(m.node)} (V8 ${esc(m.v8)}) · ${m.cpus} CPUs, ${esc(m.cpuModel)} · ${m.memGB} GiB · load average ${m.loadAvgStart.join("/")} at start, ${m.loadAvgEnd.join("/")} at end${m.cpuPressureStart !== null ? `, CPU pressure ${m.cpuPressureStart}% → ${m.cpuPressureEnd}%` : ""} (other load skews wall-clock figures; CPU-time figures less so)</p>
<h2>Targets</h2>
${htmlTable(["", "what", "target", "measured"], b.targets.map((t) => [t.met === null ? "–" : t.met ? "met" : "MISSED", t.what, t.target, t.measured]))}
<h2>Charts</h2>
${parts.join("\n")}
<h2>Single thread</h2>
${htmlTable(["scheduler", "workload", "CPUs", "sim s", "events", "wall ms", "events/s", "events/CPU-s", "sim-s/wall-s", "requests/sim-s"], b.single.map((r) => [r.scheduler, r.workload, r.cpus, r.simS, r.events, r.wallMs.toFixed(0), K(r.eventsPerS), K(r.eventsPerCpuS), r.simSPerWallS.toFixed(2), K(r.throughput)]))}
<h2>Worker scaling</h2>
<p>${esc(b.scaling.description)}; results identical for every worker count: ${b.scaling.identical ? "yes" : "no"}</p>
${htmlTable(["workers", "wall s", "jobs/s", "speed-up", "efficiency", "cores got"], b.scaling.runs.map((r) => [r.workers, r.wallS.toFixed(2), r.jobsPerS.toFixed(2), r.speedup.toFixed(2), r.efficiency.toFixed(2), r.cores.toFixed(2)]))}
<h2>Growth and memory</h2>
<p>${esc(b.growth.model)}</p>
${htmlTable(["tasks", "events", "events/s", "events/CPU-s", "heap B/task", "RSS MB"], b.growth.rows.map((r) => [r.tasks, r.events, K(r.eventsPerS), K(r.eventsPerCpuS), r.heapPerTaskB === null ? "?" : r.heapPerTaskB.toFixed(0), r.maxRssMB.toFixed(0)]))}
<p>Peak RSS over all bench processes: ${b.memory.peakRssMB.toFixed(0)} MB.${b.memory.million ? ` ${b.memory.million.tasks} live tasks: peak RSS ${b.memory.million.maxRssMB.toFixed(0)} MB.` : ""}${b.memory.names ? ` ${b.memory.names.names} distinct task names to their RunResult: peak RSS ${b.memory.names.maxRssMB.toFixed(0)} MB.` : ""}</p>
</body></html>
`;
}

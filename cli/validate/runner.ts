/**
 * Runs the validation suite: every case's replications (in worker threads when asked), then
 * each check's verdict by the stated rule.
 */
import { performance } from "node:perf_hooks";
import { studentTQuantile } from "../../results/stats/student_t.js";
import { confidenceInterval } from "../../results/stats/confidence_interval.js";
import { allCases, findCase } from "./cases.js";
import { missingSchedulers, schedLabel } from "./harness.js";
import type { CaseDef, CheckOutcome, Sample, ValidationReport } from "./types.js";

export const FAMILY_ALPHA = 0.05;
export const DEFAULT_SEEDS = 10;
export const DEFAULT_QUICK_SEEDS = 8;

export const RULE =
  "PASS when |sim − analytic| ≤ t·s/√n + allowance. Statistical checks: n independent seeds, s their sample " +
  "standard deviation, t the Student quantile at level 1 − α/(2K) with K the number of statistical checks in " +
  "the run and α = 5 % (Bonferroni: if the simulator were exact, the whole suite would fail by chance at most " +
  "5 % of the time); the allowance is the case's stated model error (histogram resolution, window boundary, an " +
  "approximation's known discretisation). Deterministic checks: |value − analytic| ≤ allowance (0 or 1 ns for " +
  "exact schedules; a derived lag bound for shares). The ± shown is the ordinary 95 % interval.";

/** One unit of work: a replication of a case. */
export interface Replication {
  readonly caseId: string;
  readonly seed: number;
  readonly quick: boolean;
}

export type ReplicationOutcome = { ok: true; sample: Sample } | { ok: false; error: string };

export function runReplication(r: Replication): ReplicationOutcome {
  try {
    return { ok: true, sample: findCase(r.caseId).run(r.seed, r.quick) };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

export interface SuiteOptions {
  readonly quick: boolean;
  readonly seeds?: number;
  /** Only the cases whose id matches. */
  readonly filter?: (id: string) => boolean;
  /** Runs the replications (in order or not); defaults to this thread. */
  readonly execute?: (work: readonly Replication[], onDone: () => void) => Promise<ReplicationOutcome[]>;
  readonly onProgress?: (done: number, total: number) => void;
}

export function selectCases(quick: boolean, filter?: (id: string) => boolean): CaseDef[] {
  return allCases().filter((c) => (!quick || c.quick) && (filter === undefined || filter(c.id)));
}

async function inline(work: readonly Replication[], onDone: () => void): Promise<ReplicationOutcome[]> {
  const out: ReplicationOutcome[] = [];
  for (const w of work) {
    out.push(runReplication(w));
    onDone();
    await new Promise((r) => setImmediate(r));
  }
  return out;
}

export async function runSuite(opts: SuiteOptions): Promise<ValidationReport> {
  const t0 = performance.now();
  const seeds = opts.seeds ?? (opts.quick ? DEFAULT_QUICK_SEEDS : DEFAULT_SEEDS);
  const cases = selectCases(opts.quick, opts.filter);
  const runnable = cases.filter((c) => c.scheds.every((s) => missingSchedulers(s).length === 0));
  const work: Replication[] = [];
  for (const c of runnable) {
    const n = c.deterministic ? 1 : seeds;
    for (let k = 0; k < n; k++) work.push({ caseId: c.id, seed: 1 + k, quick: opts.quick });
  }
  let done = 0;
  const onDone = () => opts.onProgress?.(++done, work.length);
  const outcomes = await (opts.execute ?? inline)(work, onDone);
  const samples = new Map<string, Sample[]>();
  const errors = new Map<string, string>();
  work.forEach((w, i) => {
    const o = outcomes[i];
    if (o.ok) samples.set(w.caseId, [...(samples.get(w.caseId) ?? []), o.sample]);
    else if (!errors.has(w.caseId)) errors.set(w.caseId, `seed ${w.seed}: ${o.error}`);
  });
  const K = runnable.reduce((a, c) => a + c.checks(opts.quick).filter((k) => k.kind === "ci").length, 0);
  const checks: CheckOutcome[] = [];
  for (const c of cases) checks.push(...evaluate(c, opts.quick, samples.get(c.id) ?? [], errors.get(c.id) ?? null, K));
  const count = (v: string) => checks.filter((x) => x.verdict === v).length;
  return {
    schema: "scxlab.validate/1", quick: opts.quick, seeds, rule: RULE, familyAlpha: FAMILY_ALPHA, statisticalChecks: K,
    wallMs: Math.round(performance.now() - t0), checks, passed: count("PASS"), failed: count("FAIL"), skipped: count("SKIP"),
  };
}

/** The verdicts of one case's checks from its replications. */
export function evaluate(c: CaseDef, quick: boolean, samples: readonly Sample[], error: string | null, K: number): CheckOutcome[] {
  const missing = c.scheds.flatMap(missingSchedulers);
  const scheduler = c.scheds.map(schedLabel).join(" vs ");
  return c.checks(quick).map((k): CheckOutcome => {
    const base = {
      caseId: c.id, caseTitle: c.title, model: c.model, formula: c.formula, source: c.source, scheduler,
      label: k.label, metric: k.metric, unit: k.unit, kind: k.kind, analytic: k.analytic,
      allowance: k.allowance, allowanceWhy: k.allowanceWhy,
    };
    if (missing.length > 0) {
      return { ...base, n: 0, values: [], sim: null, half95: null, accept: null, relErr: null, verdict: "SKIP", note: `scheduler ${missing.join(", ")} not available (not registered in schedulers/index.ts)` };
    }
    if (error !== null) {
      return { ...base, n: 0, values: [], sim: null, half95: null, accept: null, relErr: null, verdict: "FAIL", note: `run failed: ${error}` };
    }
    const xs = samples.map((s) => s[k.metric]);
    const bad = xs.filter((x) => !Number.isFinite(x)).length;
    if (xs.length === 0 || bad > 0) {
      return { ...base, n: xs.length, values: xs, sim: null, half95: null, accept: null, relErr: null, verdict: "FAIL", note: `no finite measurement (${bad} of ${xs.length} replications)` };
    }
    const ci = confidenceInterval(xs, 0.95);
    const m = ci.mean!;
    const relErr = k.analytic !== 0 ? (m - k.analytic) / k.analytic : null;
    let accept: number;
    let half95: number | null = null;
    let note = "";
    if (k.kind === "ci") {
      if (xs.length < 2) {
        return { ...base, n: xs.length, values: xs, sim: m, half95: null, accept: null, relErr, verdict: "FAIL", note: "needs at least 2 seeds for an interval" };
      }
      const tAdj = studentTQuantile(1 - FAMILY_ALPHA / (2 * Math.max(1, K)), xs.length - 1);
      half95 = ci.half!;
      accept = (tAdj * ci.sd!) / Math.sqrt(xs.length) + k.allowance;
      note = `t = ${tAdj.toFixed(2)} (df ${xs.length - 1})`;
    } else {
      accept = k.allowance;
    }
    const verdict = Math.abs(m - k.analytic) <= accept ? "PASS" : "FAIL";
    return { ...base, n: xs.length, values: xs, sim: m, half95, accept, relErr, verdict, note };
  });
}

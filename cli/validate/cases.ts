/**
 * The validation cases: each one a model with a known answer, the policy that should realise it
 * on the ideal machine, how to run one replication, and the checks with their allowances.
 * Parameters are chosen so that a full run of the suite takes minutes: 1 ms mean job sizes,
 * windows of a few hundred simulated seconds, ten seeds. `--quick` shortens every window.
 */
import type { DurationSpec, TaskSpec } from "../../sim/plan.js";
import type { GroupResult } from "../../sim/result.js";
import { HISTOGRAM_RESOLUTION } from "../../sim/histogram.js";
import { IDEAL_COSTS } from "../../sim/costs.js";
import { niceToWeight, scxWeight } from "../../sim/weights.js";
import { fair, registry, simulate, fractionZero, type SchedSpec, type SimOut } from "./harness.js";
import { RandomQueues } from "../../schedulers/randq.js";
import { hog, plan, poissonClass, process } from "./plans.js";
import {
  constClass, erlangC, expClass, expQuantile, fairPriorityExtra, mm1MeanT, mmcMeanT, pkMeanT, pkMeanWq, preemptiveMeanT, psMeanT,
  rrGap, rrHogShare, rrUsefulFraction, scv, splitMeanT, srptMeanT, srptOverallMeanT, waterfill,
  FCFS_1, FCFS_2, PRIORITY, RR, SJF, SJF_NP, SRTF, type Atom, type ShareTask, type SizeClass, type TextbookExample,
} from "../../results/queueing/index.js";
import type { CaseDef, CheckDef, Sample } from "./types.js";

const MS = 1e6; // ns per ms
/**
 * scx_simple's FIFO mode still has a slice (20 ms by default): a longer job goes back to the tail,
 * which is round robin, not FCFS. The FCFS cases give it a 1 s slice, longer than any job here.
 */
const SIMPLE_FIFO_SLICE_US = 1_000_000;
const S = 1e9; // ns per s

// ---------------------------------------------------------------------------------------------
// Shared measurement helpers

/** Mean response over several groups, weighted by completed requests (ns). */
function meanResponse(r: SimOut, groups: readonly string[]): number {
  let n = 0, sum = 0;
  for (const g of groups) {
    const s = r.result.groups[g].requestLatencyNs;
    n += s.count;
    sum += s.count * s.mean;
  }
  return n > 0 ? sum / n : NaN;
}

/**
 * Little's law, L = λ·E[T], with its three parts measured independently: L from the Poisson
 * observer of the kernel's live-task count, λ from the arrivals counted in the window, E[T] from
 * the per-job response times the recorder keeps. The ratio should be 1.
 */
function littleRatio(r: SimOut, groups: readonly string[]): number {
  const lambda = r.arrivals / r.windowNs; // per ns
  return r.meanN / (lambda * meanResponse(r, groups));
}

/** The boundary term of a window: jobs in flight at either end, relative to the jobs in it. */
function boundaryRel(meanN: number, expectedArrivals: number): number {
  return (2 * (meanN + 1)) / expectedArrivals;
}

function group(r: SimOut, g: string): GroupResult {
  return r.result.groups[g];
}

const littleCheck = (metric: string, meanN: number, arrivals: number): CheckDef => ({
  metric, label: "Little L/(λ·E[T])", unit: "x", analytic: 1, kind: "ci",
  allowance: boundaryRel(meanN, arrivals),
  allowanceWhy: "boundary: jobs in flight at the window's ends, 2(E[N]+1)/(λ·window)",
});

function rel(label: string, metric: string, unit: CheckDef["unit"], analytic: number, allowanceRel: number, why: string): CheckDef {
  return { metric, label, unit, analytic, kind: "ci", allowance: allowanceRel * Math.abs(analytic), allowanceWhy: why };
}

interface Lengths {
  readonly windowS: number;
  readonly quickWindowS: number;
  readonly warmupS: number;
}

function windowNs(l: Lengths, quick: boolean): number {
  return (quick ? l.quickWindowS : l.windowS) * S;
}

const exp = (meanUs: number): DurationSpec => ({ dist: "exp", mean: meanUs });
const cst = (us: number): DurationSpec => ({ dist: "const", value: us });

// ---------------------------------------------------------------------------------------------
// M/M/1 FIFO

function mm1Case(rho: number, lengths: Lengths, quick: boolean): CaseDef {
  const meanUs = 1000, mu = 1e6 / meanUs, lambda = rho * mu; // per second
  const sched = registry("simple", { fifo: true, slice_us: SIMPLE_FIFO_SLICE_US });
  const T = mm1MeanT(lambda, mu) * S;
  const EN = rho / (1 - rho);
  return {
    id: `mm1-fifo-rho${rho}`,
    title: `M/M/1 FIFO, ρ = ${rho}`,
    model: `Poisson arrivals λ = ${lambda}/s, exponential sizes E[S] = 1 ms, 1 CPU, global FIFO`,
    formula: "E[T] = 1/(μ−λ); T ~ Exp(μ−λ): t_p = −ln(1−p)/(μ−λ); P(wait) = ρ; U = ρ",
    source: "§2.1",
    scheds: [sched],
    quick,
    deterministic: false,
    run(seed, q) {
      const r = simulate({
        plan: plan("mm1", [poissonClass("job", lambda, exp(meanUs))]), cpus: 1, sched, seed,
        windowNs: windowNs(lengths, q), warmupNs: lengths.warmupS * S, observeEveryNs: meanUs * 1000,
      });
      const t = group(r, "job").requestLatencyNs;
      return {
        "T.mean": t.mean, "T.p50": t.p50, "T.p90": t.p90, "T.p99": t.p99,
        "P.wait": 1 - fractionZero(r.hist("job", "wakeup")),
        U: r.result.totals.utilization,
        little: littleRatio(r, ["job"]),
      };
    },
    checks(q) {
      const arrivals = lambda * windowNs(lengths, q) / S;
      const b = boundaryRel(EN, arrivals);
      const bWhy = "boundary: jobs in flight at the window's ends";
      const pWhy = `histogram resolution ${(HISTOGRAM_RESOLUTION * 100).toFixed(2)} % + boundary`;
      return [
        rel("E[T]", "T.mean", "ms", T, b, bWhy),
        rel("p50(T)", "T.p50", "ms", expQuantile(0.5, (mu - lambda) / S), HISTOGRAM_RESOLUTION + b, pWhy),
        rel("p90(T)", "T.p90", "ms", expQuantile(0.9, (mu - lambda) / S), HISTOGRAM_RESOLUTION + b, pWhy),
        rel("p99(T)", "T.p99", "ms", expQuantile(0.99, (mu - lambda) / S), HISTOGRAM_RESOLUTION + b, pWhy),
        rel("P(wait > 0)", "P.wait", "%", rho, b, bWhy),
        rel("utilisation", "U", "%", rho, b, bWhy),
        littleCheck("little", EN, arrivals),
      ];
    },
  };
}

// ---------------------------------------------------------------------------------------------
// M/M/c: one shared queue against c random per-CPU queues

function mmcCase(c: number, rho: number, lengths: Lengths, quick: boolean): CaseDef {
  const meanUs = 1000, mu = 1e6 / meanUs, lambda = rho * c * mu;
  const shared = registry("simple", { fifo: true, slice_us: SIMPLE_FIFO_SLICE_US });
  const random: SchedSpec = { kind: "harness", name: "randq", make: (scx) => new RandomQueues(scx) };
  const a = lambda / mu;
  const Tshared = mmcMeanT(c, lambda, mu) * S;
  const Trandom = splitMeanT(c, lambda, mu) * S;
  const C = erlangC(c, a);
  const ENshared = (lambda * Tshared) / S, ENrandom = (lambda * Trandom) / S;
  return {
    id: `mmc${c}-shared-vs-random`,
    title: `M/M/${c}: shared FIFO vs ${c} random queues, ρ = ${rho}`,
    model: `Poisson λ = ${lambda}/s, Exp sizes E[S] = 1 ms, ${c} CPUs; (a) one global FIFO DSQ, (b) a random per-CPU FIFO per job`,
    formula: "(a) Erlang C: P(wait) = C(c,a), E[T] = C/(cμ−λ) + 1/μ; (b) E[T] = 1/(μ−λ/c), P(wait) = ρ",
    source: "§2.2",
    scheds: [shared, random],
    quick,
    deterministic: false,
    run(seed, q) {
      const spec = (sched: SchedSpec) => simulate({
        plan: plan("mmc", [poissonClass("job", lambda, exp(meanUs))]), cpus: c, sched, seed,
        windowNs: windowNs(lengths, q), warmupNs: lengths.warmupS * S, observeEveryNs: meanUs * 1000,
      });
      const rs = spec(shared), rr = spec(random);
      const ts = group(rs, "job").requestLatencyNs.mean, tr = group(rr, "job").requestLatencyNs.mean;
      return {
        "shared.T.mean": ts,
        "shared.P.wait": 1 - fractionZero(rs.hist("job", "wakeup")),
        "shared.U": rs.result.totals.utilization,
        "shared.little": littleRatio(rs, ["job"]),
        "random.T.mean": tr,
        "random.P.wait": 1 - fractionZero(rr.hist("job", "wakeup")),
        "random.little": littleRatio(rr, ["job"]),
        gap: tr - ts,
      };
    },
    checks(q) {
      const arrivals = lambda * windowNs(lengths, q) / S;
      const bs = boundaryRel(ENshared, arrivals), br = boundaryRel(ENrandom, arrivals);
      const bWhy = "boundary: jobs in flight at the window's ends";
      return [
        rel("shared: E[T]", "shared.T.mean", "ms", Tshared, bs, bWhy),
        rel("shared: P(wait > 0) = Erlang C", "shared.P.wait", "%", C, bs, bWhy),
        rel("shared: utilisation", "shared.U", "%", rho, bs, bWhy),
        littleCheck("shared.little", ENshared, arrivals),
        rel("random: E[T]", "random.T.mean", "ms", Trandom, br, bWhy),
        rel("random: P(wait > 0)", "random.P.wait", "%", rho, br, bWhy),
        littleCheck("random.little", ENrandom, arrivals),
        rel("gap E[T] random − shared", "gap", "ms", Trandom - Tshared, (br * Trandom + bs * Tshared) / (Trandom - Tshared), bWhy),
      ];
    },
  };
}

// ---------------------------------------------------------------------------------------------
// M/G/1 FIFO: M/D/1 and a bimodal mix (Pollaczek–Khinchine)

interface FcfsClass {
  readonly name: string;
  readonly share: number; // fraction of arrivals
  readonly sizeUs: number; // constant size
}

function mg1FifoCase(id: string, title: string, classes: readonly FcfsClass[], rho: number, lengths: Lengths, quick: boolean): CaseDef {
  const meanUs = classes.reduce((a, c) => a + c.share * c.sizeUs, 0);
  const lambda = rho / (meanUs / 1e6); // per s
  const sched = registry("fifo");
  const sc: SizeClass[] = classes.map((c) => constClass((c.share * lambda) / S, c.sizeUs * 1000)); // per ns, ns
  const names = classes.map((c) => c.name);
  const Wq = pkMeanWq(sc);
  const EN = lambda * (Wq + meanUs * 1000) / S;
  return {
    id, title,
    model: `Poisson λ = ${lambda.toFixed(1)}/s, sizes ${classes.map((c) => `${c.sizeUs / 1000} ms × ${c.share}`).join(" + ")} (C² = ${scv(sc).toFixed(2)}), 1 CPU, FCFS`,
    formula: "P–K: E[W_q] = λE[S²]/(2(1−ρ)); E[T | x] = E[W_q] + x",
    source: "§3",
    scheds: [sched],
    quick,
    deterministic: false,
    run(seed, q) {
      const r = simulate({
        plan: plan(id, classes.map((c) => poissonClass(c.name, c.share * lambda, cst(c.sizeUs)))), cpus: 1, sched, seed,
        windowNs: windowNs(lengths, q), warmupNs: lengths.warmupS * S, observeEveryNs: meanUs * 1000,
      });
      const out: Sample = {};
      let n = 0, w = 0;
      for (const c of classes) {
        out[`${c.name}.T.mean`] = group(r, c.name).requestLatencyNs.mean;
        const ws = group(r, c.name).waitNs;
        n += ws.count; w += ws.count * ws.mean;
      }
      out.Wq = w / n;
      out.little = littleRatio(r, names);
      return out;
    },
    checks(q) {
      const arrivals = lambda * windowNs(lengths, q) / S;
      const b = boundaryRel(EN, arrivals);
      const bWhy = "boundary: jobs in flight at the window's ends";
      const out: CheckDef[] = [rel("E[W_q]", "Wq", "ms", Wq, b, bWhy)];
      if (classes.length > 1) for (const c of classes) out.push(rel(`E[T | ${c.sizeUs / 1000} ms]`, `${c.name}.T.mean`, "ms", pkMeanT(sc, c.sizeUs * 1000), b, bWhy));
      else out.push(rel("E[T]", `${classes[0].name}.T.mean`, "ms", pkMeanT(sc, classes[0].sizeUs * 1000), b, bWhy));
      out.push(littleCheck("little", EN, arrivals));
      return out;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// M/G/1 processor sharing, approximated by round robin with a small quantum

function psCase(quantumUs: number, rho: number, lengths: Lengths, quick: boolean): CaseDef {
  const classes = [{ name: "short", share: 0.8, sizeUs: 1000 }, { name: "long", share: 0.2, sizeUs: 10_000 }];
  const meanUs = classes.reduce((a, c) => a + c.share * c.sizeUs, 0);
  const lambda = rho / (meanUs / 1e6);
  const sched = registry("rr", { slice_us: quantumUs });
  const EN = rho / (1 - rho);
  const qNs = quantumUs * 1000;
  return {
    id: "ps-rr",
    title: `M/G/1-PS via round robin (q = ${quantumUs} µs), ρ = ${rho}`,
    model: `Poisson λ = ${lambda.toFixed(1)}/s, sizes 1 ms × 0.8 + 10 ms × 0.2 (two task groups), 1 CPU, RR quantum ${quantumUs} µs, free switches`,
    formula: "PS: E[T | x] = x/(1−ρ) for every size (insensitivity); RR → PS as q → 0",
    source: "§4",
    scheds: [sched],
    quick,
    deterministic: false,
    run(seed, q) {
      const r = simulate({
        plan: plan("ps", classes.map((c) => poissonClass(c.name, c.share * lambda, cst(c.sizeUs)))), cpus: 1, sched, seed,
        windowNs: windowNs(lengths, q), warmupNs: lengths.warmupS * S, observeEveryNs: meanUs * 1000,
      });
      const out: Sample = {};
      for (const c of classes) out[`${c.name}.slowdown`] = group(r, c.name).requestLatencyNs.mean / (c.sizeUs * 1000);
      for (const c of classes) out[`${c.name}.T.mean`] = group(r, c.name).requestLatencyNs.mean;
      out.little = littleRatio(r, classes.map((c) => c.name));
      return out;
    },
    checks(q) {
      const arrivals = lambda * windowNs(lengths, q) / S;
      const b = boundaryRel(EN, arrivals);
      // RR differs from PS by a discretisation of about one quantum per job ahead in the round:
      // an arrival joins the tail and each of the ~E[N] jobs present gets its quantum first.
      const rrWhy = `RR vs PS: ≈ q/(1−ρ) = ${(qNs / (1 - rho) / 1000).toFixed(0)} µs (one quantum per job in the round) + boundary`;
      const out: CheckDef[] = [];
      for (const c of classes) {
        const x = c.sizeUs * 1000, T = psMeanT(x, rho);
        out.push({ metric: `${c.name}.T.mean`, label: `E[T | ${x / MS} ms]`, unit: "ms", analytic: T, kind: "ci", allowance: qNs / (1 - rho) + b * T, allowanceWhy: rrWhy });
      }
      for (const c of classes) {
        const x = c.sizeUs * 1000;
        out.push({ metric: `${c.name}.slowdown`, label: `E[T | ${x / MS} ms]/x = 1/(1−ρ)`, unit: "x", analytic: 1 / (1 - rho), kind: "ci", allowance: qNs / (1 - rho) / x + b / (1 - rho), allowanceWhy: rrWhy });
      }
      out.push(littleCheck("little", EN, arrivals));
      return out;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Preemptive priority: EDF with far-apart relative deadlines, and fair with nice −20 against 19

interface PrioClass {
  readonly name: string;
  readonly rho: number;
  readonly meanUs: number;
  readonly over: Partial<TaskSpec>;
}

function priorityCase(id: string, title: string, sched: SchedSpec, classes: readonly PrioClass[], lengths: Lengths, quick: boolean,
  extra: { allowanceNs: (sc: readonly SizeClass[]) => number[]; why: string } | null): CaseDef {
  const sc = classes.map((c) => expClass((c.rho / (c.meanUs * 1000)), c.meanUs * 1000)); // per ns, ns
  const extraNs = extra === null ? classes.map(() => 0) : extra.allowanceNs(sc);
  const lambdaTot = classes.reduce((a, c) => a + c.rho / (c.meanUs / 1e6), 0);
  const meanT = classes.map((_, k) => preemptiveMeanT(sc, k));
  const EN = classes.reduce((a, c, k) => a + (c.rho / (c.meanUs * 1000)) * meanT[k], 0);
  const names = classes.map((c) => c.name);
  return {
    id, title,
    model: `two Poisson classes, Exp sizes: ${classes.map((c) => `${c.name} E[S] = ${c.meanUs / 1000} ms, ρ = ${c.rho}`).join("; ")}; 1 CPU`,
    formula: "preemptive-resume: E[T_k] = E[S_k]/(1−σ_{k−1}) + Σ_{i≤k} λ_i E[S_i²]/(2(1−σ_{k−1})(1−σ_k))",
    source: "§5",
    scheds: [sched],
    quick,
    deterministic: false,
    run(seed, q) {
      const meanUs = classes.reduce((a, c) => a + c.meanUs, 0) / classes.length;
      const r = simulate({
        plan: plan(id, classes.map((c) => poissonClass(c.name, c.rho / (c.meanUs / 1e6), exp(c.meanUs), c.over))), cpus: 1, sched, seed,
        windowNs: windowNs(lengths, q), warmupNs: lengths.warmupS * S, observeEveryNs: meanUs * 1000,
      });
      const out: Sample = {};
      for (const c of classes) out[`${c.name}.T.mean`] = group(r, c.name).requestLatencyNs.mean;
      out.little = littleRatio(r, names);
      return out;
    },
    checks(q) {
      const arrivals = lambdaTot * windowNs(lengths, q) / S;
      const b = boundaryRel(EN, arrivals);
      const out: CheckDef[] = classes.map((c, k) => ({
        metric: `${c.name}.T.mean`, label: `E[T] class ${k + 1} (${c.name})`, unit: "ms", analytic: meanT[k], kind: "ci",
        allowance: b * meanT[k] + extraNs[k],
        allowanceWhy: extra === null ? "boundary: jobs in flight at the window's ends" : `${extra.why} (${(extraNs[k] / MS).toFixed(3)} ms) + boundary`,
      }));
      out.push(littleCheck("little", EN, arrivals));
      return out;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// SRPT (srtf) against Schrage–Miller

function srptCase(rho: number, lengths: Lengths, quick: boolean): CaseDef {
  const classes = [{ name: "small", share: 0.5, sizeUs: 500 }, { name: "medium", share: 0.35, sizeUs: 2000 }, { name: "large", share: 0.15, sizeUs: 8000 }];
  const meanUs = classes.reduce((a, c) => a + c.share * c.sizeUs, 0);
  const lambda = rho / (meanUs / 1e6);
  const sched = registry("srtf");
  const atoms: Atom[] = classes.map((c) => ({ lambda: (c.share * lambda) / S, size: c.sizeUs * 1000 }));
  const overall = srptOverallMeanT(atoms);
  const fcfs = pkMeanT(classes.map((c) => constClass((c.share * lambda) / S, c.sizeUs * 1000)), meanUs * 1000);
  const EN = (lambda * overall) / S;
  const names = classes.map((c) => c.name);
  return {
    id: "srpt-srtf",
    title: `SRPT (srtf), ρ = ${rho}`,
    model: `Poisson λ = ${lambda.toFixed(1)}/s, sizes 0.5/2/8 ms × 0.5/0.35/0.15 declared per group (expectedRunUs), 1 CPU (FCFS would give E[T] = ${(fcfs / MS).toFixed(3)} ms)`,
    formula: "Schrage–Miller: E[T(x)] = λE[min(S,x)²]/(2(1−ρ(x))(1−ρ(x⁻))) + ∫₀ˣ dt/(1−ρ(t⁻))",
    source: "§6",
    scheds: [sched],
    quick,
    deterministic: false,
    run(seed, q) {
      const r = simulate({
        plan: plan("srpt", classes.map((c) => poissonClass(c.name, c.share * lambda, cst(c.sizeUs), { expectedRunUs: c.sizeUs }))), cpus: 1, sched, seed,
        windowNs: windowNs(lengths, q), warmupNs: lengths.warmupS * S, observeEveryNs: meanUs * 1000,
      });
      const out: Sample = {};
      for (const c of classes) out[`${c.name}.T.mean`] = group(r, c.name).requestLatencyNs.mean;
      out["T.mean"] = meanResponse(r, names);
      out.little = littleRatio(r, names);
      return out;
    },
    checks(q) {
      const arrivals = lambda * windowNs(lengths, q) / S;
      const b = boundaryRel(EN, arrivals);
      const bWhy = "boundary: jobs in flight at the window's ends";
      const out: CheckDef[] = classes.map((c) => rel(`E[T | ${c.sizeUs / 1000} ms]`, `${c.name}.T.mean`, "ms", srptMeanT(atoms, c.sizeUs * 1000), b, bWhy));
      out.push(rel("E[T] all jobs", "T.mean", "ms", overall, b, bWhy));
      out.push(littleCheck("little", EN, arrivals));
      return out;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Weighted sharing of CPU hogs (one CPU, and water-filling on two with affinity)

interface HogDef {
  readonly name: string;
  readonly nice: number;
  readonly cpus: readonly number[] | null;
}

/** The policy's weight of a nice value: CFS weights for fair, sched_ext weights otherwise. */
function weightOf(sched: SchedSpec, nice: number): number {
  return sched.kind === "fair" ? niceToWeight(nice) : scxWeight(niceToWeight(nice));
}

interface ShareOpts {
  /** Most one task can get: 1, or 1/2 for a policy that never runs a task two slices in a row. */
  readonly cap?: number;
  readonly formula?: string;
}

function sharesCase(id: string, title: string, sched: SchedSpec, sliceNs: number, cpus: number, hogs: readonly HogDef[], windowS: number, quick: boolean, opts: ShareOpts = {}): CaseDef {
  const weights = hogs.map((h) => weightOf(sched, h.nice));
  const expected = waterfill(hogs.map((h, i): ShareTask => ({ weight: weights[i], cpus: h.cpus })), cpus, opts.cap ?? 1);
  const wMin = Math.min(...weights);
  const warmupNs = 1 * S;
  return {
    id, title,
    model: `${hogs.length} CPU hogs on ${cpus} CPU${cpus > 1 ? "s" : ""}: ${hogs.map((h) => `${h.name} nice ${h.nice}${h.cpus ? ` cpus ${h.cpus.join(",")}` : ""}`).join(", ")}; weights ${weights.join(":")}`,
    formula: opts.formula ?? (cpus === 1 ? "share_i = w_i/Σw" : "weighted max-min fair shares (water-filling) under affinity, no task above 1 CPU"),
    source: "§8",
    scheds: [sched],
    quick,
    deterministic: true,
    run(seed) {
      const r = simulate({
        plan: plan(id, hogs.map((h) => hog(h.name, h.nice, h.cpus))), cpus, sched, seed,
        windowNs: windowS * S, warmupNs,
      });
      const out: Sample = {};
      for (const h of hogs) {
        const t = r.result.tasks.find((x) => x.group === h.name);
        out[`${h.name}.share`] = t === undefined ? NaN : t.cpuNs / (windowS * S);
      }
      return out;
    },
    checks() {
      // A virtual-time policy that always runs the lowest (service/weight) keeps the spread of
      // normalised service within one quantum of the lightest task, s/w_min: task i's service is
      // then within w_i·s/w_min of its ideal, plus one quantum at the window's edge.
      return hogs.map((h, i) => ({
        metric: `${h.name}.share`, label: `share ${h.name} (nice ${h.nice})`, unit: "%" as const, analytic: expected[i], kind: "bound" as const,
        allowance: ((weights[i] / wMin + 1) * sliceNs) / (windowS * S),
        allowanceWhy: `lag bound (w_i/w_min + 1)·s/window, s = ${sliceNs / 1000} µs`,
      }));
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Round robin with quantum q and switch cost δ: N hogs

function rrOverheadCase(n: number, qUs: number, deltaUs: number, windowS: number, quick: boolean): CaseDef {
  const sched = registry("rr", { slice_us: qUs });
  const q = qUs * 1000, d = deltaUs * 1000;
  const names = Array.from({ length: n }, (_, i) => `hog${i}`);
  return {
    id: "rr-switch-cost",
    title: `RR with switch cost: ${n} hogs, q = ${qUs / 1000} ms, δ = ${deltaUs} µs`,
    model: `${n} CPU hogs on 1 CPU, rr slice ${qUs} µs, overheads on with only a context-switch cost δ = ${deltaUs} µs`,
    formula: "share = q/(N(q+δ)); useful fraction q/(q+δ); each waits (N−1)(q+δ) between quanta",
    source: "§7",
    scheds: [sched],
    quick,
    deterministic: true,
    run(seed) {
      const r = simulate({
        plan: plan("rr-hogs", names.map((h) => hog(h))), cpus: 1, sched, seed, windowNs: windowS * S, warmupNs: 1 * S,
        costs: { ...IDEAL_COSTS, contextSwitchNs: d },
      });
      const out: Sample = {};
      let gMin = Number.POSITIVE_INFINITY, gMax = 0;
      for (const h of names) {
        const t = r.result.tasks.find((x) => x.group === h);
        out[`${h}.share`] = t === undefined ? NaN : t.cpuNs / (windowS * S);
        const w = group(r, h).waitNs;
        gMin = Math.min(gMin, w.min);
        gMax = Math.max(gMax, w.max);
      }
      const cpu = r.result.cpus[0];
      out.useful = cpu.busyNs / (cpu.busyNs + cpu.overheadNs);
      out.gapMin = gMin;
      out.gapMax = gMax;
      return out;
    },
    checks() {
      const edge = (q + d) / (windowS * S);
      const why = "one quantum at the window's edge, (q+δ)/window";
      return [
        ...names.map((h) => ({ metric: `${h}.share`, label: `share ${h}`, unit: "%" as const, analytic: rrHogShare(n, q, d), kind: "bound" as const, allowance: edge, allowanceWhy: why })),
        { metric: "useful", label: "useful CPU fraction", unit: "%", analytic: rrUsefulFraction(q, d), kind: "bound", allowance: edge, allowanceWhy: why },
        { metric: "gapMin", label: "shortest wait between quanta", unit: "ms", analytic: rrGap(n, q, d), kind: "exact", allowance: 0, allowanceWhy: "exact (integer ns)" },
        { metric: "gapMax", label: "longest wait between quanta", unit: "ms", analytic: rrGap(n, q, d), kind: "exact", allowance: 0, allowanceWhy: "exact (integer ns)" },
      ];
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Textbook schedules

function textbookCase(ex: TextbookExample, sched: SchedSpec, how: string, over: (p: TextbookExample["processes"][number]) => Partial<TaskSpec> = () => ({})): CaseDef {
  return {
    id: `textbook-${ex.id}${sched.kind === "registry" && sched.name === "simple" ? "-simple" : ""}`,
    title: `Textbook ${ex.section}: ${ex.title}`,
    model: `${ex.processes.map((p) => `${p.name}(arr ${p.arrivalMs}, burst ${p.burstMs}${p.priority !== undefined ? `, prio ${p.priority}` : ""})`).join(" ")} ms; ${how}`,
    formula: `published average waiting time ${+ex.avgWaitMs.toFixed(4)} ms (Silberschatz et al. ${ex.section})`,
    source: "§9",
    scheds: [sched],
    quick: true,
    deterministic: true,
    run(seed) {
      const r = simulate({
        plan: plan(ex.id, ex.processes.map((p) => process(p.name, p.arrivalMs * 1000, p.burstMs * 1000, over(p)))), cpus: 1, sched, seed,
        windowNs: 1 * S, warmupNs: 0,
      });
      let wait = 0, turn = 0, done = 0;
      for (const p of ex.processes) {
        const t = r.result.tasks.find((x) => x.group === p.name);
        if (t === undefined || t.exitNs === null) continue;
        done++;
        turn += t.exitNs - t.startNs;
        wait += t.exitNs - t.startNs - p.burstMs * MS;
      }
      return { wait: wait / ex.processes.length, turnaround: turn / ex.processes.length, done };
    },
    checks() {
      return [
        { metric: "wait", label: "average waiting time", unit: "ms", analytic: ex.avgWaitMs * MS, kind: "exact", allowance: 1, allowanceWhy: "exact (1 ns for the average's rounding)" },
        { metric: "turnaround", label: "average turnaround time", unit: "ms", analytic: ex.avgTurnaroundMs * MS, kind: "exact", allowance: 1, allowanceWhy: "exact (1 ns for the average's rounding)" },
        { metric: "done", label: "processes finished", unit: "x", analytic: ex.processes.length, kind: "exact", allowance: 0, allowanceWhy: "exact" },
      ];
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The suite

const FAIR_BASE_SLICE_1CPU = 750_000;
const FAIR_BASE_SLICE_2CPU = 1_500_000;

export function allCases(): CaseDef[] {
  const one = [{ name: "n0", nice: 0, cpus: null }, { name: "n3", nice: 3, cpus: null }, { name: "n6", nice: 6, cpus: null }];
  const mild = [{ name: "n0", nice: 0, cpus: null }, { name: "n1", nice: 1, cpus: null }, { name: "n2", nice: 2, cpus: null }];
  const affinity = [
    { name: "a", nice: 0, cpus: [0] }, { name: "b", nice: 0, cpus: [0] },
    { name: "c", nice: 5, cpus: [1] }, { name: "d", nice: 0, cpus: null },
  ];
  const heavy = [{ name: "heavy", nice: -5, cpus: null }, { name: "x", nice: 0, cpus: null }, { name: "y", nice: 0, cpus: null }];
  const simple = registry("simple");
  // Quanta: fair's base slice (×(1 + log2 ncpu) as in the kernel), and each policy's default slice.
  const perCpu: [SchedSpec, number, number][] = [
    [fair, FAIR_BASE_SLICE_1CPU, FAIR_BASE_SLICE_2CPU], [registry("cfs-like"), 3_000_000, 3_000_000], [registry("stride"), 10_000_000, 10_000_000],
  ];
  const nameOf = (s: SchedSpec) => (s.kind === "fair" ? "fair" : s.name);
  return [
    mm1Case(0.5, { windowS: 400, quickWindowS: 40, warmupS: 1 }, true),
    mm1Case(0.9, { windowS: 1000, quickWindowS: 150, warmupS: 5 }, true),
    mmcCase(4, 0.8, { windowS: 150, quickWindowS: 20, warmupS: 2 }, true),
    mg1FifoCase("md1-fifo", "M/D/1 FIFO, ρ = 0.8", [{ name: "job", share: 1, sizeUs: 1000 }], 0.8, { windowS: 300, quickWindowS: 40, warmupS: 2 }, true),
    mg1FifoCase("mg1-bimodal-fifo", "M/G/1 FIFO, bimodal sizes, ρ = 0.7", [{ name: "short", share: 0.95, sizeUs: 200 }, { name: "long", share: 0.05, sizeUs: 10_000 }], 0.7, { windowS: 600, quickWindowS: 60, warmupS: 2 }, true),
    psCase(20, 0.6, { windowS: 100, quickWindowS: 15, warmupS: 1 }, true),
    priorityCase("priority-edf", "Preemptive priority via edf (deadlines 1 ms vs 1000 s), ρ = 0.3 + 0.5", registry("edf"), [
      { name: "hi", rho: 0.3, meanUs: 1000, over: { deadline: { runtimeUs: 1000, periodUs: 1000, deadlineUs: 1000 } } },
      { name: "lo", rho: 0.5, meanUs: 2000, over: { deadline: { runtimeUs: 2000, periodUs: 1e9, deadlineUs: 1e9 } } },
    ], { windowS: 400, quickWindowS: 40, warmupS: 2 }, true, null),
    priorityCase("priority-fair-nice", "Priority by nice under fair (−20 vs 19), ρ = 0.3 + 0.5", fair, [
      { name: "hi", rho: 0.3, meanUs: 20_000, over: { nice: -20 } },
      { name: "lo", rho: 0.5, meanUs: 40_000, over: { nice: 19 } },
    ], { windowS: 4000, quickWindowS: 400, warmupS: 20 }, false, {
      allowanceNs: (sc) => { const e = fairPriorityExtra(sc[0], sc[1], FAIR_BASE_SLICE_1CPU); return [e.hi, e.lo]; },
      why: "fair is weighted, not strict: each low arrival may run one base slice s = 0.75 ms first, and a high busy period may wait ≤ s for the running low job (bound, docs §5.3)",
    }),
    srptCase(0.8, { windowS: 300, quickWindowS: 40, warmupS: 2 }, true),
    ...perCpu.map(([s, slice]) => sharesCase(`shares-1cpu-${nameOf(s)}`, `Weighted sharing, 1 CPU, ${nameOf(s)}`, s, slice, 1, one, 20, true)),
    sharesCase("shares-1cpu-simple", "Weighted sharing, 1 CPU, simple (vtime), no weight above half", simple, 20_000_000, 1, mild, 20, true),
    sharesCase("shares-1cpu-simple-norepeat", "Weighted sharing, 1 CPU, simple (vtime), one weight above half", simple, 20_000_000, 1, one, 20, true, {
      cap: 0.5,
      formula: "water-filling with a cap of 1/2: scx_simple dispatches before it re-queues the expired task, so no task runs two slices in a row while another waits",
    }),
    ...perCpu.map(([s, , slice]) => sharesCase(`waterfill-affinity-${nameOf(s)}`, `Water-filling with affinity, 2 CPUs, ${nameOf(s)}`, s, slice, 2, affinity, 20, true)),
    ...perCpu.map(([s, , slice]) => sharesCase(`waterfill-heavy-${nameOf(s)}`, `Water-filling, one heavy task, 2 CPUs, ${nameOf(s)}`, s, slice, 2, heavy, 20, true)),
    rrOverheadCase(3, 1000, 50, 10, true),
    textbookCase(FCFS_1, registry("fifo"), "fifo"),
    textbookCase(FCFS_1, registry("simple", { fifo: true, slice_us: SIMPLE_FIFO_SLICE_US }), "simple fifo=true"),
    textbookCase(FCFS_2, registry("fifo"), "fifo"),
    textbookCase(SJF, registry("srtf"), "srtf with declared bursts (all arrive at 0: SRTF = SJF)", (p) => ({ expectedRunUs: p.burstMs * 1000 })),
    textbookCase(SRTF, registry("srtf"), "srtf with declared bursts", (p) => ({ expectedRunUs: p.burstMs * 1000 })),
    textbookCase(SJF_NP, registry("srtf", { preempt: false }), "srtf preempt=false with declared bursts", (p) => ({ expectedRunUs: p.burstMs * 1000 })),
    textbookCase(RR, registry("rr", { slice_us: 4000 }), "rr slice_us=4000"),
    textbookCase(PRIORITY, registry("edf"), "edf with relative deadline = priority × 1 s (all arrive at 0: EDF = priority order)", (p) => ({ deadline: { runtimeUs: p.burstMs * 1000, periodUs: (p.priority ?? 1) * 1e6, deadlineUs: (p.priority ?? 1) * 1e6 } })),
  ];
}

/** Looks a case up by id. */
export function findCase(id: string): CaseDef {
  const c = allCases().find((x) => x.id === id);
  if (c === undefined) throw new Error(`validate: no case ${id}`);
  return c;
}


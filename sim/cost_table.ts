/**
 * A cost table as data (`--costs file.json`): every figure of the cost model, each optional (a
 * missing one keeps the default), distances by name. Checked like every input: an unknown key,
 * a wrong type or a figure out of range is one error naming the file and JSON path.
 */
import { DEFAULT_COSTS, type CostModel, type IdleState } from "./costs.js";
import { InputError, renderGot } from "./errors.js";

/** The distances a per-distance figure names (the same CPU costs nothing). */
export const DISTANCE_KEYS = ["smt", "core", "llc", "numa"] as const;

/** A cost table file that cannot be used. */
export class CostTableError extends InputError {}

/** Largest figure accepted, ns (one simulated second: anything beyond is a unit mistake). */
const MAX_NS = 1e9;

const NS_KEYS = ["contextSwitchNs", "callbackNs", "ipiNs", "dsqLockNs", "timerNs", "perfLatencyNs"] as const;
const KEYS = new Set<string>(["schema", "notes", "smtSpeed", "perfMin", "turboMhz", "migrationNs", "dsqBounceNs", "idleStates", ...NS_KEYS]);
const IDLE_KEYS = ["name", "residencyNs", "exitNs", "polls", "powerGated"];

/** Schema name a cost table file may declare. */
export const COSTS_SCHEMA = "scxlab.costs/1";

/** Reads a parsed cost table (`j`, from `file`) over the default figures. */
export function resolveCostTable(j: unknown, file: string): CostModel {
  const fail = (path: string, expected: string, got: unknown): never => {
    throw new CostTableError({ file, path, expected, got: renderGot(got) });
  };
  if (!isRecord(j)) return fail("", "an object of cost figures", j);
  for (const k of Object.keys(j)) {
    if (!KEYS.has(k)) fail(k, `one of the keys ${[...KEYS].join(", ")}`, k);
  }
  if (j.schema !== undefined && j.schema !== COSTS_SCHEMA) fail("schema", JSON.stringify(COSTS_SCHEMA), j.schema);
  if (j.notes !== undefined && typeof j.notes !== "string") fail("notes", "a string", j.notes);
  const out: { -readonly [K in keyof CostModel]: CostModel[K] } = { ...DEFAULT_COSTS };
  for (const k of NS_KEYS) if (j[k] !== undefined) out[k] = ns(j[k], k, fail);
  if (j.smtSpeed !== undefined) out.smtSpeed = fraction(j.smtSpeed, "smtSpeed", fail);
  if (j.perfMin !== undefined) {
    const v = j.perfMin;
    if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > 1024) fail("perfMin", "an integer performance level from 1 to 1024", v);
    out.perfMin = v as number;
  }
  if (j.turboMhz !== undefined) out.turboMhz = turboMhz(j.turboMhz, fail);
  if (j.migrationNs !== undefined) out.migrationNs = byDistance(j.migrationNs, "migrationNs", DEFAULT_COSTS.migrationNs, fail);
  if (j.dsqBounceNs !== undefined) out.dsqBounceNs = byDistance(j.dsqBounceNs, "dsqBounceNs", DEFAULT_COSTS.dsqBounceNs, fail);
  if (j.idleStates !== undefined) out.idleStates = idleStates(j.idleStates, fail);
  return out;
}

type Fail = (path: string, expected: string, got: unknown) => never;

function ns(v: unknown, path: string, fail: Fail): number {
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0 || v > MAX_NS) return fail(path, `a time in ns from 0 to ${MAX_NS}`, v);
  return v;
}

function fraction(v: unknown, path: string, fail: Fail): number {
  if (typeof v !== "number" || !(v > 0) || v > 1) return fail(path, "a speed factor above 0 and at most 1", v);
  return v;
}

/** `{ "smt": ns, "core": ns, "llc": ns, "numa": ns }`, each optional, into the by-Distance array. */
function byDistance(v: unknown, path: string, base: readonly number[], fail: Fail): number[] {
  if (!isRecord(v)) return fail(path, `an object with times in ns for ${DISTANCE_KEYS.join(", ")}`, v);
  const out = [0, ...DISTANCE_KEYS.map((_, i) => base[i + 1] ?? 0)];
  for (const k of Object.keys(v)) {
    const i = (DISTANCE_KEYS as readonly string[]).indexOf(k);
    if (i < 0) fail(`${path}.${k}`, `one of ${DISTANCE_KEYS.join(", ")}`, k);
    out[i + 1] = ns(v[k], `${path}.${k}`, fail);
  }
  return out;
}

/** Package turbo frequencies by active-core count: positive MHz, one core first, never rising. */
function turboMhz(v: unknown, fail: Fail): number[] {
  if (!Array.isArray(v)) return fail("turboMhz", "an array of frequencies in MHz by active-core count, one core first", v);
  if (v.length > 4096) fail("turboMhz", "at most 4096 frequencies (one per active-core count)", `${v.length}`);
  v.forEach((f: unknown, i) => {
    if (typeof f !== "number" || !Number.isFinite(f) || f < 1 || f > 100_000) fail(`turboMhz[${i}]`, "a frequency in MHz from 1 to 100000", f);
    if (i > 0 && (f as number) > v[i - 1]) fail(`turboMhz[${i}]`, `at most the previous entry's ${v[i - 1]} MHz (more active cores never turbo higher)`, f);
  });
  return v as number[];
}

function idleStates(v: unknown, fail: Fail): IdleState[] {
  if (!Array.isArray(v)) return fail("idleStates", "an array of idle states, shallowest first", v);
  if (v.length > 16) fail("idleStates", "at most 16 idle states", `${v.length}`);
  const out: IdleState[] = [];
  v.forEach((s: unknown, i) => {
    const p = `idleStates[${i}]`;
    if (!isRecord(s)) fail(p, "an object { name, residencyNs, exitNs, polls, powerGated }", s);
    const r = s as Record<string, unknown>;
    for (const k of Object.keys(r)) if (!IDLE_KEYS.includes(k)) fail(`${p}.${k}`, `one of the keys ${IDLE_KEYS.join(", ")}`, k);
    if (typeof r.name !== "string" || r.name === "") fail(`${p}.name`, "a state name", r.name);
    const residencyNs = ns(r.residencyNs, `${p}.residencyNs`, fail);
    const exitNs = ns(r.exitNs, `${p}.exitNs`, fail);
    if (r.polls !== undefined && typeof r.polls !== "boolean") fail(`${p}.polls`, "true or false", r.polls);
    if (r.powerGated !== undefined && typeof r.powerGated !== "boolean") fail(`${p}.powerGated`, "true or false", r.powerGated);
    if (i > 0 && residencyNs <= out[i - 1].residencyNs) fail(`${p}.residencyNs`, `more than the previous state's ${out[i - 1].residencyNs} (shallowest first)`, residencyNs);
    out.push(r.powerGated === true ? { name: r.name as string, residencyNs, exitNs, polls: r.polls === true, powerGated: true } : { name: r.name as string, residencyNs, exitNs, polls: r.polls === true });
  });
  return out;
}

/** A cost model as a cost table file would spell it (distances by name). */
export function costTableJson(c: CostModel): Record<string, unknown> {
  const named = (a: readonly number[]) => Object.fromEntries(DISTANCE_KEYS.map((k, i) => [k, a[i + 1] ?? 0]));
  return {
    schema: COSTS_SCHEMA,
    contextSwitchNs: c.contextSwitchNs, callbackNs: c.callbackNs, smtSpeed: c.smtSpeed,
    migrationNs: named(c.migrationNs),
    idleStates: c.idleStates.map((s) => ({ ...s })), ipiNs: c.ipiNs,
    dsqLockNs: c.dsqLockNs, dsqBounceNs: named(c.dsqBounceNs),
    timerNs: c.timerNs, perfLatencyNs: c.perfLatencyNs, perfMin: c.perfMin, turboMhz: [...c.turboMhz],
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}


/**
 * Parsing of the CLI's structured flag values: `key=value` lists (-o, -p), scheduler specs with
 * inline options (`rr:slice_us=100:batch=8`), comma lists, on/off switches and durations.
 */
import { CliError } from "./errors.js";
import { isSchedulerFile } from "../schedulers/index.js";

export type Value = string | number | boolean;

/** `["a=1", "b=x"]` → `{ a: "1", b: "x" }`; the values stay strings (each consumer converts). */
export function parseKeyValues(flag: string, items: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    for (const part of splitList(item)) {
      const eq = part.indexOf("=");
      if (eq <= 0) throw new CliError(`${flag} ${part}: expected key=value`);
      const key = part.slice(0, eq).trim();
      if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(key)) throw new CliError(`${flag} ${part}: expected key=value with a plain key, got "${key}"`);
      if (Object.hasOwn(out, key)) throw new CliError(`${flag} ${key}: given twice`);
      // defineProperty: a key such as __proto__ stays a plain (unknown, then refused) key
      Object.defineProperty(out, key, { value: part.slice(eq + 1).trim(), enumerable: true, writable: true, configurable: true });
    }
  }
  return out;
}

/** A scheduler with its options, as written in `compare -s rr:slice_us=100` or `-s ./mine.js:k=v`. */
export interface SchedulerArg {
  /** A registered name, or a module / BPF object file. */
  readonly name: string;
  readonly options: Record<string, string>;
}

export function parseSchedulerSpec(spec: string): SchedulerArg {
  const [name, ...opts] = spec.split(":");
  if (!name || !(isSchedulerFile(name) || /^[A-Za-z0-9_-]+$/.test(name))) {
    throw new CliError(`-s ${spec}: expected a scheduler name or file, optionally followed by :key=value options`);
  }
  return { name, options: parseKeyValues(`-s ${name}:`, opts) };
}

/** "a,b, c" → ["a", "b", "c"] (empty items dropped). */
export function splitList(s: string): string[] {
  return s.split(",").map((x) => x.trim()).filter((x) => x.length > 0);
}

export function parseOnOff(flag: string, v: string | boolean): boolean {
  if (v === true || v === "on" || v === "true" || v === "1") return true;
  if (v === false || v === "off" || v === "false" || v === "0") return false;
  throw new CliError(`${flag}: expected on or off, got "${String(v)}"`);
}

/** A positive finite number of seconds → integer ns. */
export function secondsToNs(flag: string, s: unknown, allowZero = false): number {
  const n = typeof s === "number" ? s : typeof s === "string" && s.trim() !== "" ? Number(s) : NaN;
  if (!Number.isFinite(n) || n < 0 || (!allowZero && n === 0) || n > 1e6) {
    throw new CliError(`${flag}: expected seconds ${allowZero ? "≥ 0" : "> 0"} (at most 1e6), got ${JSON.stringify(s)}`);
  }
  const ns = Math.round(n * 1e9);
  // the clock counts whole nanoseconds: a positive length under half of one would be none
  if (ns === 0 && n > 0 && !allowZero) throw new CliError(`${flag}: expected at least 1 ns (1e-9 s), got ${JSON.stringify(s)}`);
  return ns;
}

export function positiveInt(flag: string, v: unknown, max = 1e6): number {
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > max) throw new CliError(`${flag}: expected an integer from 1 to ${max}, got ${JSON.stringify(v)}`);
  return n;
}

export function nonNegInt(flag: string, v: unknown, max = 1e6): number {
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > max) throw new CliError(`${flag}: expected an integer from 0 to ${max}, got ${JSON.stringify(v)}`);
  return n;
}

/**
 * What a user waits for from a fresh process: the CLI's start-up (`scxlab list`, `scxlab
 * --help`, beside `node -e 0`) and the M/M/c yardstick run through `scxlab run` itself, cold
 * (its own wall time, as the RunResult reports it). Each is a spawned process; the first spawn
 * of each kind only warms the file cache, the median of the rest counts. When the C loop of
 * shared/perfref (beside the checkout, or in $SCXLAB_PERFREF) and a C compiler are there, it
 * runs in the same sitting.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const MAIN = fileURLToPath(new URL("../main.js", import.meta.url));
/** The reference C loop, when the checkout sits beside shared/ as in development. */
const C_SOURCE = process.env["SCXLAB_PERFREF"] !== undefined
  ? join(process.env["SCXLAB_PERFREF"], "mmc.c")
  : fileURLToPath(new URL("../../../../shared/perfref/mmc.c", import.meta.url));

export interface StartupOut {
  /** Median wall ms of a spawn, and every spawn counted. */
  readonly listMs: number;
  readonly helpMs: number;
  readonly nodeMs: number;
  readonly runs: { readonly list: number[]; readonly help: number[]; readonly node: number[] };
}

export interface ColdRunOut {
  readonly customers: number;
  /** Median over the repetitions of customers ÷ the run's own wall time. */
  readonly customersPerS: number;
  readonly wallMs: readonly number[];
  /** The C loop on the same model in the same sitting (median), or null without it. */
  readonly cCustomersPerS: number | null;
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function spawnMs(args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"] });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`bench: node ${args.join(" ")} failed: ${String(r.stderr).trim().split("\n").slice(-1)[0] ?? r.status}`);
  return ms;
}

/** `scxlab list`, `scxlab --help` and `node -e 0`, each spawned `reps` + 1 times, interleaved. */
export function measureStartup(reps: number): StartupOut {
  const runs = { list: [] as number[], help: [] as number[], node: [] as number[] };
  for (let i = 0; i <= reps; i++) {
    const list = spawnMs([MAIN, "list"]), help = spawnMs([MAIN, "--help"]), node = spawnMs(["-e", "0"]);
    if (i === 0) continue;
    runs.list.push(list); runs.help.push(help); runs.node.push(node);
  }
  return { listMs: median(runs.list), helpMs: median(runs.help), nodeMs: median(runs.node), runs };
}

/** The M/M/c model as a workload file: one open-loop task per customer, service Exp(1 ms). */
function mmcWorkload(customers: number, c: number, rho: number): { json: string; durationS: number } {
  const rate = rho * c * 1000;
  const json = JSON.stringify({ tasks: { customer: { arrivals: { process: "poisson", rate, max: customers }, run: { dist: "exp", mean: 1000 } } } });
  return { json, durationS: Math.ceil((customers / rate) * 2 + 60) };
}

/** The yardstick through `scxlab run -s simple -o fifo=true --overheads off`, `reps` fresh processes. */
export function measureColdRun(customers: number, c: number, rho: number, reps: number): ColdRunOut {
  const dir = mkdtempSync(join(tmpdir(), "scxlab-bench-"));
  try {
    const { json, durationS } = mmcWorkload(customers, c, rho);
    const file = join(dir, "mmc.json"), out = join(dir, "run.json");
    writeFileSync(file, json);
    const wallMs: number[] = [];
    let completed = 0;
    for (let i = 0; i < reps; i++) {
      spawnMs([MAIN, "run", "-s", "simple", "-o", "fifo=true", "-w", file, "--cpus", String(c), "--overheads", "off", "--duration", String(durationS), "--seed", String(i + 1), "--json", out, "-q"]);
      const r = JSON.parse(readFileSync(out, "utf8")) as { wallMs: number; groups: Record<string, { completed: number }> };
      wallMs.push(r.wallMs);
      completed = r.groups["customer"]?.completed ?? 0;
    }
    return { customers: completed, customersPerS: completed / (median(wallMs) / 1000), wallMs, cCustomersPerS: cLoop(dir, customers, c, rho, reps) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The C loop's customers per second (median of `reps`), or null without its source or a compiler. */
function cLoop(dir: string, customers: number, c: number, rho: number, reps: number): number | null {
  if (!existsSync(C_SOURCE)) return null;
  const bin = join(dir, "mmc");
  try {
    execFileSync("cc", ["-O2", "-o", bin, C_SOURCE, "-lm"], { stdio: "ignore" });
    const rates: number[] = [];
    for (let i = 0; i < reps; i++) {
      const o = JSON.parse(execFileSync(bin, [String(customers), String(c), String(rho), String(i + 1)], { encoding: "utf8" })) as { events: number; seconds: number };
      rates.push(o.events / 2 / o.seconds);
    }
    return median(rates);
  } catch {
    return null;
  }
}

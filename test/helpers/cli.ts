/** The built CLI (`dist/cli/main.js`, so `npx tsc` first) run as a user runs it. */
import { spawnSync } from "node:child_process";
import { join } from "node:path";

export const MAIN = join(__dirname, "../../dist/cli/main.js");

export interface CliRun {
  readonly code: number | null;
  readonly out: string;
  readonly err: string;
}

/** Runs `scxlab ...args` to completion: its exit code, stdout and stderr. The timeout only bounds a hang. */
export function scxlab(...args: string[]): CliRun {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: "utf8", timeout: 300_000, maxBuffer: 64 * 2 ** 20 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

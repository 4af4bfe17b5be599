/**
 * The built CLI (`dist/cli/main.js`, so `npx tsc` first) run as a user runs it, from a scratch
 * directory: a command that falls back to its default `--out out` writes there, never into the
 * checkout's own out/ (test/outGuard.ts fails the suite if out/ changes).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const MAIN = join(__dirname, "../../dist/cli/main.js");

/** The working directory of every CLI this test process spawns. */
export const SCRATCH = mkdtempSync(join(tmpdir(), "scxlab-cwd-"));

export interface CliRun {
  readonly code: number | null;
  readonly out: string;
  readonly err: string;
  /** Still running at the bound and killed: a hang. */
  readonly hung: boolean;
}

/** Runs `scxlab ...args` to completion: its exit code, stdout and stderr. The timeout only bounds a hang. */
export function scxlab(...args: string[]): CliRun {
  return scxlabWithin(300_000, args);
}

/** Runs `scxlab ...args`, killed (SIGKILL) if it outlives `boundMs`: then `hung` is set. */
export function scxlabWithin(boundMs: number, args: readonly string[]): CliRun {
  const r = spawnSync(process.execPath, [MAIN, ...args], {
    encoding: "utf8", timeout: boundMs, killSignal: "SIGKILL", maxBuffer: 64 * 2 ** 20, cwd: SCRATCH,
  });
  const hung = (r.error as NodeJS.ErrnoException | undefined)?.code === "ETIMEDOUT";
  return { code: r.status, out: r.stdout ?? "", err: r.stderr ?? "", hung };
}

/**
 * Runs the built CLI (dist/cli/main.js) as a user would, from a scratch directory: a command
 * that falls back to its default `--out out` writes there, never into the checkout's own out/.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const MAIN = join(import.meta.dirname, "../../dist/cli/main.js");

/** The working directory of every spawned CLI in this test process. */
export const SCRATCH = mkdtempSync(join(tmpdir(), "scxlab-cwd-"));

export function scxlab(args: readonly string[], timeout = 120_000, env?: NodeJS.ProcessEnv) {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: "utf8", timeout, maxBuffer: 64 * 2 ** 20, cwd: SCRATCH, env: env ?? process.env });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

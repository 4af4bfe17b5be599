/**
 * Writing a command's set of output files (report.html, results.json, results.csv, shard files)
 * so that a crash, a Ctrl-C or a second scxlab writing into the same folder never leaves a mixed
 * set. The set is written into a staging folder inside `--out`, then each file is renamed into
 * place (each rename is atomic; together they take microseconds), and files of an earlier set
 * that this one does not write (an old shard.json, failed.json, timeline.json) are removed. A
 * lock file keeps two writers apart; staging folders and locks of dead processes are cleaned up.
 * Files in `--out` that scxlab did not write are never touched.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CliError } from "./errors.js";

/** Every file name a sweep command may write into `--out`; stale ones are removed. */
export const OUTPUT_NAMES = [
  "report.html", "results.json", "results.csv", "shard.json", "timeline.json", "failed.json", "tasks.json", "result.json",
] as const;

const STAGING_PREFIX = ".scxlab-staging-";
const LOCK = ".scxlab.lock";

/**
 * Writes the set produced by `write(stagingDir)` into `out`. When `interrupted()` turns true
 * before the files are moved, nothing is moved and the staging folder is removed: the previous
 * set stays whole. Returns false in that case.
 */
export async function writeOutputSet(out: string, write: (dir: string) => Promise<void>, interrupted: () => boolean = () => false): Promise<boolean> {
  mkdirSync(out, { recursive: true });
  takeLock(out);
  const staging = join(out, `${STAGING_PREFIX}${process.pid}`);
  try {
    cleanStale(out);
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging);
    await write(staging);
    if (interrupted()) return false;
    const written = readdirSync(staging);
    for (const name of written) renameSync(join(staging, name), join(out, name));
    for (const name of OUTPUT_NAMES) if (!written.includes(name)) rmSync(join(out, name), { force: true });
    return true;
  } finally {
    rmSync(staging, { recursive: true, force: true });
    rmSync(join(out, LOCK), { force: true });
  }
}

function takeLock(out: string): void {
  const lock = join(out, LOCK);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lock, `${process.pid}\n`, { flag: "wx" });
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const holder = Number.parseInt(readText(lock), 10);
      if (Number.isInteger(holder) && holder !== process.pid && alive(holder)) {
        throw new CliError({ file: "--out", path: "", expected: `a folder no other scxlab is writing`, got: `${out} (locked by pid ${holder})` });
      }
      rmSync(lock, { force: true });
    }
  }
  throw new CliError({ file: "--out", path: "", expected: "a folder whose lock can be taken", got: out });
}

/** Staging folders left by processes that died mid-write. */
function cleanStale(out: string): void {
  for (const name of readdirSync(out)) {
    if (!name.startsWith(STAGING_PREFIX)) continue;
    const pid = Number.parseInt(name.slice(STAGING_PREFIX.length), 10);
    if (!Number.isInteger(pid) || !alive(pid) || pid === process.pid) rmSync(join(out, name), { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readText(p: string): string {
  try {
    return readFileSync(p, "utf8");
  } catch {
    return "";
  }
}

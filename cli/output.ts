/** Writing a command's output file or stdout: atomically, so nothing half-written is left. */
import { dirname, resolve } from "node:path";
import { accessSync, constants, mkdirSync, statSync, type Stats } from "node:fs";
import { CliError } from "./errors.js";
import { atomicWrite, atomicWriteStream } from "../results/index.js";
import { prettyJsonPieces } from "../results/io/json_pieces.js";
import { batches } from "../results/io/batches.js";

/**
 * Writes `value` as `JSON.stringify(value, null, 2)` and a newline to a file (atomically) or to
 * stdout for "-", in pieces: a result with hundreds of thousands of groups is too long for one string.
 */
export async function writeJsonOut(target: string, value: unknown): Promise<void> {
  if (target === "-") {
    for (const batch of batches(jsonLines(value))) await writeStdout(batch);
    return;
  }
  mkdirSync(dirname(target), { recursive: true });
  await atomicWriteStream(target, jsonLines(value));
}

function* jsonLines(value: unknown): Generator<string> {
  yield* prettyJsonPieces(value);
  yield "\n";
}

/** Writes `text` to `target` ("-" = stdout). */
export async function writeOut(target: string, text: string): Promise<void> {
  if (target === "-") {
    process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
    return;
  }
  mkdirSync(dirname(target), { recursive: true });
  await atomicWrite(target, text.endsWith("\n") ? text : `${text}\n`);
}

/** Pseudo file systems: writing there hangs or means nothing (recursive mkdir on procfs never ends). */
const PSEUDO_FS = ["/proc", "/sys", "/dev"];

/**
 * Checks, before anything runs, that `dir` can become an output directory: not a file, not on a
 * pseudo file system, and its nearest existing ancestor a writable directory.
 */
export function checkOutputDir(flag: string, dir: string): void {
  checkPlace(flag, dir, "directory");
}

/** The same for an output file (`--json`, `--trace`, `import --out`); "-" is stdout. */
export function checkOutputFile(flag: string, file: string): void {
  if (file !== "-") checkPlace(flag, file, "file");
}

function checkPlace(flag: string, target: string, kind: "file" | "directory"): void {
  const abs = resolve(target);
  const bad = (got: string) => new CliError({ file: flag, path: "", expected: `a writable ${kind} path`, got: `${JSON.stringify(target)} (${got})` });
  if (PSEUDO_FS.some((p) => abs === p || abs.startsWith(`${p}/`))) throw bad(`on the pseudo file system ${abs.split("/").slice(0, 2).join("/")}`);
  const st = statOrNull(abs);
  if (st !== null) {
    if (kind === "directory" && !st.isDirectory()) throw bad("an existing file");
    if (kind === "file" && st.isDirectory()) throw bad("a directory");
    if (kind === "file" && !st.isFile()) throw bad("not a regular file");
  }
  let parent = kind === "directory" && st !== null ? abs : dirname(abs);
  for (let up = statOrNull(parent); up === null; up = statOrNull(parent)) parent = dirname(parent);
  const pst = statOrNull(parent);
  if (pst === null || !pst.isDirectory()) throw bad(`${parent} is not a directory`);
  try {
    accessSync(parent, constants.W_OK);
  } catch {
    throw bad(`${parent} is not writable`);
  }
}

function statOrNull(p: string): Stats | null {
  try {
    return statSync(p);
  } catch {
    return null;
  }
}

/** Writes to stdout and waits while its buffer is full, so a pipe read slowly does not hold the whole output in memory. */
function writeStdout(text: string): Promise<void> {
  return new Promise((done) => {
    if (process.stdout.write(text)) done();
    else process.stdout.once("drain", done);
  });
}

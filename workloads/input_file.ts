/**
 * Reading a user's input file: only regular files (a FIFO, /dev/zero or a directory would hang
 * or never end) and only up to a size that makes sense for what it is. Every refusal is an
 * InputError naming the file, so the CLI prints one line and exits 2.
 */
import { readFileSync, statSync, type Stats } from "node:fs";
import { InputError } from "../sim/errors.js";

/** Size limits by kind of input, in bytes. */
export const INPUT_LIMITS = {
  workload: 16 << 20,
  topology: 16 << 20,
  trace: 256 << 20,
  results: 512 << 20,
  bench: 16 << 20,
  costs: 1 << 20,
} as const;

export type InputKind = keyof typeof INPUT_LIMITS;

/** The text of `path`, refused unless it is a readable regular file within the kind's limit. */
export function readInputText(path: string, kind: InputKind, what: string = `a ${kind} file`): string {
  let st: Stats;
  try {
    st = statSync(path);
  } catch (e) {
    throw new InputError({ file: path, path: "", expected: `a readable ${what.replace(/^an? /, "")}`, got: (e as NodeJS.ErrnoException).code ?? "an error" });
  }
  if (!st.isFile()) throw new InputError({ file: path, path: "", expected: `${what} (a regular file)`, got: fileKind(st) });
  const limit = INPUT_LIMITS[kind];
  if (st.size > limit) throw new InputError({ file: path, path: "", expected: `${what} of at most ${limit >> 20} MiB`, got: `${(st.size / (1 << 20)).toFixed(1)} MiB` });
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new InputError({ file: path, path: "", expected: `a readable ${what.replace(/^an? /, "")}`, got: (e as NodeJS.ErrnoException).code ?? "an error" });
  }
}

function fileKind(st: Stats): string {
  if (st.isDirectory()) return "a directory";
  if (st.isCharacterDevice()) return "a character device";
  if (st.isBlockDevice()) return "a block device";
  if (st.isFIFO()) return "a FIFO";
  if (st.isSocket()) return "a socket";
  return "not a regular file";
}

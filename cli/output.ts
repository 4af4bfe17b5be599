/** Writing a command's output file or stdout: atomically, so nothing half-written is left. */
import { dirname } from "node:path";
import { mkdirSync } from "node:fs";
import { atomicWrite } from "../results/index.js";

/** Writes `text` to `target` ("-" = stdout). */
export async function writeOut(target: string, text: string): Promise<void> {
  if (target === "-") {
    process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
    return;
  }
  mkdirSync(dirname(target), { recursive: true });
  await atomicWrite(target, text.endsWith("\n") ? text : `${text}\n`);
}

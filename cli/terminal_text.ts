/** Text from users' files made safe to print on a terminal. */
import { escapeControls } from "../sim/printable.js";

/** Escapes what could drive or disguise the terminal (see `escapeControls`). */
export const clean = escapeControls;

/** `clean` applied line by line to human-readable output, keeping its line breaks and tabs. */
export function cleanText(s: string): string {
  return s.split("\n").map((line) => line.split("\t").map(clean).join("\t")).join("\n");
}

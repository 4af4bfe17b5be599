/** Text from users' files made safe to print on a terminal. */

/**
 * Escapes control and invisible formatting characters (C0, DEL, C1, bidi overrides and isolates,
 * zero-width marks, line separators) as \uXXXX, so names from files cannot drive or disguise
 * the terminal (a U+202E in a task name would reverse the rest of the line).
 */
export function clean(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** `clean` applied line by line to human-readable output, keeping its line breaks and tabs. */
export function cleanText(s: string): string {
  return s.split("\n").map((line) => line.split("\t").map(clean).join("\t")).join("\n");
}

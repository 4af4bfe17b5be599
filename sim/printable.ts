/** Text from users' files and objects made safe to print on a terminal or in a one-line error. */

/**
 * Escapes control and invisible formatting characters (C0, DEL, C1, bidi overrides and isolates,
 * zero-width marks, line separators) as \uXXXX, so names taken from workloads, traces or `.bpf.o`
 * files cannot drive or disguise a terminal (a U+202E in a task name would reverse the rest of the
 * line) nor split a one-line error.
 */
export function escapeControls(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/**
 * Any value a user's code hands over (a thrown value, a callback's return, a kfunc argument) as
 * one printable line: String() can itself throw (a throwing toString, a Proxy's traps, a
 * null-prototype object), and then the value is named by its type instead.
 */
export function printable(v: unknown): string {
  let s: string;
  try {
    s = String(v);
  } catch {
    s = `an unprintable ${typeof v}`;
  }
  return escapeControls(s);
}

/** Aligned text columns for the terminal (kept apart so that `list` loads no run formatting). */

/** Aligned columns: the first (or, with `leftAll`, every) column left-aligned, the rest right. */
export function table(rows: string[][], leftAll = false): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === 0 || leftAll ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ").trimEnd());
}

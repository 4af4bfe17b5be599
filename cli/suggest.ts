/**
 * "Did you mean" for names typed on the command line: the known names closest to the one
 * given, by edit distance (insertions, deletions, substitutions and swaps of neighbours), kept
 * when the distance is small for the name's length. Used for scheduler, workload and option names.
 */

/** Optimal string alignment distance: Levenshtein plus transposing two adjacent characters. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** Up to three known names within reach of `name` (a third of its length, at least 1), closest first. */
export function closestNames(name: string, known: readonly string[]): string[] {
  const lower = name.toLowerCase();
  const reach = Math.max(1, Math.floor(lower.length / 3));
  return known
    .map((k) => ({ k, d: k.toLowerCase().startsWith(lower) && lower.length >= 2 ? 0.5 : editDistance(lower, k.toLowerCase()) }))
    .filter((x) => x.d <= reach)
    .sort((x, y) => x.d - y.d || x.k.localeCompare(y.k))
    .slice(0, 3)
    .map((x) => x.k);
}

/** "; did you mean bpfland?" (or "a or b?"), or "" when nothing is close. */
export function didYouMean(name: string, known: readonly string[]): string {
  const close = closestNames(name, known);
  if (close.length === 0) return "";
  return `; did you mean ${close.length === 1 ? close[0] : `${close.slice(0, -1).join(", ")} or ${close[close.length - 1]}`}?`;
}

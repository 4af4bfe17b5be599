/** Joining a stream of small output pieces into writes of useful size. */

/** About a megabyte: few enough writes for speed, small enough that no batch nears V8's string limit. */
const BATCH_CHARS = 1 << 20;

/** Yields `pieces` joined into strings of at least `BATCH_CHARS` characters (the last may be shorter; none is empty). */
export function* batches(pieces: Iterable<string>): Generator<string> {
  let batch: string[] = [];
  let size = 0;
  for (const piece of pieces) {
    batch.push(piece);
    size += piece.length;
    if (size >= BATCH_CHARS) {
      yield batch.join("");
      batch = [];
      size = 0;
    }
  }
  if (size > 0) yield batch.join("");
}

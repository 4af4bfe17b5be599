import { randomBytes } from "node:crypto";
import { mkdir, open, rename, rm, type FileHandle } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { batches } from "./batches.js";

/**
 * Write a file so that readers see either the old content or the whole new content, never a
 * prefix: write a temp file in the same directory (rename is only atomic within a filesystem),
 * flush it to disk, then rename it over the target. On any failure the temp file is removed.
 */
export async function atomicWrite(path: string, data: string | Uint8Array): Promise<string> {
  return viaTempFile(path, (fh) => fh.writeFile(data));
}

/**
 * The same guarantee for output too big to hold as one string (a trace of a busy run): the
 * pieces are written in order, batched into writes of about a megabyte, then renamed into place.
 */
export async function atomicWriteStream(path: string, pieces: Iterable<string>): Promise<string> {
  return viaTempFile(path, async (fh) => {
    for (const batch of batches(pieces)) await fh.write(batch);
  });
}

/** Fills a fresh temp file beside `path`, syncs it and renames it over `path`. */
async function viaTempFile(path: string, fill: (fh: FileHandle) => Promise<unknown>): Promise<string> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    const fh = await open(tmp, "wx");
    try {
      await fill(fh);
      // Without the sync a crash after the rename can leave an empty file under the new name.
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  return path;
}

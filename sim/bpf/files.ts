/**
 * Open files and per-process descriptor tables. A file holds one reference on its object; dup
 * and fork share the file, so the object reference goes only when the file's last fd closes.
 */
import { EMFILE } from "./errno.js";
import type { BpfObject } from "./bpf_kernel.js";

/** What an fd can refer to: a bpf object, or a stand-in for stdio. */
export type FileObject = BpfObject | { readonly kind: "tty" };

/** Takes a user reference (fd file or pin) on a bpf object. */
export function holdObject(o: BpfObject): void {
  if (o.kind === "map") o.map.get(true);
  else o.link.get();
}

/** Drops a user reference; may free the object (and unregister an attached link). */
export function dropObject(o: BpfObject): void {
  if (o.kind === "map") o.map.put(true);
  else o.link.put();
}

export class OpenFile {
  private fds = 0;

  /** The object's reference must already be held on the file's behalf. */
  constructor(readonly obj: FileObject) {}

  hold(): void {
    this.fds++;
  }

  release(): void {
    if (--this.fds === 0 && this.obj.kind !== "tty") dropObject(this.obj);
  }
}

export interface FdEntry {
  readonly file: OpenFile;
  /** FD_CLOEXEC: bpf(2) creates every fd with it; dup(2) clears it on the copy. */
  readonly cloexec: boolean;
}

export class FdTable {
  /** Default RLIMIT_NOFILE soft limit. */
  static readonly NOFILE = 1024;
  private readonly fds = new Map<number, FdEntry>();

  private lowestFree(): number {
    let fd = 0;
    while (this.fds.has(fd)) fd++;
    return fd;
  }

  hasRoom(): boolean {
    return this.lowestFree() < FdTable.NOFILE;
  }

  /** Installs `file` at the lowest free fd; -EMFILE when the table is full. */
  install(file: OpenFile, cloexec: boolean): number {
    const fd = this.lowestFree();
    if (fd >= FdTable.NOFILE) return -EMFILE;
    file.hold();
    this.fds.set(fd, { file, cloexec });
    return fd;
  }

  /** Installs a new file for `obj`, whose reference the caller holds; on -EMFILE that ref is dropped. */
  installNew(obj: BpfObject): number {
    const fd = this.install(new OpenFile(obj), true);
    if (fd < 0) dropObject(obj);
    return fd;
  }

  get(fd: number): FdEntry | undefined {
    return this.fds.get(fd);
  }

  remove(fd: number): FdEntry | undefined {
    const e = this.fds.get(fd);
    this.fds.delete(fd);
    return e;
  }

  /** Open fds in ascending order. */
  list(): number[] {
    return [...this.fds.keys()].sort((a, b) => a - b);
  }

  /** fork: the child gets the same files under the same numbers and flags. */
  clone(): FdTable {
    const t = new FdTable();
    for (const fd of this.list()) {
      const e = this.fds.get(fd);
      if (e === undefined) continue;
      e.file.hold();
      t.fds.set(fd, e);
    }
    return t;
  }
}

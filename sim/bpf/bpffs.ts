/**
 * bpffs pins: a path that holds a user reference on a map or link, outliving every process.
 * Directories are not modelled; any name under the mount point is a valid pin path.
 */
import { EEXIST, ENOENT, EPERM } from "./errno.js";
import { dropObject, holdObject } from "./files.js";
import type { BpfKernel, BpfObject } from "./bpf_kernel.js";

export const BPFFS_MOUNT = "/sys/fs/bpf/";

function onBpffs(path: string): boolean {
  return path.startsWith(BPFFS_MOUNT) && path.length > BPFFS_MOUNT.length && !path.endsWith("/");
}

/** BPF_OBJ_PIN: -EPERM off bpffs, -EEXIST if the name is taken. */
export function pin(kernel: BpfKernel, obj: BpfObject, path: string): number {
  if (!onBpffs(path)) return -EPERM;
  if (kernel.pins.has(path)) return -EEXIST;
  holdObject(obj);
  kernel.pins.set(path, obj);
  return 0;
}

/** BPF_OBJ_GET: the pinned object with a new reference taken for the caller's new fd. */
export function getPinned(kernel: BpfKernel, path: string): BpfObject | number {
  const obj = kernel.pins.get(path);
  if (obj === undefined) return -ENOENT;
  holdObject(obj);
  return obj;
}

/** unlink(2) of a pin: drops its reference, which may be the last one. */
export function unpin(kernel: BpfKernel, path: string): number {
  const obj = kernel.pins.get(path);
  if (obj === undefined) return -ENOENT;
  kernel.pins.delete(path);
  dropObject(obj);
  return 0;
}

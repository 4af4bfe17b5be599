/**
 * Kernel errno values and bpf(2) flag bits, with the kernel's numbers, so results read the same as
 * on a real machine (syscalls here return -errno instead of setting errno).
 */

export const EPERM = 1;
export const ENOENT = 2;
export const ESRCH = 3;
export const E2BIG = 7;
export const EBADF = 9;
export const ENOMEM = 12;
export const EFAULT = 14;
export const EBUSY = 16;
export const EEXIST = 17;
export const EINVAL = 22;
export const EMFILE = 24;
export const ENODEV = 19;
export const ENOLINK = 67;
export const EOPNOTSUPP = 95;
export const EINPROGRESS = 115;
/** Kernel-internal "not supported"; libc has no text for it, and libbpf probing expects 524. */
export const ENOTSUPP = 524;

const NAMES: ReadonlyMap<number, readonly [name: string, text: string]> = new Map([
  [0, ["0", "Success"]],
  [EPERM, ["EPERM", "Operation not permitted"]],
  [ENOENT, ["ENOENT", "No such file or directory"]],
  [ESRCH, ["ESRCH", "No such process"]],
  [E2BIG, ["E2BIG", "Argument list too long"]],
  [EBADF, ["EBADF", "Bad file descriptor"]],
  [ENOMEM, ["ENOMEM", "Cannot allocate memory"]],
  [EFAULT, ["EFAULT", "Bad address"]],
  [EBUSY, ["EBUSY", "Device or resource busy"]],
  [EEXIST, ["EEXIST", "File exists"]],
  [ENODEV, ["ENODEV", "No such device"]],
  [EINVAL, ["EINVAL", "Invalid argument"]],
  [EMFILE, ["EMFILE", "Too many open files"]],
  [ENOLINK, ["ENOLINK", "Link has been severed"]],
  [EOPNOTSUPP, ["EOPNOTSUPP", "Operation not supported"]],
  [EINPROGRESS, ["EINPROGRESS", "Operation now in progress"]],
  [ENOTSUPP, ["ENOTSUPP", "Unknown error 524"]],
]);

/** The message glibc's strerror gives for a (positive) errno; "Unknown error N" otherwise. */
export function strerror(n: number): string {
  return NAMES.get(n)?.[1] ?? `Unknown error ${n}`;
}

/** The symbolic name of an errno (positive or negated), e.g. -22 -> "EINVAL"; for logs and test messages. */
export function errnoName(n: number): string {
  return NAMES.get(Math.abs(n))?.[0] ?? `E${Math.abs(n)}`;
}

// map_update_elem flags
export const BPF_ANY = 0;
export const BPF_NOEXIST = 1;
export const BPF_EXIST = 2;

// map_create flags
export const BPF_F_RDONLY = 1 << 3;
export const BPF_F_LINK = 1 << 13;

// link_update flags
export const BPF_F_REPLACE = 1 << 2;

// poll(2) event bits
export const EPOLLERR = 0x008;
export const EPOLLHUP = 0x010;

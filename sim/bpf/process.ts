/**
 * A user-space process: a name, a pid, capabilities and an fd table. Dying (exit or crash) closes
 * every fd, which is how a loader's death releases its links. A dead process cannot make calls,
 * so using one throws rather than returning an errno.
 */
import { EBADF } from "./errno.js";
import { FdTable, OpenFile } from "./files.js";
import type { BpfKernel, Task } from "./bpf_kernel.js";
import { BpfSyscalls, type SyscallContext } from "./syscalls.js";

export interface SpawnOptions {
  /** CAP_BPF (map create); default true. */
  readonly capBpf?: boolean;
  /** CAP_SYS_ADMIN (get fd by id); defaults to capBpf. */
  readonly capSysAdmin?: boolean;
}

export type ExitStatus = { readonly code: number } | { readonly signal: string };

export class Process implements Task {
  readonly pid: number;
  /** The bpf(2) facade. */
  readonly bpf: BpfSyscalls;
  private status: ExitStatus | null = null;
  private readonly capBpf: boolean;
  private readonly capSysAdmin: boolean;

  /** Use BpfSubsystem.spawnProcess or fork. */
  constructor(
    private readonly kernel: BpfKernel,
    private comm: string,
    opts: SpawnOptions,
    private readonly fds: FdTable = Process.stdio(),
  ) {
    this.pid = kernel.allocPid();
    this.capBpf = opts.capBpf ?? true;
    this.capSysAdmin = opts.capSysAdmin ?? this.capBpf;
    const ctx: SyscallContext = {
      kernel, fds, capBpf: this.capBpf, capSysAdmin: this.capSysAdmin,
      enter: (fn) => this.enter(fn),
    };
    this.bpf = new BpfSyscalls(ctx);
  }

  /** A table with fds 0-2 taken, so bpf fds start at 3 and fd 0 is a valid non-bpf fd. */
  private static stdio(): FdTable {
    const t = new FdTable();
    const tty = new OpenFile({ kind: "tty" });
    for (let i = 0; i < 3; i++) t.install(tty, false);
    return t;
  }

  get name(): string {
    return this.comm;
  }

  get alive(): boolean {
    return this.status === null;
  }

  /** null while alive. */
  get exitStatus(): ExitStatus | null {
    return this.status;
  }

  private enter<T>(fn: () => T): T {
    if (this.status !== null) throw new Error(`${this.comm}[${this.pid}] is dead and cannot make system calls`);
    return this.kernel.as(this, fn);
  }

  /** Open fds in ascending order (stdio included). */
  openFds(): number[] {
    return this.enter(() => this.fds.list());
  }

  /** close(2): 0 or -EBADF. Closing the last fd of a link's last file unregisters it. */
  close(fd: number): number {
    return this.enter(() => {
      const e = this.fds.remove(fd);
      if (e === undefined) return -EBADF;
      e.file.release();
      return 0;
    });
  }

  /** dup(2): a new fd on the same file, without FD_CLOEXEC; or -errno. */
  dup(fd: number): number {
    return this.enter(() => {
      const e = this.fds.get(fd);
      return e === undefined ? -EBADF : this.fds.install(e.file, false);
    });
  }

  /** fork(2): a child sharing every open file; `name` defaults to the parent's. */
  fork(name: string = this.comm): Process {
    return this.enter(() => new Process(this.kernel, name, { capBpf: this.capBpf, capSysAdmin: this.capSysAdmin }, this.fds.clone()));
  }

  /** execve(2): closes FD_CLOEXEC fds (every fd bpf(2) created); optionally renames. */
  exec(name?: string): number {
    return this.enter(() => {
      for (const fd of this.fds.list()) {
        if (this.fds.get(fd)?.cloexec) this.fds.remove(fd)?.file.release();
      }
      if (name !== undefined) this.comm = name;
      return 0;
    });
  }

  /** exit(2): closes every fd in this process's context, then the process is dead. */
  exit(code = 0): void {
    this.die({ code });
  }

  /** Death by signal (SIGSEGV, SIGKILL, ...): the same fd teardown as exit. */
  crash(signal = "SIGSEGV"): void {
    this.die({ signal });
  }

  private die(status: ExitStatus): void {
    this.enter(() => {
      for (const fd of this.fds.list()) this.fds.remove(fd)?.file.release();
    });
    this.status = status;
  }

  /** /proc/PID/fdinfo/FD for a bpf fd: the kernel's key:\tvalue lines; "" for stdio; -EBADF. */
  fdinfo(fd: number): string | number {
    return this.enter(() => {
      const obj = this.fds.get(fd)?.file.obj;
      if (obj === undefined) return -EBADF;
      if (obj.kind === "tty") return "";
      if (obj.kind === "link") {
        const mapLine = obj.link.map === null ? "" : `map_id:\t${obj.link.map.id}\n`;
        return `link_type:\tstruct_ops\nlink_id:\t${obj.link.id}\n${mapLine}`;
      }
      const s = obj.map.shape;
      const flags = `0x${s.flags.toString(16)}`;
      return `map_type:\t26\nkey_size:\t${s.keySize}\nvalue_size:\t${s.valueSize}\nmax_entries:\t${s.maxEntries}\n` +
        `map_flags:\t${flags}\nmap_id:\t${obj.map.id}\n`;
    });
  }
}

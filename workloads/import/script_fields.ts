/**
 * The fields of the sched events `perf script` prints, in the kernel's own format
 * (`prev_comm=… prev_pid=…`) and libtraceevent's compact one (`comm:pid [prio] S ==> …`).
 * What follows the known fields is ignored: newer kernels add fields (`group_dead=true` on
 * 6.18), and `perf script -F …,ip,sym` appends an address and a symbol.
 */

export interface Switch {
  readonly prevComm: string;
  readonly prev: number;
  readonly prevPrio: number;
  readonly prevState: string;
  readonly nextComm: string;
  readonly next: number;
  readonly nextPrio: number;
}

export interface Named {
  readonly comm: string;
  readonly pid: number;
  readonly prio: number | null;
}

/** Anything after the fields we read: more fields, or -F ip,sym's address and symbol. */
const REST = "(?:\\s.*)?$";
const SWITCH_KV = new RegExp(`^prev_comm=(.*) prev_pid=(-?\\d+) prev_prio=(-?\\d+) prev_state=(\\S+) ==> next_comm=(.*) next_pid=(-?\\d+) next_prio=(-?\\d+)${REST}`);
const SWITCH_PLUGIN = new RegExp(`^(.*):(-?\\d+) \\[(-?\\d+)\\] (\\S+) ==> (.*):(-?\\d+) \\[(-?\\d+)\\]${REST}`);
const NAMED_KV = new RegExp(`^comm=(.*?) pid=(-?\\d+)(?: prio=(-?\\d+))?${REST}`);
const NAMED_PLUGIN = new RegExp(`^(.*?):(-?\\d+) \\[(-?\\d+)\\]${REST}`);
const FORK = new RegExp(`^comm=(.*) pid=(-?\\d+) child_comm=(.*) child_pid=(-?\\d+)${REST}`);

export function parseSwitch(fields: string): Switch | null {
  const s = SWITCH_KV.exec(fields) ?? SWITCH_PLUGIN.exec(fields);
  if (!s) return null;
  return {
    prevComm: s[1]!, prev: Number(s[2]), prevPrio: Number(s[3]), prevState: s[4]!,
    nextComm: s[5]!, next: Number(s[6]), nextPrio: Number(s[7]),
  };
}

/** sched_wakeup / sched_waking / sched_wakeup_new / sched_process_exit: the task they are about. */
export function parseNamed(fields: string): Named | null {
  const w = NAMED_KV.exec(fields) ?? NAMED_PLUGIN.exec(fields);
  if (!w) return null;
  return { comm: w[1]!, pid: Number(w[2]), prio: w[3] !== undefined ? Number(w[3]) : null };
}

export function parseFork(fields: string): { comm: string; parent: number; childComm: string; child: number } | null {
  const f = FORK.exec(fields);
  return f ? { comm: f[1]!, parent: Number(f[2]), childComm: f[3]!, child: Number(f[4]) } : null;
}

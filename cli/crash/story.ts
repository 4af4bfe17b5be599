/**
 * The demo's timeline in simulated time: the kernel log (read from the recorder as it grows),
 * the struct_ops framework's reg/unreg/update events, what the loader processes print and do
 * (their bpf(2) calls in strace style), and the demo's own remarks ("# ..."). Each line keeps
 * the instant it happened; lines come in the order they happened within an instant.
 */
import type { Machine } from "../../sim/machine.js";
import type { Process } from "../../sim/bpf/index.js";

export type StorySource = "kernel" | "process" | "note";

export interface StoryLine {
  readonly atNs: number;
  readonly source: StorySource;
  /** The line without its timestamp, e.g. `sched_ext: BPF scheduler "simple" enabled`. */
  readonly text: string;
}

export class Story {
  readonly lines: StoryLine[] = [];
  private logSeen = 0;

  constructor(private readonly machine: Machine) {}

  /** Pulls in kernel log lines written since the last call. */
  sync(): void {
    const log = this.machine.kernel.rec.log;
    for (; this.logSeen < log.length; this.logSeen++) {
      const l = log[this.logSeen]!;
      this.lines.push({ atNs: l.atNs, source: "kernel", text: l.msg });
    }
  }

  kernel(text: string): void {
    this.add("kernel", text);
  }

  process(p: Process, text: string): void {
    this.add("process", `${p.name}[${p.pid}]: ${text}`);
  }

  note(text: string): void {
    this.add("note", `# ${text}`);
  }

  private add(source: StorySource, text: string): void {
    this.sync();
    this.lines.push({ atNs: this.machine.kernel.now, source, text });
  }
}

/** dmesg's timestamp: `[    2.000000]`. */
export function dmesgTime(ns: number): string {
  return `[${(ns / 1e9).toFixed(6).padStart(12)}]`;
}

export function formatStoryLine(l: StoryLine): string {
  return `${dmesgTime(l.atNs)} ${l.text}`;
}

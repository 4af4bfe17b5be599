/** A progress bar on stderr: runs done, runs/s and the time left; silent when not a TTY. */
import { performance } from "node:perf_hooks";

export class Progress {
  private readonly t0 = performance.now();
  private readonly on: boolean;

  constructor(private readonly label: string, quiet: boolean) {
    this.on = !quiet && process.stderr.isTTY === true;
  }

  update(done: number, total: number): void {
    if (!this.on) return;
    const secs = (performance.now() - this.t0) / 1000;
    const rate = secs > 0 ? done / secs : 0;
    const left = rate > 0 ? (total - done) / rate : 0;
    const width = 24, fill = Math.round((done / total) * width);
    const bar = "█".repeat(fill) + "░".repeat(width - fill);
    process.stderr.write(`\r${this.label} ${bar} ${done}/${total} runs · ${rate.toFixed(1)} runs/s · ${left.toFixed(0)} s left `);
  }

  done(): void {
    if (this.on) process.stderr.write("\n");
  }
}

import { describe, expect, it } from "vitest";
import { hog, plan } from "../../helpers/plan.js";
import { MS, S, run, start } from "./run.js";
import type { CpuId } from "../../../sim/ext/ops.js";

/** nice 10, 5, 0, -5, -10 have scx weights 11, 33, 100, 305, 932: queues 0, 1, 2, 3, 4. */
const NICES = [10, 5, 0, -5, -10];

describe("qmap", () => {
  it("qmap_tick (scx_qmap.bpf.c): avg = avg * 3 / 4 + weight / 4 per tick, truncated; a nice-0 hog's CPU asks 0 (avg 25), 256 (avg 43), then 512 (avg 57 and up: queue 2)", () => {
    const asked: number[] = [];
    run("qmap", plan([hog("h")]), {
      topology: "1", overheads: true, durationNs: 100 * MS,
      wrapScx: (scx) => Object.assign(Object.create(scx) as typeof scx, { cpuperfSet: (cpu: CpuId, perf: number) => { asked.push(perf); scx.cpuperfSet(cpu, perf); } }),
    });
    // averages 25, 43, 57, 67: queues 0 (<= 25), 1 (<= 50), 2, 2, ... as weight_to_idx maps them
    expect(asked.slice(0, 5)).toEqual([0, 256, 512, 512, 512]);
    expect(asked.length).toBeGreaterThanOrEqual(20);
  });

  it("serves queue i up to 2^i times per round: 4 hogs in each of the 5 queues on 2 CPUs share CPU 1:2:4:8:16 (each within 3 % of 2^i/31)", () => {
    const p = plan(NICES.map((n, i) => hog(`q${i}`, n, { instances: 4 })));
    const r = run("qmap", p, { topology: "2", durationNs: 10 * S, options: { slice_us: 5000 } });
    const total = NICES.reduce((a, _, i) => a + r.groups[`q${i}`].cpuNs, 0);
    expect(total).toBe(2 * 10 * S);
    NICES.forEach((_, i) => {
      const share = r.groups[`q${i}`].cpuNs / total;
      expect(Math.abs(share / (2 ** i / 31) - 1), `queue ${i}`).toBeLessThan(0.03);
    });
  });

  it("stall_user_nth = 10 drops the 10th enqueue: the watchdog (timeout_ms 5 s, checked every 2.5 s) ejects qmap with SCX_EXIT_ERROR_STALL at 7.5 s", () => {
    // The dropped task became runnable a few ms after start, so at the 5 s check it has waited < 5 s.
    const { m } = start("qmap", plan([hog("h", 0, { instances: 4 })]), { topology: "2", durationNs: 12 * S, options: { stall_user_nth: 10 } });
    m.runToEnd();
    const r = m.result(0);
    expect(r.scx.exit?.kind).toBe("SCX_EXIT_ERROR_STALL");
    expect(r.scx.exit?.msg).toMatch(/^h-\d+\[\d+\] failed to run for 7\.\d{3}s$/);
    expect(r.scx.exit?.atNs).toBe(7.5 * S);
    expect(r.scx.events.stalled).toBeGreaterThanOrEqual(1);
    expect(m.invariants().lost).toBe(0);
  });

  it("test_error_cnt = 50 calls scx_bpf_error() at the 50th enqueue: SCX_EXIT_ERROR_BPF 'test triggering error'", () => {
    const { m } = start("qmap", plan([hog("h", 0, { instances: 4 })]), { topology: "2", durationNs: 2 * S, options: { test_error_cnt: 50, slice_us: 1000 } });
    m.runToEnd();
    const r = m.result(0);
    expect(r.scx.exit?.kind).toBe("SCX_EXIT_ERROR_BPF");
    expect(r.scx.exit?.msg).toBe("test triggering error");
    expect(m.invariants().lost).toBe(0);
  });

  it("dsp_batch = 4 pops up to 4 tasks from the queues per dispatch call (1 by default)", () => {
    const maxPops = (options: Record<string, number>) => {
      let most = 0;
      // The kfunc facade, captured at attach: dispatch already runs then, before start returns.
      let api: { readonly stats: Record<string, number> } | null = null;
      const dispatched = () => api!.stats.dispatched ?? 0;
      const { m } = start("qmap", plan([hog("h", 0, { instances: 12 })]), {
        topology: "2", durationNs: 500 * MS, options: { slice_us: 2000, ...options },
        wrapScx: (scx) => { api = scx as unknown as { readonly stats: Record<string, number> }; return scx; },
        wrapOps: (ops) => {
          const dispatch = ops.dispatch!.bind(ops);
          ops.dispatch = (cpu, prev) => {
            const before = dispatched();
            dispatch(cpu, prev);
            most = Math.max(most, dispatched() - before);
          };
        },
      });
      m.runToEnd();
      expect(m.result(0).scx.exit).toBeNull();
      return most;
    };
    expect(maxPops({})).toBe(1);
    expect(maxPops({ dsp_batch: 4 })).toBe(4);
  });
});

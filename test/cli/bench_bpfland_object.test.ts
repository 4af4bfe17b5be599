/**
 * bench's bpfland-object line: medians and the ratio of alternated pairs, and the verdict against
 * 1/3, on hand-made runs (the measurement itself needs an upstream object, which tests cannot ship).
 */
import { describe, expect, it } from "vitest";
import { bpflandObjectTarget, bpflandRunJob, bpflandRunTask, formatBpflandObject, summarizeBpflandObject, BPFLAND_NEEDS_OBJECT } from "../../cli/bench/bpfland_object.js";

const task = { kind: "bpfland-object" as const, object: "/x/scx_bpfland.bpf.o", cpus: 4, durationS: 30, pairs: 3 };

describe("bench: the bpfland object beside the TS bpfland", () => {
  it("events per CPU-second are medians; the ratio is the median of the pairs' ratios", () => {
    // Pairs: 100k/400k = 0.25, 300k/600k = 0.5, 200k/500k = 0.4.
    const s = summarizeBpflandObject(task, {
      kind: "bpfland-object",
      obj: [{ events: 100_000, cpuS: 1 }, { events: 150_000, cpuS: 0.5 }, { events: 200_000, cpuS: 1 }],
      ts: [{ events: 400_000, cpuS: 1 }, { events: 300_000, cpuS: 0.5 }, { events: 500_000, cpuS: 1 }],
    });
    if ("skipped" in s) throw new Error("measured");
    expect(s.objEventsPerCpuS).toBe(200_000);
    expect(s.tsEventsPerCpuS).toBe(500_000);
    expect(s.ratio).toBeCloseTo(0.4, 12);
    expect(formatBpflandObject(s)).toBe("bpfland object beside TS bpfland (mixed, 4 CPUs, 30 simulated s after as many of warm-up, 3 alternated pairs, a fresh process each): 200 k events/CPU-s vs 500 k, ratio 0.400× (target ≥ 0.333×: met)");
    expect(bpflandObjectTarget(s)).toMatchObject({ met: true, measured: "0.400× (200 k vs 500 k)" });
  });

  it("below 1/3 is missed; without an object the line says how to get one and judges nothing", () => {
    const s = summarizeBpflandObject(task, { kind: "bpfland-object", obj: [{ events: 300, cpuS: 1 }], ts: [{ events: 1000, cpuS: 1 }] });
    expect(bpflandObjectTarget(s).met).toBe(false);
    expect(formatBpflandObject(s)).toMatch(/ratio 0\.300× \(target ≥ 0\.333×: missed\)$/);
    const none = { skipped: BPFLAND_NEEDS_OBJECT };
    expect(formatBpflandObject(none)).toBe(`bpfland object beside TS bpfland: not measured (${BPFLAND_NEEDS_OBJECT})`);
    expect(bpflandObjectTarget(none).met).toBeNull();
  });

  it("times the object and the port each in a run of its own: mixed, same CPUs and seed, overheads on, twice the measured length (the first half warms up)", () => {
    const [o, t] = [bpflandRunJob(bpflandRunTask(task, task.object)), bpflandRunJob(bpflandRunTask(task, "bpfland"))];
    expect(o).toMatchObject({ scheduler: task.object, workload: "mixed", cpus: 4, seed: 1, durationNs: 60e9, overheads: true });
    expect({ ...t, scheduler: task.object }).toEqual(o);
  });
});

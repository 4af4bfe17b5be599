import { describe, expect, it } from "vitest";
import type { ScxTask } from "../../../sim/ext/ops.js";
import { asCpu } from "../../../sim/ext/consts.js";
import { LavdTurbulence } from "../../../schedulers/lavd_turbulence.js";
import { anyTask, fakeScx } from "../lib/fake_scx.js";

const MS = 1_000_000;

/** Turbulence state over a 2-CPU fake with a settable clock; every CPU idle (no current task). */
function rig(util = 0) {
  const f = fakeScx("2");
  let now = 0;
  Object.assign(f.scx, { now: () => now, cpuCurr: () => null });
  const t = new LavdTurbulence(f.scx, 100, () => util);
  t.init();
  return { t, setNow: (ns: number) => { now = ns; } };
}

describe("lavd turbulence tiers follow upstream (sched-ext/scx scheds/rust/scx_lavd)", () => {
  it("sys_stat.bpf.c collect_sys_stat: a CPU lavd_update_idle reported idle keeps its whole latency headroom; one never seen going idle, whose rq clock_task stands still, counts its interval as IRQ/steal time and within a few intervals has under 7/8 of it (turbulent, out of steady_cpumask)", () => {
    const { t, setNow } = rig();
    setNow(1); // an idle start at clock 0 reads as none, upstream's own marker
    t.touch(1);
    t.updateIdle(asCpu(1), true);
    const headroom: number[] = [];
    for (let i = 1; i <= 10; i++) {
      setNow(i * 10 * MS);
      t.collect(i * 10 * MS, 10 * MS);
      headroom.push(t.headroom[0]);
      expect(t.headroom[1]).toBe(1024);
    }
    expect(headroom[0]).toBe(1024); // the running average holds the first interval's share from then on
    expect(headroom[1]).toBeLessThan(1024);
    for (let i = 1; i < headroom.length; i++) expect(headroom[i]).toBeLessThanOrEqual(headroom[i - 1]);
    expect(headroom[9]).toBeLessThan(1024 - 128);
    expect([...t.steady]).toEqual([0, 1]);
    expect(t.nrSteady[0]).toBe(1);
  });

  it("sys_stat.bpf.c calc_sys_stat: vuln_thresh starts at 32 and is 0 while the domain has no turbulent CPU", () => {
    const { t, setNow } = rig();
    expect(t.vulnThresh[0]).toBe(32);
    setNow(1);
    for (const c of [0, 1]) { t.touch(c); t.updateIdle(asCpu(c), true); }
    setNow(10 * MS);
    t.collect(10 * MS, 10 * MS);
    expect(t.vulnThresh[0]).toBe(0);
  });

  it("lavd.bpf.h preemption_vulnerability and util.bpf.c normalize_lat_cri: (lat_cri × 1024 / max_lat_cri) / 64 × 16 + util_est / 64, against the domain's vuln_thresh; below it a task goes to the second DSQ", () => {
    const { t } = rig(200);
    const p: ScxTask = anyTask(0);
    t.setLatCri(p, 300, 1200); // normalised 256: step 4, util step 3 -> 67
    t.vulnThresh[0] = 67;
    expect(t.vulnerable(p, 0)).toBe(true);
    t.vulnThresh[0] = 68;
    expect(t.vulnerable(p, 0)).toBe(false);
    t.setLatCri(p, 1300, 1200); // at or above the maximum: 1024
    expect(t.vulnerable(p, 0)).toBe(true);
  });

  it("balance.bpf.c consume_task: a steady CPU always sees the domain's main DSQ; a turbulent one only while it holds more tasks than the second DSQ or the domain has no steady CPU", () => {
    const { t } = rig();
    t.headroom[0] = 1024; t.headroom[1] = 800; t.nrSteady[0] = 1;
    expect(t.seesMain(asCpu(0), 0, 1, 5)).toBe(true);
    expect(t.seesMain(asCpu(1), 0, 1, 5)).toBe(false);
    expect(t.seesMain(asCpu(1), 0, 6, 5)).toBe(true);
    t.nrSteady[0] = 0;
    expect(t.seesMain(asCpu(1), 0, 1, 5)).toBe(true);
  });
});

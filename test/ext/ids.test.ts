/**
 * The branded ids of the sched_ext API. The checks that matter are the `@ts-expect-error` lines:
 * `npx tsc -p tsconfig.test.json` (part of `npm test`) fails if any of them compiles, that is if
 * a pid, a CPU and a DSQ id ever become interchangeable again. The run-time half checks that the
 * converters are the identity (brands cost nothing).
 */
import { describe, expect, expectTypeOf, it } from "vitest";
import type { CpuId, DsqId, Pid, Scx, ScxTask } from "../../sim/ext/ops.js";
import { SCX_DSQ_GLOBAL, SCX_DSQ_LOCAL, SCX_DSQ_LOCAL_ON, asCpu, asDsq, asPid, localOn } from "../../sim/ext/consts.js";

/** Type-level only: never called. */
function misuse(scx: Scx, p: ScxTask): void {
  // @ts-expect-error a pid is not a CPU
  scx.kickCpu(p.pid, 0);
  // @ts-expect-error a CPU is not a pid
  const pid: Pid = p.cpu;
  // @ts-expect-error a CPU is not a DSQ (a per-CPU user DSQ needs asDsq, the local one localOn)
  scx.dsqInsert(p, p.cpu, 0, 0);
  // @ts-expect-error a DSQ is not a CPU
  scx.isCpuIdle(SCX_DSQ_GLOBAL);
  // @ts-expect-error a plain number is none of them: arithmetic results need a converter
  scx.cpuCurr(p.cpu + 1);
  // @ts-expect-error nor a number literal
  scx.dsqMoveToLocal(0);
  // @ts-expect-error select_cpu must return a CPU, not any number
  const ops: { select_cpu(p: ScxTask, prev: CpuId, f: number): CpuId } = { select_cpu: () => 3 };
  void pid; void ops;
}

/** What stays easy: a brand is still a number for reading, indexing, comparing and looping. */
function everydayUse(scx: Scx, p: ScxTask, perCpu: Float64Array): number {
  let sum = perCpu[p.cpu] + p.cpu * 2;
  for (let c = asCpu(0); c < scx.nrCpus(); c++) if (scx.isCpuIdle(c)) sum += perCpu[c];
  scx.dsqInsert(p, localOn(p.cpu), 0, 0);
  return sum + (p.pid > 0 ? 1 : 0);
}

describe("branded ids", () => {
  it("are plain numbers at run time: the converters return their argument", () => {
    expect(asCpu(3)).toBe(3);
    expect(asPid(4242)).toBe(4242);
    expect(asDsq(2 ** 40)).toBe(2 ** 40);
    expect(localOn(asCpu(5))).toBe(SCX_DSQ_LOCAL_ON + 5);
    expect(typeof SCX_DSQ_LOCAL).toBe("number");
  });

  it("keep Pid, CpuId and DsqId apart in the types", () => {
    expectTypeOf<Pid>().not.toEqualTypeOf<CpuId>();
    expectTypeOf<CpuId>().not.toMatchTypeOf<Pid>();
    expectTypeOf<Pid>().not.toMatchTypeOf<CpuId>();
    expectTypeOf<CpuId>().not.toMatchTypeOf<DsqId>();
    expectTypeOf<number>().not.toMatchTypeOf<CpuId>();
    expectTypeOf<CpuId>().toMatchTypeOf<number>();
    expectTypeOf(SCX_DSQ_GLOBAL).toEqualTypeOf<DsqId>();
    expectTypeOf<ScxTask["pid"]>().toEqualTypeOf<Pid>();
    expectTypeOf<ScxTask["cpu"]>().toEqualTypeOf<CpuId>();
    expectTypeOf(misuse).toBeFunction();
    expectTypeOf(everydayUse).returns.toBeNumber();
  });
});

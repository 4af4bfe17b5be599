/**
 * DSQ walks (DsqCursor, behind bpf_iter_scx_dsq) keep the kernel's iterator semantics while
 * reading the live queue: a walk returns the tasks queued when it began, in dispatch order
 * (SCX_DSQ_ITER_REV: backwards), skipping those that left (or left and came back) before the
 * walk reached them, and never a task queued after it began. Checked against a model kept
 * apart from DsqTable (a plain list in insert order, or sorted by (vtime, insert)) under random
 * interleavings of inserts, removals, takes, peeks and several open walks.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { DsqTable } from "../../sim/ext/dsqs.js";
import { DsqCursor } from "../../sim/ext/dsq_cursor.js";
import { DsqOrder, type Dsq } from "../../sim/ext/dsq.js";
import { SCX_ENQ_HEAD } from "../../sim/ext/consts.js";
import type { ExtHost } from "../../sim/ext/host.js";
import { Place, type Task } from "../../sim/task.js";

const NTASKS = 8, NCURSORS = 3;

/** Only what DsqTable reads of a task. */
function fakeTask(slot: number): Task {
  return { slot, pid: slot + 1, comm: `t${slot}`, place: Place.Sleeping, dsq: 0, dsqStamp: 0, dsqVtime: 0, cpu: 0, view: { slot } } as unknown as Task;
}

function table(tasks: Task[]): DsqTable {
  const host = {
    now: 0, tasks, topo: { nrCpus: 1 }, costs: { dsqLockNs: 0, dsqBounceNs: [0, 0, 0, 0] },
    cpuAllowed: () => true, kickIfLower: () => {}, preemptExt: () => {}, chargeNs: () => {},
  } as unknown as ExtHost;
  return new DsqTable(host, { coreError: (msg: string) => { throw new Error(msg); }, requestExit: () => {} });
}

type Op =
  | { kind: "insert"; task: number; key: number; head: boolean }
  | { kind: "unlink"; task: number }
  | { kind: "take" }
  | { kind: "peek" }
  | { kind: "open"; c: number; rev: boolean }
  | { kind: "next"; c: number }
  | { kind: "close"; c: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("insert" as const), task: fc.nat(NTASKS - 1), key: fc.nat(5), head: fc.boolean() }),
  fc.record({ kind: fc.constant("unlink" as const), task: fc.nat(NTASKS - 1) }),
  fc.record({ kind: fc.constant("take" as const) }),
  fc.record({ kind: fc.constant("peek" as const) }),
  fc.record({ kind: fc.constant("open" as const), c: fc.nat(NCURSORS - 1), rev: fc.boolean() }),
  { arbitrary: fc.record({ kind: fc.constant("next" as const), c: fc.nat(NCURSORS - 1) }), weight: 4 },
  fc.record({ kind: fc.constant("close" as const), c: fc.nat(NCURSORS - 1) }),
);

/** The model: one entry per queued task, in dispatch order. */
interface Entry { readonly task: number; readonly key: number; readonly n: number }

function run(vtime: boolean, ops: readonly Op[]): void {
  const tasks = Array.from({ length: NTASKS }, (_, i) => fakeTask(i));
  const dsqs = table(tasks);
  dsqs.addUser(7 as never);
  const d: Dsq = dsqs.userDsq(7)!;
  let queue: Entry[] = [];
  let inserts = 0;
  const cursors = Array.from({ length: NCURSORS }, () => new DsqCursor());
  // Per walk: what it has left to see (entries as queued at its start), or null when closed.
  const walks: (Entry[] | null)[] = cursors.map(() => null);
  const queued = (e: Entry): boolean => queue.includes(e);
  const sorted = (q: Entry[]): Entry[] => (vtime ? [...q].sort((a, b) => a.key - b.key || a.n - b.n) : q);
  for (const op of ops) {
    switch (op.kind) {
      case "insert": {
        const t = tasks[op.task]!;
        if (t.place === Place.Dsq) break;
        t.dsqVtime = op.key;
        const head = !vtime && op.head;
        dsqs.insert(t, d, head ? SCX_ENQ_HEAD : 0, vtime);
        const e = { task: op.task, key: op.key, n: inserts++ };
        queue = sorted(head ? [e, ...queue] : [...queue, e]);
        break;
      }
      case "unlink":
        if (tasks[op.task]!.place !== Place.Dsq) break;
        dsqs.unlink(tasks[op.task]!);
        queue = queue.filter((e) => e.task !== op.task);
        break;
      case "take": {
        const t = dsqs.take(d, -1);
        expect(t?.slot ?? null).toBe(queue[0]?.task ?? null);
        if (t !== null) { t.place = Place.Sleeping; queue = queue.slice(1); }
        break;
      }
      case "peek":
        expect(dsqs.peek(d)?.slot ?? null).toBe(queue[0]?.task ?? null);
        break;
      case "open":
        dsqs.openCursor(cursors[op.c]!, d, op.rev);
        walks[op.c] = op.rev ? [...queue].reverse() : [...queue];
        break;
      case "next": {
        const left = walks[op.c];
        if (left === null) break;
        while (left.length > 0 && !queued(left[0]!)) left.shift();
        const want = left.shift()?.task ?? null;
        expect(dsqs.cursorNext(cursors[op.c]!)?.slot ?? null).toBe(want);
        break;
      }
      case "close":
        if (walks[op.c] === null) break;
        dsqs.closeCursor(cursors[op.c]!);
        walks[op.c] = null;
        break;
    }
  }
  expect(d.order).toBe(inserts === 0 ? DsqOrder.Unset : vtime ? DsqOrder.Vtime : DsqOrder.Fifo);
}

describe("DSQ walks (bpf_iter_scx_dsq)", () => {
  it("see the tasks queued at their start, in dispatch order, minus those gone when reached: FIFO and vtime DSQs", () => {
    fc.assert(fc.property(fc.boolean(), fc.array(opArb, { minLength: 1, maxLength: 80 }), run), { numRuns: 400 });
  });

  it("a vtime walk past its first task, and a walk open while its DSQ changes, read a copy (pinned cases)", () => {
    const ins = (task: number, key: number): Op => ({ kind: "insert", task, key, head: false });
    const next: Op = { kind: "next", c: 0 };
    // Three tasks, the walk takes one step, then the second task leaves and a fourth arrives.
    run(true, [ins(0, 3), ins(1, 1), ins(2, 2), { kind: "open", c: 0, rev: false }, next, { kind: "unlink", task: 2 }, ins(3, 0), next, next]);
    run(false, [ins(0, 0), ins(1, 0), { kind: "open", c: 0, rev: true }, next, { kind: "take" }, ins(2, 0), next, next]);
    // A stale head: the first task left before the walk began.
    run(true, [ins(0, 1), ins(1, 2), { kind: "unlink", task: 0 }, { kind: "open", c: 0, rev: false }, next, next]);
  });
});

/**
 * The task as a scheduler sees it: a view over the kernel's Task, one per task slot, made when
 * the slot is (so callbacks allocate nothing). A BPF scheduler may write p->scx.slice and
 * p->scx.dsq_vtime and nothing else of a task_struct (the verifier refuses other stores); here
 * a write to any other field throws a TypeError naming it, which `invoke` turns into an error
 * exit. The view is frozen, so no field can be added, and the Task behind it is reachable only
 * through `taskOf`, inside sim/.
 */
import { Place, type Task, type TaskOracle } from "../task.js";
import { asCpu, asPid, type CpuId, type Pid } from "./ids.js";
import type { ScxTask } from "./ops.js";
import { printable } from "../printable.js";

function readOnly(field: string): never {
  throw new TypeError(`task field p.${field} is read-only (a scheduler may write only slice and dsqVtime)`);
}

export class TaskView implements ScxTask {
  readonly #t: Task;
  readonly #work: TaskOracle;

  constructor(t: Task, work: TaskOracle) {
    this.#t = t;
    this.#work = work;
    Object.freeze(this);
  }

  /** The kernel's task behind a view a scheduler handed back; a TypeError for anything else. */
  static taskOf(p: ScxTask): Task {
    // Reading the private field is itself the brand check (it throws for anything that is not
    // a TaskView, a Proxy of one included): one check on the kfuncs' hot path instead of two.
    try {
      return (p as TaskView).#t;
    } catch {
      throw new TypeError(`${printable(p)} is not a task the kernel gave out`);
    }
  }

  get slice(): number { return this.#t.slice; }
  set slice(v: number) { this.#t.slice = v; }
  get dsqVtime(): number { return this.#t.dsqVtime; }
  set dsqVtime(v: number) { this.#t.dsqVtime = v; }

  get pid(): Pid { return asPid(this.#t.pid); }
  set pid(_: Pid) { readOnly("pid"); }
  get comm(): string { return this.#t.comm; }
  set comm(_: string) { readOnly("comm"); }
  get group(): string { return this.#t.group; }
  set group(_: string) { readOnly("group"); }
  get nice(): number { return this.#t.nice; }
  set nice(_: number) { readOnly("nice"); }
  get weight(): number { return this.#t.weight; }
  set weight(_: number) { readOnly("weight"); }
  get cpu(): CpuId { return asCpu(this.#t.cpu); }
  set cpu(_: CpuId) { readOnly("cpu"); }
  /** The scheduler's copy of the affinity mask: writing into it cannot move the task. */
  get cpusAllowed(): Uint8Array | null { return this.#t.tpl.scxCpusAllowed; }
  set cpusAllowed(_: Uint8Array | null) { readOnly("cpusAllowed"); }
  get nrCpusAllowed(): number { return this.#t.nrCpusAllowed; }
  set nrCpusAllowed(_: number) { readOnly("nrCpusAllowed"); }
  get cgroup(): string { return this.#t.cgroup; }
  set cgroup(_: string) { readOnly("cgroup"); }
  get expectedRunNs(): number { return this.#t.expectedRunNs; }
  set expectedRunNs(_: number) { readOnly("expectedRunNs"); }
  get dlDeadlineNs(): number { return this.#t.dlDeadlineNs; }
  set dlDeadlineNs(_: number) { readOnly("dlDeadlineNs"); }
  get dlPeriodNs(): number { return this.#t.dlPeriodNs; }
  set dlPeriodNs(_: number) { readOnly("dlPeriodNs"); }
  get activatedAtNs(): number { return this.#t.activatedAtNs; }
  set activatedAtNs(_: number) { readOnly("activatedAtNs"); }
  get nvcsw(): number { return this.#t.nvcsw; }
  set nvcsw(_: number) { readOnly("nvcsw"); }
  get sumExecNs(): number { return this.#t.sumExecNs; }
  set sumExecNs(_: number) { readOnly("sumExecNs"); }
  get workLeftNs(): number { return this.#work.workLeftNs(this.#t); }
  set workLeftNs(_: number) { readOnly("workLeftNs"); }
  get queued(): boolean { return this.#work.scxQueued(this.#t); }
  set queued(_: boolean) { readOnly("queued"); }
  get dead(): boolean { return this.#t.place === Place.Dead; }
  set dead(_: boolean) { readOnly("dead"); }
}

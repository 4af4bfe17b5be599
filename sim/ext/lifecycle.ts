/**
 * Enabling and disabling a sched_ext scheduler (reference/sched_ext.md §3.2, §3.6): ops.init,
 * init_task and enable for every eligible task, the switch of tasks between classes, the
 * watchdog, and on the way out disable/exit_task, ops.exit and the return of every task to fair.
 */
import type { Kernel } from "../kernel.js";
import { Cls, Place, type Task } from "../task.js";
import { wantsExt } from "./core.js";
import type { SchedExtOps } from "./ops.js";
import { isErrorExit } from "./exit.js";
import { SCX_SLICE_DFL } from "./consts.js";
import { EBUSY } from "../bpf/errno.js";
import { printable } from "../printable.js";

/** Registers a BPF timer so that it is cancelled when the scheduler goes away. */
export function trackBpfTimer(k: Kernel, id: number): void {
  k.ext.bpfTimers.push(id);
}

/**
 * Enables `ops` (bpf_scx_reg), the value copied and checked at the map write; `table` is the
 * caller's object, `this` of the callbacks. Returns 0, or -EBUSY when a scheduler is already
 * enabled. Failures after the start (init, init_task) are reported as exits while 0 is still
 * returned, as the kernel does: the link then exists but the scheduler is gone.
 */
export function enableScx(k: Kernel, ops: SchedExtOps, table: SchedExtOps, reason: string): number {
  const core = k.ext;
  if (core.enabled) return -EBUSY;
  core.attach(ops, table);
  k.perf.reset(); // scx_enable starts every CPU's cpuperf_target at SCX_CPUPERF_ONE
  restoreSchedulerMasks(k);
  k.tickOn = core.cb.hasTick;
  for (let c = 0; c < k.topo.nrCpus; c++) {
    k.ext.idle.idle[c] = k.curr[c] < 0 ? 1 : 0;
    if (k.tickOn) k.nextTick[c] = k.tickAtOrAfter(k.now + 1);
  }
  k.rec.kernelLog(k.now, `sched_ext: BPF scheduler "${ops.name}" enabled`);
  k.rec.classSwitch(k.now, "fair", ops.name, reason);

  // As in the kernel: ops.init first, then the validation of the ops against their flags.
  if (typeof ops.init === "function") {
    const ret = core.cb.invokeThunk("init", null, () => ops.init!.call(table));
    if (ret !== 0 && !core.aborting) core.requestExit("SCX_EXIT_ERROR", `ops.init() failed (${printable(ret)})`);
    if (core.aborting) return 0;
  }
  if (core.enqLast && !core.cb.hasEnqueue) {
    core.requestExit("SCX_EXIT_ERROR", "SCX_OPS_ENQ_LAST requires ops.enqueue() to be implemented");
    return 0;
  }
  if (!initCgroups(k, ops, table)) return 0;
  // As scx_enable: every task is prepared (ops.init_task, whatever its policy) before any is
  // switched (ops.enable, ops.set_cpumask, then its enqueue), so no task runs under the
  // scheduler half-prepared; those whose policy keeps them out of the class stay READY.
  const live = k.tasks.filter((t) => t.place !== Place.Dead && t.place !== Place.Free);
  for (const t of live) if (!initTask(k, t, false)) return 0;
  for (const t of live) {
    if (!wantsExt(core, t.policy)) continue;
    if (!enterExt(k, t)) return 0;
    switchToExt(k, t);
  }
  // One watchdog timer per kernel, re-armed by every enable (creating one each time leaked slots).
  if (core.watchdogTimer < 0) core.watchdogTimer = k.timerCreate(() => watchdog(k));
  k.timerStart(core.watchdogTimer, core.timeoutNs / 2);
  k.reschedAll();
  return 0;
}

/** Gives every task's p.cpusAllowed back its kernel value (a former scheduler may have written into it). */
function restoreSchedulerMasks(k: Kernel): void {
  for (const t of k.tasks) {
    const m = t.tpl.scxCpusAllowed, kernel = t.tpl.cpusAllowed;
    if (m !== null && kernel !== null) m.set(kernel);
  }
}

/** Every cgroup of the workload, parents first ("/" included), with its cpu.weight. */
function cgroupsOf(k: Kernel): { path: string; weight: number }[] {
  const weights = new Map(k.workload.cgroups.map((c) => [c.path, c.weight]));
  const paths = new Set<string>(["/"]);
  const add = (p: string) => {
    for (let i = p.indexOf("/", 1); i > 0; i = p.indexOf("/", i + 1)) paths.add(p.slice(0, i));
    paths.add(p);
  };
  for (const c of k.workload.cgroups) add(c.path);
  for (const s of k.workload.tasks) if (s.taskgroup) add(s.taskgroup);
  return [...paths].sort().map((path) => ({ path, weight: weights.get(path) ?? 100 }));
}

/** ops.cgroup_init for every cgroup before any task joins; false when the scheduler failed. */
function initCgroups(k: Kernel, ops: SchedExtOps, table: SchedExtOps): boolean {
  if (typeof ops.cgroup_init !== "function") return true;
  for (const c of cgroupsOf(k)) {
    const ret = k.ext.cb.invokeThunk("cgroup_init", null, () => ops.cgroup_init!.call(table, c.path, c.weight));
    if (ret !== 0 && !k.ext.aborting) k.ext.requestExit("SCX_EXIT_ERROR", `ops.cgroup_init() failed (${printable(ret)}) for ${c.path}`);
    if (k.ext.aborting) return false;
  }
  return true;
}

/**
 * A task forked while the scheduler is enabled (scx_fork, scx_post_fork): ops.init_task whatever
 * its policy, then ops.enable if it runs in the class; false when the scheduler failed.
 */
export function initTaskExt(k: Kernel, t: Task): boolean {
  if (!initTask(k, t, true)) return false;
  return !wantsExt(k.ext, t.policy) || enableExt(k, t);
}

/**
 * A task joins the ext class through sched_setscheduler: ops.enable and ops.set_cpumask, as
 * switching_to_scx; it was prepared when it was forked or the scheduler attached (one that
 * somehow was not is prepared first). False when the scheduler failed.
 */
export function rejoinExt(k: Kernel, t: Task): boolean {
  return (t.scxInited || initTask(k, t, false)) && enterExt(k, t);
}

/** The task leaves the ext class for another policy (switched_from_scx): ops.disable only. */
export function leaveExt(k: Kernel, t: Task): void {
  t.scxEnabled = false;
  if (callbacksRun(k)) k.ext.disableTask(t);
}

/** ops.disable if the task is in the class, then ops.exit_task: it died, or the scheduler goes away. */
export function exitTaskExt(k: Kernel, t: Task): void {
  const enabled = t.scxEnabled;
  t.scxEnabled = false;
  t.scxInited = false;
  if (!callbacksRun(k)) return;
  if (enabled) k.ext.disableTask(t);
  k.ext.exitTask(t);
}

/** Whether a task's disable/exit_task still reach the scheduler: attached, and not aborting unless the disable itself runs. */
function callbacksRun(k: Kernel): boolean {
  const core = k.ext;
  return core.ops !== null && (!core.aborting || core.pendingDisable);
}

/** ops.init_task (scx_init_task); false when the scheduler failed. */
function initTask(k: Kernel, t: Task, fork: boolean): boolean {
  const core = k.ext;
  if (core.aborting) return false;
  const ret = core.initTask(t, fork);
  if (ret !== 0 && !core.aborting) core.requestExit("SCX_EXIT_ERROR", `ops.init_task() failed (${printable(ret)}) for ${t.comm}[${t.pid}]`);
  if (core.aborting) return false;
  t.scxInited = true;
  return true;
}

/** The task takes the ext class with a fresh default slice, and ops.enable. */
function enableExt(k: Kernel, t: Task): boolean {
  t.scxEnabled = true;
  t.cls = Cls.Ext;
  t.slice = SCX_SLICE_DFL;
  k.ext.enableTask(t);
  return !k.ext.aborting;
}

/**
 * switching_to_scx: ops.enable, then ops.set_cpumask with the task's mask, since the scheduler
 * heard of no affinity change while the task was in another class.
 */
function enterExt(k: Kernel, t: Task): boolean {
  if (!enableExt(k, t)) return false;
  k.ext.setCpumask(t, t.tpl.scxCpusAllowed);
  return !k.ext.aborting;
}

/** Moves an existing task into the ext class at enable time. */
function switchToExt(k: Kernel, t: Task): void {
  if (t.place === Place.FairRq) {
    k.fair.remove(t);
    t.runnableAt = k.now;
    k.ext.runnable(t, 0);
    k.ext.enqueue(t, 0);
  }
  // A running task switches at its CPU's next reschedule; a sleeper when it wakes.
}

function watchdog(k: Kernel): void {
  const core = k.ext;
  if (!core.enabled || core.aborting) return;
  for (const t of k.tasks) {
    if (t.cls !== Cls.Ext || (t.place !== Place.Dsq && t.place !== Place.Bpf)) continue;
    const waited = k.now - t.runnableAt;
    if (waited > core.timeoutNs) {
      core.requestExit("SCX_EXIT_ERROR_STALL", `${t.comm}[${t.pid}] failed to run for ${(waited / 1e9).toFixed(3)}s`);
      return;
    }
  }
  k.timerStart(core.watchdogTimer, core.timeoutNs / 2);
}

/**
 * Disables the scheduler after an exit was claimed: every ext task goes back to fair (queued
 * ones onto a fair runqueue, running ones at their CPU's next reschedule), then ops.exit runs.
 */
export function disableScx(k: Kernel): void {
  const core = k.ext, ops = core.ops;
  // From inside a callback (a loader closing the link from ops.enqueue) the disable waits for
  // the callback to return: the kernel's scx_disable_workfn runs after the scheduling event too.
  if (!core.pendingDisable || ops === null || core.cb.depth > 0) return;
  const ei = core.exitInfo!;
  for (const t of k.tasks) {
    if (t.place === Place.Free) continue;
    // Every task the scheduler prepared gets exit_task: one that left the class for RT or
    // deadline, and one that exited on a CPU that has not switched away yet, go no further.
    const moves = t.cls === Cls.Ext && t.place !== Place.Dead;
    const queued = moves && (t.place === Place.Dsq || t.place === Place.Bpf);
    if (moves && t.place === Place.Dsq) core.dsqs.unlink(t);
    if (t.scxInited) exitTaskExt(k, t);
    if (!moves) continue;
    t.cls = Cls.Fair;
    t.ddspDsq = -1;
    if (queued) {
      t.place = Place.Sleeping;
      const cpu = k.cpuAllowed(t, t.cpu) ? t.cpu : k.firstAllowed(t);
      k.fair.enqueue(t, cpu, false, 0);
    }
  }
  if (typeof ops.cgroup_exit === "function") {
    for (const c of cgroupsOf(k).reverse()) core.cb.invokeThunk("cgroup_exit", null, () => ops.cgroup_exit!.call(core.table, c.path));
  }
  if (typeof ops.exit === "function") core.cb.invokeThunk("exit", null, () => ops.exit!.call(core.table, ei));
  if (core.watchdogTimer >= 0) k.timerCancel(core.watchdogTimer);
  for (const id of core.bpfTimers) k.timerFree(id);
  core.bpfTimers.length = 0;
  core.detach();
  k.perf.reset();
  k.tickOn = false;
  const why = ei.msg ? ` (${ei.reason}: ${ei.msg})` : ` (${ei.reason})`;
  k.rec.kernelLog(k.now, `sched_ext: BPF scheduler "${core.name}" disabled${why}`);
  if (isErrorExit(ei.kind)) k.rec.kernelLog(k.now, `sched_ext: ${core.name}: ${ei.msg}`);
  k.rec.classSwitch(k.now, core.name ?? "ext", "fair", ei.reason);
  k.reschedAll();
}

/** Number of schedulers enabled since boot (sysfs enable_seq). */
export function enableSeq(k: Kernel): number {
  return k.ext.enableSeq;
}


/**
 * Changes to a live task's scheduling attributes, through the paths the kernel takes: nice
 * (set_user_nice), affinity (__set_cpus_allowed_ptr), policy and its parameters
 * (__sched_setscheduler) and cgroup (sched_move_task, with sched_ext's cgroup_prep_move /
 * cgroup_move / cgroup_cancel_move around it), and a cgroup's cpu.weight. Each follows the
 * kernel's "sched_change" pattern: the task is dequeued from its class with DEQUEUE_SAVE (for
 * sched_ext: ops.dequeue with SCX_DEQ_SCHED_CHANGE if the BPF scheduler holds it, ops.stopping
 * if it runs, ops.quiescent), the attribute changes (ops.set_weight / ops.set_cpumask /
 * ops.cgroup_move, or a class switch), and the task is queued again with ENQUEUE_RESTORE (for
 * sched_ext: ops.runnable, then ops.enqueue for a queued task; a running one goes on running,
 * ops.running, as enqueue_task_scx forces it onto its own local DSQ). A running task whose CPU
 * is no longer allowed, or whose class changed, is then moved by its CPU's next schedule.
 * A change equal to the current value returns early, as in the kernel, with no callbacks.
 * A task gets a template of its own (TaskTemplate) at its first change.
 */
import type { Kernel } from "./kernel.js";
import { Cls, Place, Policy, customSliceNs, policyClass, policyOf, type Task, type TaskTemplate } from "./task.js";
import type { PolicySpec } from "./plan.js";
import { niceToWeight, scxWeight, WEIGHT_IDLEPRIO } from "./weights.js";
import { SCX_DEQ_SAVE, SCX_DEQ_SCHED_CHANGE, SCX_DSQ_USER_MAX, SCX_ENQ_RESTORE } from "./ext/consts.js";
import { wantsExt } from "./ext/core.js";
import { leaveExt, rejoinExt } from "./ext/lifecycle.js";
import { RR_TIMESLICE_NS } from "./rt.js";
import { dlBandwidth } from "./deadline.js";
import { EBUSY, EINVAL, ENOENT, ESRCH } from "./bpf/errno.js";

/** New scheduling parameters for setScheduler (sched_attr). */
export interface SchedAttr {
  /** The policy by name ("SCHED_FIFO") or as the kernel model's Policy. */
  readonly policy: Policy | PolicySpec;
  /** SCHED_FIFO/SCHED_RR priority 1..99. */
  readonly rtPriority?: number;
  readonly nice?: number;
  /** SCHED_DEADLINE parameters, ns; for fair policies runtimeNs alone is a custom slice. */
  readonly runtimeNs?: number;
  readonly deadlineNs?: number;
  readonly periodNs?: number;
}

/** set_user_nice. Returns 0, or -ESRCH for a task that is not alive. */
export function setNice(k: Kernel, t: Task, nice: number): number {
  if (!alive(t)) return -ESRCH;
  const n = Math.max(-20, Math.min(19, Math.trunc(nice)));
  if (n === t.nice) return 0;
  const fairWeight = t.policy === Policy.Idle ? WEIGHT_IDLEPRIO : niceToWeight(n);
  change(k, t, () => {
    own(t, { nice: n, fairWeight, weight: scxWeight(fairWeight) });
    if (t.cls === Cls.Ext) k.ext.setWeight(t, t.weight);
  });
  return 0;
}

/**
 * sched_setaffinity: `cpus` (null = all) intersected with the machine. Returns 0, or -EINVAL
 * when no CPU of the machine is left (as the kernel refuses an empty effective mask).
 */
export function setAffinity(k: Kernel, t: Task, cpus: readonly number[] | null): number {
  if (!alive(t)) return -ESRCH;
  const n = k.topo.nrCpus;
  let mask: Uint8Array | null = null, nr = n;
  if (cpus !== null) {
    const m = new Uint8Array(n);
    for (const c of cpus) if (Number.isInteger(c) && c >= 0 && c < n) m[c] = 1;
    const count = m.reduce((a, b) => a + b, 0);
    if (count === 0) return -EINVAL;
    if (count < n) { mask = m; nr = count; }
  }
  const old = t.cpusAllowed;
  if (old === null ? mask === null : mask !== null && old.every((v, i) => v === mask![i])) return 0;
  change(k, t, () => {
    own(t, { cpusAllowed: mask, scxCpusAllowed: mask === null ? null : mask.slice(), nrCpusAllowed: nr });
    if (t.cls === Cls.Ext) k.ext.setCpumask(t, t.tpl.scxCpusAllowed);
  });
  if (t.place === Place.Running && !k.cpuAllowed(t, t.cpu)) k.mustLeave(t.cpu);
  return 0;
}

/**
 * sched_setattr: a new policy and its parameters. Returns 0; -EINVAL for parameters the kernel
 * refuses (an RT priority outside 1..99, deadline parameters not runtime <= deadline <= period);
 * -EBUSY when a deadline task would exceed the bandwidth limit (sched_dl_overflow).
 */
export function setScheduler(k: Kernel, t: Task, attr: SchedAttr): number {
  if (!alive(t)) return -ESRCH;
  const a = { ...attr, policy: typeof attr.policy === "string" ? policyOf(attr.policy) : attr.policy };
  const rt = a.policy === Policy.Fifo || a.policy === Policy.Rr, dl = a.policy === Policy.Deadline;
  const prio = rt ? a.rtPriority ?? 0 : 0;
  if (rt && !(Number.isInteger(prio) && prio >= 1 && prio <= 99)) return -EINVAL;
  const runtime = a.runtimeNs ?? 0, deadline = a.deadlineNs ?? a.periodNs ?? runtime, period = a.periodNs ?? deadline;
  if (dl && !(runtime > 0 && runtime <= deadline && deadline <= period)) return -EINVAL;
  const nice = a.nice ?? t.nice;
  const same = a.policy === t.policy && nice === t.nice && prio === t.rtPriority &&
    (!dl || (runtime === t.dlRuntimeNs && deadline === t.dlDeadlineNs && period === t.dlPeriodNs));
  if (same) return 0;
  const oldBw = t.policy === Policy.Deadline ? dlBandwidth(t) : 0;
  if (dl && !k.dl.admit(runtime / period, oldBw)) return -EBUSY;
  if (!dl && oldBw > 0) k.dl.release(oldBw);
  const fairWeight = a.policy === Policy.Idle ? WEIGHT_IDLEPRIO : niceToWeight(nice);
  change(k, t, () => {
    const wasExt = t.cls === Cls.Ext;
    own(t, {
      policy: a.policy, nice, fairWeight, weight: scxWeight(fairWeight), rtPriority: prio,
      dlRuntimeNs: dl ? runtime : t.dlRuntimeNs, dlDeadlineNs: dl ? deadline : t.dlDeadlineNs, dlPeriodNs: dl ? period : t.dlPeriodNs,
      sliceNs: customSliceNs(a.policy, dl ? 0 : runtime / 1000),
    });
    const toExt = k.ext.enabled && wantsExt(k.ext, a.policy);
    if (wasExt && !toExt) { leaveExt(k, t); t.cls = policyClass(a.policy); }
    else if (!wasExt && toExt) { if (!rejoinExt(k, t)) t.cls = Cls.Fair; }
    else if (!toExt) t.cls = policyClass(a.policy);
    else k.ext.setWeight(t, t.weight);
    if (dl) k.dl.start(t);
    if (a.policy === Policy.Rr) t.budgetNs = RR_TIMESLICE_NS;
  });
  return 0;
}

/**
 * Moves `tasks` into cgroup `path` (a write to its cgroup.procs): ops.cgroup_prep_move for each
 * task that moves, any refusal cancels the ones already prepared (ops.cgroup_cancel_move) and
 * fails the whole move with its error; then sched_move_task for each, with ops.cgroup_move.
 * Returns 0, -ENOENT for a cgroup the workload does not have, or the scheduler's refusal.
 */
export function moveToCgroup(k: Kernel, tasks: readonly Task[], path: string): number {
  if (!k.hasCgroup(path)) return -ENOENT;
  const moving = tasks.filter((t) => alive(t) && t.cgroup !== path);
  const prepared: Task[] = [];
  // scx_cgroup_can_attach and scx_cgroup_move_task: every task the scheduler prepared, in its
  // class or not (an RT task too).
  for (const t of moving) {
    if (!t.scxInited) continue;
    const r = k.ext.cgroupPrepMove(t, t.cgroup, path);
    if (r !== 0) {
      for (const p of prepared) k.ext.cgroupCancelMove(p, p.cgroup, path);
      return typeof r === "number" && Number.isInteger(r) && r < 0 ? r : -EINVAL;
    }
    prepared.push(t);
  }
  for (const t of moving) {
    const from = t.cgroup;
    change(k, t, () => {
      own(t, { cgroup: path });
      if (t.scxInited) k.ext.cgroupMove(t, from, path);
    });
    // sched_move_task ends with resched_curr for a running task
    if (t.place === Place.Running) k.resched(t.cpu);
  }
  return 0;
}

/** A cgroup's cpu.weight (1..10000) changes: ops.cgroup_set_weight. Returns 0, -EINVAL or -ENOENT. */
export function setCgroupWeight(k: Kernel, path: string, weight: number): number {
  if (!Number.isInteger(weight) || weight < 1 || weight > 10000) return -EINVAL;
  if (!k.hasCgroup(path)) return -ENOENT;
  if (k.cgroupWeight(path) === weight) return 0;
  k.setCgroupWeightOf(path, weight);
  k.ext.cgroupSetWeight(path, weight);
  return 0;
}

function alive(t: Task): boolean {
  return t.place !== Place.Dead && t.place !== Place.Free;
}

/** Gives `t` a template of its own with `over` applied. */
function own(t: Task, over: Partial<TaskTemplate>): void {
  t.tpl = { ...t.tpl, ...over };
}

/** The dequeue / change / enqueue of the kernel's sched_change scope (DEQUEUE_SAVE ... ENQUEUE_RESTORE). */
function change(k: Kernel, t: Task, apply: () => void): void {
  const running = t.place === Place.Running;
  const cls = t.cls, cpu = t.cpu;
  const throttled = t.place === Place.Throttled;
  const queued = t.place === Place.FairRq || t.place === Place.RtRq || t.place === Place.DlRq || t.place === Place.Dsq || t.place === Place.Bpf;
  let lag = 0;
  if (running) k.updateCurr(cpu, t);
  if (cls === Cls.Ext && (queued || running)) {
    const custody = t.place === Place.Bpf || (t.place === Place.Dsq && t.dsq < SCX_DSQ_USER_MAX);
    if (custody) k.ext.dequeue(t, SCX_DEQ_SAVE | SCX_DEQ_SCHED_CHANGE);
    if (t.place === Place.Dsq) k.ext.dsqs.unlink(t);
    if (t.place === Place.Bpf) t.place = Place.Sleeping;
    if (running) k.ext.stopping(t, false);
    k.ext.quiescent(t, SCX_DEQ_SAVE | SCX_DEQ_SCHED_CHANGE);
  } else if (t.place === Place.FairRq) {
    lag = k.fair.lagOf(t, cpu);
    k.fair.remove(t);
  } else if (t.place === Place.RtRq) k.rt.remove(t);
  else if (t.place === Place.DlRq) k.dl.remove(t);
  if (running) t.place = Place.Running;
  apply();
  if (running) {
    if (t.cls === Cls.Ext && cls === Cls.Ext) {
      k.ext.runnable(t, SCX_ENQ_RESTORE);
      k.ext.running(t);
    }
    // prio_changed / check_class_changed: the CPU picks again (keeping the task if it still should run)
    k.resched(cpu);
    return;
  }
  if (throttled && t.cls !== Cls.Dl) {
    // left the deadline class while throttled: its replenishment no longer applies
    t.wakeGen++;
    t.place = Place.Sleeping;
    k.enqueueNew(t, cpu);
    if (t.cls !== Cls.Ext) k.requeued(t.cpu, t);
    return;
  }
  if (!queued) return;
  t.runnableAt = k.now;
  if (t.cls === Cls.Ext) {
    if (!k.cpuAllowed(t, t.cpu)) t.cpu = k.firstAllowed(t);
    k.ext.runnable(t, SCX_ENQ_RESTORE);
    k.ext.enqueue(t, SCX_ENQ_RESTORE);
    return;
  }
  if (t.cls === Cls.Fair && cls === Cls.Fair) {
    const to = k.cpuAllowed(t, cpu) ? cpu : k.fair.selectCpu(t, cpu);
    k.fair.enqueue(t, to, false, lag);
    k.requeued(to, t);
    return;
  }
  k.enqueueNew(t, cpu);
  k.requeued(t.cpu, t);
}

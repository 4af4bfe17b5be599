/**
 * The crash demo's loader steps: the first attach, the failed in-place update, the loaders'
 * polling of the exit info, and the optional attach of a new scheduler through a new link.
 */
import { loadOps } from "../../sim/attach.js";
import { EBUSY, strerror } from "../../sim/bpf/index.js";
import { createScheduler, loaderName, schedulerSpec, SCHEDULERS } from "../../schedulers/index.js";
import type { ExitInfo } from "../../sim/result.js";
import { FaultInjector, type FaultInScheduler } from "./injector.js";
import { snapshot } from "./windows.js";
import { countClasses, ret, ms, type DemoRun, type LoaderHandle } from "./demo_run.js";

/** Step 1: a loader attaches the scheduler; its main loop starts polling the exit info. */
export function attachFirst(run: DemoRun, onExit: (ei: ExitInfo) => void): void {
  const { m, story, job, fault, info, o } = run;
  const A = run.newLoader(loaderName(job.scheduler));
  run.A = A;
  const injA = new FaultInjector(createScheduler(schedulerSpec(job.scheduler, job.options), m.scxApi), m.scxApi, {
    fault: info.inScheduler ? (fault as FaultInScheduler) : null,
    timeoutMs: run.timeoutMs,
    onExit,
  });
  run.injA = injA;
  A.say(`loading sched_ext_ops "${injA.name}"${fault === "stall" || o.timeoutMs != null ? ` (timeout_ms=${injA.ops.timeout_ms})` : ""}`);
  const loaded = A.load(injA.ops);
  if (loaded !== 0) throw new Error(`${A.proc.name}: loading ${injA.name} failed: ${strerror(-loaded)}`);
  const linked = A.link();
  if (linked < 0) throw new Error(`${A.proc.name}: attaching ${injA.name} failed: ${strerror(-linked)}`);
  if (m.scx.current === null) throw new Error(`${injA.name} failed while enabling: ${m.kernel.ext.exitInfo?.msg ?? "?"}`);
  const c0 = countClasses(m);
  story.note(`${c0.ext} tasks switched from fair to sched_ext (${injA.name}); ${c0.fair} left in fair`);
}

/** The first registered scheduler other than `name` (or `name` itself if it is the only one). */
function otherScheduler(name: string): string {
  return SCHEDULERS.find((s) => s.name !== name)?.name ?? name;
}

/** Step 2, halfway to the fault: the loader tries to replace the scheduler in place and cannot. */
export function scheduleLinkUpdate(run: DemoRun): void {
  const { m, story, A, injA } = run;
  const up = run.o.updateWith ?? { scheduler: otherScheduler(run.job.scheduler), options: {} };
  const tryUpdate = () => {
    if (!A.proc.alive || A.linkFd < 0) {
      story.note(`${A.proc.name}[${A.proc.pid}] is gone: no link to update`);
      return;
    }
    const other = createScheduler(schedulerSpec(up.scheduler, up.options), m.scxApi);
    const bpf = A.proc.bpf;
    A.say(`trying to switch to "${other.name}" in place: bpf_link__update_map()`);
    const { fd: map2, id: id2 } = A.createMap(other);
    if (map2 < 0) { run.linkUpdate = map2; return; }
    const r = bpf.linkUpdate(A.linkFd, map2);
    run.linkUpdate = r;
    A.say(`bpf(BPF_LINK_UPDATE, {link_fd=${A.linkFd}, new_map_fd=${map2}}) = ${ret(r)}`);
    if (r < 0) {
      A.say(`libbpf: struct_ops link ${A.linkId}: bpf_link__update_map to "${other.name}" failed: ${strerror(-r)} (${r})`);
      A.say(`sched_ext cannot swap a running scheduler; keeping "${injA.name}" on map ${A.mapId} (a new scheduler needs a new link once this one is gone)`);
    } else {
      A.say(`link ${A.linkId} now points at map ${id2} ("${other.name}")`);
    }
    A.say(`close(${map2}) = ${ret(A.proc.close(map2))}`);
  };
  if (run.linkUpdateAtNs === 0) tryUpdate();
  else m.at(run.linkUpdateAtNs, tryUpdate);
}

/** A loader's main loop: sleep, look at the exit info, leave when the scheduler is gone. Returns a stop function. */
export function pollLoop(run: DemoRun, l: LoaderHandle, inj: FaultInjector, period: number): () => void {
  const { m, story, end } = run;
  let stopped = false;
  const tick = () => {
    if (stopped || !l.proc.alive) return;
    if (inj.uei !== null) {
      stopped = true;
      const before = m.scx.current;
      if (l === run.A) run.linkReleasedNs = m.kernel.now;
      l.finish(inj.uei);
      if (before !== null && m.scx.current === before && l === run.A) {
        story.note(`"${before}", attached through another map's link, is still enabled: an unreg disables only the instance its own map enabled (ops->priv)`);
      } else if (l === run.A) {
        story.note("its unreg found the scheduler already disabled: nothing else to do");
      }
      return;
    }
    if (m.kernel.now + period <= end) m.at(m.kernel.now + period, tick);
  };
  const first = m.kernel.now + Math.floor(period / 2);
  if (first <= end) m.at(first, tick);
  return () => { stopped = true; };
}

/** Step 4 (optional): after the eviction a new loader attaches a scheduler through a new link, retrying while the old one is still enabled. */
export function scheduleReattach(run: DemoRun): void {
  const r = run.o.reattach;
  if (!r) return;
  const { m, story, A, pollNs, end } = run;
  if (!(r.atNs > run.faultAtNs && r.atNs <= end)) throw new RangeError(`reattach time ${r.atNs} ns is not after the fault and within the run`);
  const attempt = () => {
    if (run.reattach === null) {
      const B = run.newLoader(loaderName(r.scheduler));
      const injB = new FaultInjector(createScheduler(schedulerSpec(r.scheduler, r.options), m.scxApi), m.scxApi, { fault: null });
      run.reattach = { loader: B, injector: injB, attachedAtNs: null, attempts: 0, lastError: null, extTasks: 0, snap: null };
      B.say(`loading sched_ext_ops "${injB.name}" (a new process, a new map, a new link)`);
      const lr = B.load(injB.ops);
      if (lr !== 0) { run.reattach.lastError = lr; B.say(`libbpf: failed to load struct_ops "${injB.name}": ${strerror(-lr)} (${lr})`); return; }
    }
    const st = run.reattach;
    st.attempts++;
    const snap = snapshot(m);
    const link = st.loader.link();
    st.lastError = link < 0 ? link : null;
    if (link >= 0 && m.scx.current !== null) {
      st.attachedAtNs = m.kernel.now;
      st.snap = snap;
      st.extTasks = countClasses(m).ext;
      story.note(`${st.extTasks} tasks switched from fair to sched_ext (${st.injector.name}) through link ${st.loader.linkId}, a new link (not an update of link ${A.linkId})`);
      if (A.linkFd >= 0 && A.proc.alive) story.note(`the dead scheduler's link ${A.linkId} is still open in ${A.proc.name}[${A.proc.pid}]: a new scheduler may attach anyway, sched_ext being disabled`);
      pollLoop(run, st.loader, st.injector, pollNs);
      return;
    }
    if (link === -EBUSY) {
      st.loader.say(`libbpf: failed to attach struct_ops "${st.injector.name}": ${strerror(EBUSY)} (-${EBUSY}): a scheduler is still enabled; retrying in ${ms(pollNs)}`);
      if (m.kernel.now + pollNs <= end) m.at(m.kernel.now + pollNs, attempt);
      return;
    }
    st.loader.say(`libbpf: failed to attach struct_ops "${st.injector.name}": ${link < 0 ? `${strerror(-link)} (${link})` : "it exited while enabling"}`);
  };
  m.at(r.atNs, attempt);
}

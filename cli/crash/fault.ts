/**
 * The crash demo's fault step and the eviction it causes: what happens at the fault time for
 * each kind of fault, and what the kernel's disable path finds when the scheduler goes.
 */
import { EPOLLHUP } from "../../sim/bpf/index.js";
import type { ExitInfo } from "../../sim/result.js";
import { snapshot } from "./windows.js";
import { countClasses, earliestHeld, ms, MS, ret, secs, type DemoRun } from "./demo_run.js";

/** Step 3: at the fault time, the loader dies or lets go, SysRq fires, or the injector is armed. */
export function scheduleFault(run: DemoRun, stopPollA: () => void): void {
  const { m, story, A, injA, fault, info } = run;
  m.at(run.faultAtNs, () => {
    run.faultSnap = snapshot(m);
    const p = A.proc;
    if (injA.uei !== null) story.note(`"${injA.name}" already exited at ${secs(injA.uei.atNs)} (${injA.uei.kind}): the fault comes too late`);
    if (!p.alive && !info.inScheduler && fault !== "sysrq") return;
    switch (fault) {
      case "crash":
        story.kernel(`${p.name}[${p.pid}]: segfault at 0 error 4 in ${p.name}: killed by SIGSEGV`);
        story.kernel(`${p.name}[${p.pid}]: exit_files: closing ${A.fdList()}`);
        stopPollA();
        run.linkReleasedNs = m.kernel.now;
        p.crash("SIGSEGV");
        story.note(`${p.name}[${p.pid}] is dead (killed by SIGSEGV): the last reference to link ${A.linkId} went with its fd table`);
        break;
      case "exit":
        A.say("main loop done (say, a bug makes it return early): exit(0) without bpf_link__destroy()");
        story.kernel(`${p.name}[${p.pid}]: exit_files: closing ${A.fdList()}`);
        stopPollA();
        run.linkReleasedNs = m.kernel.now;
        p.exit(0);
        story.note(`${p.name}[${p.pid}] exited with status 0: closing its fds released link ${A.linkId}`);
        break;
      case "detach": {
        run.linkReleasedNs = m.kernel.now;
        const r = p.bpf.linkDetach(A.linkFd);
        A.say(`bpf(BPF_LINK_DETACH, {link_fd=${A.linkFd}}) = ${ret(r)}`);
        const pr = p.bpf.linkPoll(A.linkFd);
        const li = p.bpf.linkInfo(A.linkFd);
        const mapNow = typeof li === "number" ? "?" : String(li.mapId);
        A.say(`poll(link fd ${A.linkFd}) = ${pr >= 0 && (pr & EPOLLHUP) ? "EPOLLHUP" : ret(pr)}: link ${A.linkId} is detached (map_id ${mapNow}) but the fd is still open`);
        stopPollA();
        if (injA.uei !== null) A.finish(injA.uei);
        story.note("closing a detached link unregisters nothing a second time: one unreg per reg");
        break;
      }
      case "sysrq":
        story.kernel("sysrq: Disable sched_ext and revert all tasks to CFS");
        m.scx.sysrq();
        break;
      default:
        run.heldAtArm = earliestHeld(m);
        injA.arm();
        story.note(`fault injector armed: ${info.what}`);
        break;
    }
  });
}

/** The eviction, seen from inside the kernel's disable path (ops.exit): read now, narrate after the event. */
export function onFirstExit(run: DemoRun, ei: ExitInfo): void {
  const { m, story, A, fault } = run;
  run.exitSnap = snapshot(m);
  const c = countClasses(m);
  let linkAttached: boolean | null = null;
  if (ei.kind !== "SCX_EXIT_UNREG" && A.proc.alive && A.linkFd >= 0) {
    const li = A.proc.bpf.linkInfo(A.linkFd);
    const pr = A.proc.bpf.linkPoll(A.linkFd);
    linkAttached = typeof li !== "number" && li.mapId !== 0 && pr === 0;
  }
  const seen = { extTasks: c.ext, fairTasks: c.fair, invariants: m.invariants(), linkAttached };
  run.atExit = seen;
  m.at(m.kernel.now, () => {
    story.note(`all ${seen.fairTasks} tasks are back in the fair class (${seen.extTasks} left in sched_ext); ` +
      `tasks created ${seen.invariants.created} = alive ${seen.invariants.alive} + exited ${seen.invariants.exited}, lost ${seen.invariants.lost}`);
    if (fault === "stall") {
      const began = Math.min(run.heldAtArm, run.injA.firstParkedNs ?? Number.POSITIVE_INFINITY);
      if (Number.isFinite(began)) {
        story.note(`the stall began at ${secs(began)}; timeout_ms=${run.timeoutMs}: the watchdog, which checks every ${ms((run.timeoutMs ?? 0) * MS / 2)}, fired ${ms(ei.atNs - began)} after it began`);
      }
    }
    if (seen.linkAttached === true) {
      story.note(`link ${A.linkId} is still attached to map ${A.mapId} (${A.proc.name}[${A.proc.pid}] fd ${A.linkFd}, poll: no EPOLLHUP): ` +
        "the kernel does not release it; user space must");
    }
  });
}

/**
 * A compiled sched_ext object as a SchedExtOps: every callback the object's `sched_ext_ops`
 * names becomes a method that writes the callback's arguments into the context array (u64 each,
 * as BPF_PROG() reads them), brings the task_struct mirrors up to date, runs the translated
 * program, and copies back what BPF may write. Callbacks the object lacks are left undefined, so
 * the core applies the kernel's defaults (exit_task and exit are always defined: they recycle the
 * task mirror and record the user exit info; `exit` gets a scx_exit_info with kind, code, reason
 * and message). cgroups are struct cgroup mirrors (cgroups.ts) created on first sight; the
 * program-allocated objects, rbtrees and spin locks are helpers/graph.ts and spin_lock.ts.
 *
 * Before each callback the kernel state an object may read about the callback's CPU is brought
 * up to date: the clocks of its per-CPU `runqueues` copy (rq_clocks.ts) and the hard-IRQ count
 * of `__preempt_count` (preempt_count.ts), for objects that declare them.
 *
 * Around loading, the object's loader recipe (sim/ebpf/recipes, chosen by the ops name) plays
 * its user-space half: arrays resized and `.rodata` written for this machine, `-o` options by
 * upstream name, SEC("syscall") programs run through a BPF_PROG_TEST_RUN facade before attach
 * (and after it, at the end of ops.init), and the ops flags the loader sets.
 *
 * bpf_get_current_task_btf returns the waker in the callbacks of a wakeup (or fork) made by a
 * task, and the task a sleep's timer interrupt found running; bpf_get_smp_processor_id the
 * waker's CPU or the timer's (Scx.currentTask/currentCpu). Approximations, documented: elsewhere,
 * when that timer found its CPU idle (no idle task here) and in the kernel's other wakeups (a
 * task's first start, an arrival), the first returns the task the callback is about and the
 * second the CPU of that task (or the CPU a dispatch or update_idle runs for).
 */
import type { CpuId, ExitTaskArgs, InitTaskArgs, SchedExtOps, Scx, ScxTask } from "../../ext/ops.js";
import { asCpu } from "../../ext/ids.js";
import { compileProgram } from "../engine.js";
import { helperName, makeHelpers } from "../helpers/index.js";
import { BpfGraph } from "../helpers/graph.js";
import { arenaKfuncs } from "../helpers/arena_kfuncs.js";
import { SpinLocks } from "../helpers/spin_lock.js";
import { ObjFormatError } from "../obj/errors.js";
import { kernelField } from "../obj/kernel_btf.js";
import { CgroupMirrors } from "./cgroups.js";
import type { HelperHost } from "../helpers/host.js";
import { BpfMemory, type BpfAddr } from "../memory.js";
import { initScxEnums, loadBpfObject, setRodata, BpfObjectError, type BpfObject, type LoadedProgram, type RodataValue, type StructOpsDesc } from "../obj/index.js";
import type { BpfEnv, CompiledProgram } from "../program.js";
import type { ExitInfo } from "../../result.js";
import { EngineBug } from "../../errors.js";
import { ExitInfoMirror, recordUei } from "./uei.js";
import { deqFlagsHi, deqFlagsLo, enqFlagsHi, enqFlagsLo } from "./abi.js";
import { makeKfuncs } from "./kfuncs.js";
import { globalCounters } from "./stats.js";
import { RecipeError, planRecipe, recipeFor, type RecipeMachine, type RecipePlan } from "../recipes/index.js";
import type { MapWrite, PeriodicIo, PeriodicStep, RecipeIo } from "../recipes/recipe.js";
import { ArenaMap } from "../maps/arena.js";
import { SCX_OPS_ALL_FLAGS } from "../../ext/consts.js";
import { TaskMirrors } from "./tasks.js";
import { RqClocks } from "./rq_clocks.js";
import { PreemptCount } from "./preempt_count.js";

const CTX_SLOTS = 8;
/** Where scx_init_task_args keeps the task's cgroup. */
const INIT_TASK_CGROUP = kernelField("scx_init_task_args", "cgroup").offset;
const ARGS_BYTES = 64;
const PRINTK_KEEP = 256;

/** What loading an object for one run yields, besides the ops table (tests read these). */
export interface BpfSchedulerInstance {
  readonly ops: SchedExtOps;
  readonly object: BpfObject;
  readonly memory: BpfMemory;
  /** bpf_printk lines, the most recent PRINTK_KEEP. */
  readonly printk: readonly string[];
  /** What the loader would warn about (no recipe for the object). */
  readonly warnings: readonly string[];
}

/**
 * Load `bytes` for one run against `scx`: a fresh address space, `.rodata` options applied
 * (`-o name=value`; values are parsed by the variable's BTF type), programs translated.
 * Throws BpfObjectError (one line naming the file) for anything the object or options get wrong.
 */
export function instantiateBpfScheduler(bytes: Uint8Array, file: string, options: Readonly<Record<string, RodataValue>>, scx: Scx, runSyscalls = true): BpfSchedulerInstance {
  const memory = new BpfMemory();
  const nrCpus = scx.nrCpus();
  const tasks = new TaskMirrors(memory, nrCpus);
  let callback = "load";
  let curCpu = 0;
  let curTask: BpfAddr = 0;
  const printk: string[] = [];
  const cgroups = new CgroupMirrors(memory);
  const graph: BpfGraph = new BpfGraph(memory, (): SpinLocks => locks);
  const locks: SpinLocks = new SpinLocks(memory, (addr) => graph.notALock(addr));
  const kfuncs = new Map([
    ...makeKfuncs({ scx, memory, tasks, cgroups, nrCpus, callback: () => callback }), ...graph.kfuncs(),
    ...arenaKfuncs((addr) => obj.mapByAddr(addr)?.store, () => scx.nrNodes()),
  ]);
  const obj = loadBpfObject(bytes, file, memory, { nrCpus, kfuncAvailable: (n) => kfuncs.has(n), llcOf: (c) => scx.cpuLlc(asCpu(c)), hz: scx.hz() });
  try {
    graph.bind(obj);
  } catch (e) {
    throw e instanceof ObjFormatError ? new BpfObjectError(file, e.message) : e;
  }
  // Programs that may take a spin lock get their calls checked against the lock rules.
  const usesLocks = obj.btf.find("struct", "bpf_spin_lock") !== undefined;
  initScxEnums(obj);
  const desc = obj.structOps[0];
  if (desc === undefined) throw new BpfObjectError(file, "no sched_ext_ops variable in .struct_ops or .struct_ops.link");
  const recipe = recipeFor(desc.name);
  const warnings: string[] = [];
  let plan: RecipePlan = { rodata: [] };
  let rest: Readonly<Record<string, RodataValue>> = options;
  if (recipe === undefined) warnings.push(`no loader recipe for sched_ext_ops "${desc.name}": it runs with its compiled .rodata defaults`);
  else {
    try {
      ({ plan, rest } = planRecipe(recipe, machineOf(scx), stringValues(options)));
    } catch (e) {
      throw e instanceof RecipeError ? new BpfObjectError(file, e.message) : e;
    }
  }
  for (const [name, n] of plan.resize ?? []) obj.resizeArray(name, n);
  for (const [name, value] of plan.rodata) setRodata(obj, name, value);
  for (const [name, value] of Object.entries(rest)) {
    try {
      setRodata(obj, name, value);
    } catch (e) {
      if (recipe === undefined || !(e instanceof BpfObjectError) || !e.message.includes(": unknown option ")) throw e;
      // Name the loader's options first: those are what the upstream command line offers.
      const vars = obj.rodata.map((v) => v.name).filter((n) => !n.startsWith("__SCX_"));
      throw new BpfObjectError(file, `unknown option ${name}; the ${recipe.ops} loader's options: ${Object.keys(recipe.options).join(", ")}; or a .rodata variable: ${vars.join(", ") || "(none)"}`);
    }
  }
  obj.sealRodata();
  for (const m of obj.maps) if (m.def.origin === "data" && m.name.includes(".rodata")) memory.freeze(obj.mapValueAddr(m.index, 0));
  writeMaps(obj, plan.maps ?? []);
  for (const [name, value] of plan.data ?? []) obj.writeData(name, value);
  const tracing = tracingPrograms(obj);
  if (tracing !== undefined) warnings.push(tracing);
  const host: HelperHost = {
    memory,
    mapStoreAt: (addr) => obj.mapByAddr(addr)?.store,
    nowNs: () => scx.now(),
    cpu: () => { const w = scx.currentTask(); return w === null && !scx.inHardirq() ? curCpu : scx.currentCpu(); },
    currentTask: () => {
      const w = scx.currentTask();
      if (w !== null) return tasks.sync(w);
      // An interrupt on an idle CPU (a sleep's timer wakeup) finds its idle task running; a task's
      // first start has no waker among the simulated tasks (its parent is outside the model), so
      // a task no scheduler knows stands in there too. Elsewhere current is the callback's task.
      return scx.inHardirq() || callback === "runnable" || callback === "select_cpu" ? tasks.idleTask(scx.currentCpu()) : curTask;
    },
    randomU32: () => scx.randomU32(),
    percpuPtr: (addr, cpu) => obj.percpu.ptr(addr, cpu),
    printk: (line) => { if (printk.push(line) > PRINTK_KEEP) printk.shift(); },
    timerCreate: (fire) => scx.timerCreate(fire),
    timerStart: (id, ns) => scx.timerStart(id, ns),
    timerCancel: (id) => scx.timerCancel(id),
    spinLock: (addr) => locks.lock(addr),
    spinUnlock: (addr) => locks.unlock(addr),
    runCallback: (name, fn) => {
      // A timer callback runs on the CPU its timer fires on, with no task of its own.
      const lock = locks.held, savedCpu = curCpu, savedTask = curTask;
      curCpu = scx.currentCpu(); curTask = 0;
      try {
        fn();
        tasks.writeBackTouched();
      } catch (e) {
        locks.restore(lock);
        throw e;
      } finally {
        curCpu = savedCpu; curTask = savedTask;
      }
      locks.checkReturn(name, lock);
    },
  };
  const helpers = makeHelpers(host, TaskMirrors.pidOffset);
  const compile = (progName: string): CompiledProgram => {
    const p = obj.programs.get(progName);
    if (p === undefined) throw new BpfObjectError(file, `sched_ext_ops member refers to missing program ${progName}`);
    const env: BpfEnv = {
      memory,
      helper: (id) => {
        const fn = helpers(id);
        return fn === undefined || !usesLocks ? fn : locks.guard(helperName(id), fn, false);
      },
      kfunc: (i) => {
        const name = p.kfuncNames[i] ?? "", fn = kfuncs.get(name);
        return fn === undefined || !usesLocks ? fn : locks.guard(name, fn, true);
      },
      mapAddr: (i) => obj.mapAddr(i),
      mapValueAddr: (i, off) => obj.mapValueAddr(i, off),
    };
    try {
      return compileProgram(p, env, { sourceOf: (i) => sourceLine(p.lines, i) });
    } catch (e) {
      throw e instanceof Error && e.name === "BpfLoadError" ? new BpfObjectError(file, e.message) : e;
    }
  };

  const rqs = obj.percpu.addrOf("runqueues");
  const clocks = rqs === undefined ? undefined : new RqClocks(memory, rqs, scx, nrCpus);
  const pc = obj.percpu.addrOf("__preempt_count");
  const preempt = pc === undefined ? undefined : new PreemptCount(memory, pc, scx);
  const ctx = memory.alloc(CTX_SLOTS * 8, { name: "struct_ops ctx", writable: false, kind: "ctx" });
  const argsRegion = memory.alloc(ARGS_BYTES, { name: "callback args", writable: false, kind: "kernel_object" });
  const setArg = (k: number, lo: number, hi: number): void => {
    const i32 = memory.i32;
    i32[(ctx >> 2) + 2 * k] = lo;
    i32[(ctx >> 2) + 2 * k + 1] = hi;
  };
  const progs = new Map<string, CompiledProgram>();
  for (const [member, progName] of Object.entries(desc.callbacks)) progs.set(member, compile(progName));
  const syscalls = (plan.syscalls ?? []).map((r) => ({ ...r, compiled: compile(r.prog) }));

  /** Run callback `name` about the task whose mirror is `t` (or 0) on `cpu`; returns R0's low 32 bits. */
  const run = (name: string, prog: CompiledProgram, t: BpfAddr, cpu: CpuId): number => {
    const saved = callback, savedCpu = curCpu, savedTask = curTask, lock = locks.held;
    callback = name; curCpu = cpu; curTask = t;
    clocks?.update(cpu);
    preempt?.enter();
    let r: number;
    try {
      r = prog.run(ctx);
    } catch (e) {
      locks.restore(lock);
      throw e;
    }
    locks.checkReturn(prog.name, lock);
    tasks.writeBackTouched();
    callback = saved; curCpu = savedCpu; curTask = savedTask;
    return r;
  };
  // Task-local storage dies with its task (and the mirror is reused), as in the kernel.
  const localMaps = obj.maps.flatMap((m) => (m.store.storage === "local" ? [m.store] : []));
  const release = (p: ScxTask): void => {
    const t = tasks.release(p);
    if (t !== 0) for (const s of localMaps) s.forget(t);
  };
  /** BPF_PROG_TEST_RUN of a SEC("syscall") program: its context is a copy of the caller's bytes. */
  const testRun = (r: { prog: string; ctx: Uint8Array; cpu: number; compiled: CompiledProgram }, check = true): { ret: number; ctx: Uint8Array } => {
    const at = memory.alloc(Math.max(8, r.ctx.length), { name: `${r.prog} ctx`, writable: true, kind: "ctx" });
    memory.hostBytes(at, r.ctx.length).set(r.ctx);
    const saved = callback, savedCpu = curCpu;
    callback = r.prog; curCpu = r.cpu;
    let ret: number;
    try {
      ret = r.compiled.run(at) | 0;
      locks.checkReturn(r.prog, 0);
    } catch (e) {
      locks.restore(0);
      // A fault in the loader's own program fails the load, as the Rust loader's unwrap would.
      throw e instanceof Error && !(e instanceof EngineBug) ? new BpfObjectError(file, `the loader's ${r.prog}: ${e.message}`) : e;
    } finally {
      callback = saved; curCpu = savedCpu;
    }
    if (check && ret !== 0) throw new BpfObjectError(file, `the loader's ${r.prog}(${Array.from(new Int32Array(r.ctx.slice().buffer)).join(", ")}) returned ${ret}`);
    return { ret, ctx: memory.hostBytes(at, r.ctx.length).slice() };
  };
  if (runSyscalls) {
    for (const r of syscalls) if (r.afterAttach !== true) testRun(r);
    if (plan.setup !== undefined) runSetup(plan.setup, { file, obj, memory, compile, testRun });
    scx.statsFrom(globalCounters(obj));
  }
  const afterAttach = runSyscalls ? syscalls.filter((r) => r.afterAttach === true) : [];
  const flags = plan.flags === undefined ? undefined : plan.flags & SIM_OPS_FLAGS;
  const periodic = runSyscalls ? plan.periodic ?? [] : [];
  const attached = afterAttach.length === 0 && periodic.length === 0 ? undefined : (): void => {
    for (const r of afterAttach) testRun(r);
    for (const p of periodic) startPeriodic(p, scx, obj);
  };
  const ops = buildOps(desc, progs, { object: obj, tasks, cgroups, setArg, run, argsRegion, memory, release }, flags, attached);
  return { ops, object: obj, memory, printk, warnings };
}

/**
 * The ops flags scxlab's kernel models (SCX_OPS_ALL_FLAGS). The loaders' other bits are about
 * what the simulated kernel never has (migration-disabled tasks, queued wakeups, per-node idle
 * tracking as a separate structure), so dropping them changes nothing here.
 */
const SIM_OPS_FLAGS = SCX_OPS_ALL_FLAGS;

interface SetupHost {
  file: string;
  obj: BpfObject;
  memory: BpfMemory;
  compile(prog: string): CompiledProgram;
  testRun(r: { prog: string; ctx: Uint8Array; cpu: number; compiled: CompiledProgram }, check: boolean): { ret: number; ctx: Uint8Array };
}

/** Run a recipe's user-space setup: syscall programs on CPU 0 (compiled once each) and arena writes. */
function runSetup(setup: (io: RecipeIo) => void, h: SetupHost): void {
  const compiled = new Map<string, CompiledProgram>();
  const arena = h.obj.maps.find((m) => m.store instanceof ArenaMap)?.store as ArenaMap | undefined;
  const io: RecipeIo = {
    run: (prog, ctx) => {
      if (h.obj.programs.get(prog)?.section !== "syscall") throw new BpfObjectError(h.file, `the loader runs ${prog}, which is not a SEC("syscall") program of the object`);
      let c = compiled.get(prog);
      if (c === undefined) { c = h.compile(prog); compiled.set(prog, c); }
      return h.testRun({ prog, ctx, cpu: 0, compiled: c }, false);
    },
    structSize: (name) => {
      const id = h.obj.btf.find("struct", name);
      if (id === undefined) throw new BpfObjectError(h.file, `the loader needs struct ${name}, which the object's BTF lacks`);
      return h.obj.btf.sizeOf(id);
    },
    writeArena: (addr, bytes) => {
      if (arena === undefined) throw new BpfObjectError(h.file, "the loader writes an arena the object does not have");
      try {
        arena.hostWrite(addr, bytes);
      } catch (e) {
        throw e instanceof RangeError ? new BpfObjectError(h.file, e.message) : e;
      }
    },
  };
  try {
    setup(io);
  } catch (e) {
    throw e instanceof RecipeError ? new BpfObjectError(h.file, e.message) : e;
  }
}

/** Runs a loader's periodic user-space step every `intervalNs` from now, on a timer of the scheduler. */
function startPeriodic(p: PeriodicStep, scx: Scx, obj: BpfObject): void {
  const io: PeriodicIo = {
    now: () => scx.now(),
    cpuBusyNs: (cpu) => scx.cpuBusyNs(asCpu(cpu)),
    writeData: (path, value) => obj.writeData(path, value),
  };
  p.start?.(io);
  const id = scx.timerCreate(() => {
    p.step(io);
    scx.timerStart(id, p.intervalNs);
  });
  if (id < 0) throw new BpfObjectError(obj.file, `the loader's periodic step needs a timer: ${id}`);
  scx.timerStart(id, p.intervalNs);
}

/** The recipe's map writes, as user space's bpf_map_update_elem (BPF_ANY) after load. */
function writeMaps(obj: BpfObject, writes: readonly MapWrite[]): void {
  if (writes.length === 0) return;
  const m = obj.memory;
  const size = Math.max(...writes.map((w) => w.key.length + w.value.length));
  const scratch = m.alloc(size, { name: "user-space map write", writable: false, kind: "kernel_object" });
  for (const w of writes) {
    const map = obj.mapByName(w.map);
    if (map === undefined || map.store.storage !== "keyed") throw new BpfObjectError(obj.file, `the loader writes map ${w.map}, which the object does not define as a keyed map`);
    m.hostBytes(scratch, w.key.length + w.value.length).set([...w.key, ...w.value]);
    const r = map.store.update(scratch, scratch + w.key.length, 0, 0);
    if (r !== 0) throw new BpfObjectError(obj.file, `the loader's write to map ${w.map} failed (${r})`);
  }
}

/**
 * One line naming the object's tracing programs (fentry, tp_btf, kprobe, ...), which scxlab
 * loads but never attaches or runs; those in a `?` section are not even loaded by libbpf
 * (autoload off) unless user space asks, and no recipe does. Undefined when there are none.
 */
function tracingPrograms(obj: BpfObject): string | undefined {
  const list = [...obj.programs.values()].filter((p) => !p.section.startsWith("struct_ops") && p.section !== "syscall");
  if (list.length === 0) return undefined;
  const what = list.map((p) => `${p.name} (SEC("${p.section}")${p.section.startsWith("?") ? ", autoload off: not loaded, as libbpf leaves it" : ""})`);
  return `tracing programs not attached (scxlab runs only struct_ops and syscall programs): ${what.join(", ")}`;
}

function stringValues(o: Readonly<Record<string, RodataValue>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o)) Object.defineProperty(out, k, { value: String(v), enumerable: true });
  return out;
}

/** The machine a recipe sees, from the kfunc facade. */
function machineOf(scx: Scx): RecipeMachine {
  return {
    nrCpus: scx.nrCpus(), nrNodes: scx.nrNodes(), nrLlcs: scx.nrLlcs(),
    sibling: (c) => scx.cpuSibling(asCpu(c)), llc: (c) => scx.cpuLlc(asCpu(c)), node: (c) => scx.cpuNode(asCpu(c)), capacity: (c) => scx.cpuCapacity(asCpu(c)),
  };
}

interface Glue {
  readonly object: BpfObject;
  readonly tasks: TaskMirrors;
  readonly cgroups: CgroupMirrors;
  readonly memory: BpfMemory;
  readonly argsRegion: BpfAddr;
  setArg(k: number, lo: number, hi: number): void;
  release(p: ScxTask): void;
  run(name: string, prog: CompiledProgram, t: BpfAddr, cpu: CpuId): number;
}

type MutableOps = { -readonly [K in keyof SchedExtOps]: SchedExtOps[K] };

function buildOps(desc: StructOpsDesc, progs: ReadonlyMap<string, CompiledProgram>, g: Glue, flags: number | undefined, attached: (() => void) | undefined): SchedExtOps {
  const ops: MutableOps = {
    name: desc.name,
    flags: flags ?? Number(desc.flags & 0xffffn),
    timeout_ms: desc.timeoutMs,
    dispatch_max_batch: desc.dispatchMaxBatch,
    exit_dump_len: desc.exitDumpLen,
  };
  const { tasks, setArg, run } = g;
  const task = (p: ScxTask): BpfAddr => {
    const t = tasks.sync(p);
    setArg(0, t, 0);
    return t;
  };
  /** (p, from, to) of the cgroup move callbacks. */
  const moveArgs = (p: ScxTask, from: string, to: string): BpfAddr => {
    const t = task(p);
    setArg(1, g.cgroups.of(from), 0); setArg(2, g.cgroups.of(to), 0);
    return t;
  };
  // The one-argument task callbacks share a shape.
  const onTask = (name: string, prog: CompiledProgram) => (p: ScxTask): void => { run(name, prog, task(p), p.cpu); };
  for (const [name, prog] of progs) {
    switch (name) {
      case "select_cpu": ops.select_cpu = (p, prevCpu, wakeFlags) => {
        const t = task(p); setArg(1, prevCpu, 0); setArg(2, wakeFlags, 0);
        return asCpu(run(name, prog, t, prevCpu));
      }; break;
      case "enqueue": ops.enqueue = (p, f) => { const t = task(p); setArg(1, enqFlagsLo(f), enqFlagsHi(f)); run(name, prog, t, p.cpu); }; break;
      case "runnable": ops.runnable = (p, f) => { const t = task(p); setArg(1, enqFlagsLo(f), enqFlagsHi(f)); run(name, prog, t, p.cpu); }; break;
      case "dequeue": ops.dequeue = (p, f) => { const t = task(p); setArg(1, deqFlagsLo(f), deqFlagsHi(f)); run(name, prog, t, p.cpu); }; break;
      case "quiescent": ops.quiescent = (p, f) => { const t = task(p); setArg(1, deqFlagsLo(f), deqFlagsHi(f)); run(name, prog, t, p.cpu); }; break;
      case "dispatch": ops.dispatch = (cpu, prev) => {
        const t = prev === null ? 0 : tasks.sync(prev);
        setArg(0, cpu, 0); setArg(1, t, 0);
        run(name, prog, t, cpu);
      }; break;
      case "tick": ops.tick = onTask(name, prog); break;
      case "running": ops.running = onTask(name, prog); break;
      case "enable": ops.enable = onTask(name, prog); break;
      case "disable": ops.disable = onTask(name, prog); break;
      case "stopping": ops.stopping = (p, runnable) => { const t = task(p); setArg(1, runnable ? 1 : 0, 0); run(name, prog, t, p.cpu); }; break;
      case "yield": ops.yield = (from, to) => {
        const t = task(from); setArg(1, to === null ? 0 : tasks.sync(to), 0);
        return (run(name, prog, t, from.cpu) & 0xff) !== 0;
      }; break;
      case "set_weight": ops.set_weight = (p, w) => { const t = task(p); setArg(1, w, 0); run(name, prog, t, p.cpu); }; break;
      case "set_cpumask": ops.set_cpumask = (p) => {
        const t = task(p); tasks.syncCpumask(p, t); setArg(1, t + TaskMirrors.cpusMaskOffset, 0);
        run(name, prog, t, p.cpu);
      }; break;
      case "cpu_acquire": ops.cpu_acquire = (cpu) => { setArg(0, cpu, 0); setArg(1, 0, 0); run(name, prog, 0, cpu); }; break;
      case "cpu_release": ops.cpu_release = (cpu, args) => {
        // struct scx_cpu_release_args: enum reason at 0, the task pointer at 8
        const t = tasks.sync(args.task);
        fillArgs(g, 0);
        const i32 = g.memory.i32, w = g.argsRegion >> 2;
        i32[w] = args.reason; i32[w + 2] = t; // a BpfAddr is below 2^30: the high word stays 0
        setArg(0, cpu, 0); setArg(1, g.argsRegion, 0);
        run(name, prog, 0, cpu);
      }; break;
      case "update_idle": ops.update_idle = (cpu, idle) => { setArg(0, cpu, 0); setArg(1, idle ? 1 : 0, 0); run(name, prog, 0, cpu); }; break;
      case "init_task": ops.init_task = (p: ScxTask, args: InitTaskArgs) => {
        const t = task(p); fillArgs(g, args.fork ? 1 : 0); setArg(1, g.argsRegion, 0);
        const i32 = g.memory.i32, w = (g.argsRegion + INIT_TASK_CGROUP) >> 2;
        i32[w] = g.cgroups.of(p.cgroup); i32[w + 1] = 0; // a BpfAddr is below 2^30
        return run(name, prog, t, p.cpu);
      }; break;
      case "exit_task": break; // below: always defined, to recycle the mirror
      case "init": ops.init = () => { const r = run(name, prog, 0, asCpu(0)); if (r === 0) attached?.(); return r; }; break;
      case "exit": break; // below: always defined, to record the user exit info
      case "cgroup_init": ops.cgroup_init = (path, weight) => {
        // struct scx_cgroup_init_args: the weight first, the rest zero
        fillArgs(g, 0);
        g.memory.view.setUint32(g.argsRegion, weight, true);
        setArg(0, g.cgroups.of(path), 0); setArg(1, g.argsRegion, 0);
        return run(name, prog, 0, asCpu(0));
      }; break;
      case "cgroup_exit": ops.cgroup_exit = (path) => { setArg(0, g.cgroups.of(path), 0); run(name, prog, 0, asCpu(0)); }; break;
      case "cgroup_set_weight": ops.cgroup_set_weight = (path, weight) => {
        setArg(0, g.cgroups.of(path), 0); setArg(1, weight, 0);
        run(name, prog, 0, asCpu(0));
      }; break;
      case "cgroup_prep_move": ops.cgroup_prep_move = (p, from, to) => run(name, prog, moveArgs(p, from, to), p.cpu); break;
      case "cgroup_move": ops.cgroup_move = (p, from, to) => { run(name, prog, moveArgs(p, from, to), p.cpu); }; break;
      case "cgroup_cancel_move": ops.cgroup_cancel_move = (p, from, to) => { run(name, prog, moveArgs(p, from, to), p.cpu); }; break;
      default: break; // dump*, cpu_online/offline, core_sched_before: never called by scxlab's kernel
    }
  }
  // The loader's after-attach steps (tickless starts its timer): once the scheduler is enabled.
  if (ops.init === undefined && attached !== undefined) ops.init = () => { attached(); return 0; };
  const exitProg = progs.get("exit");
  const exitInfo = new ExitInfoMirror(g.memory);
  ops.exit = (ei: ExitInfo) => {
    if (exitProg !== undefined) { setArg(0, exitInfo.fill(ei), 0); run("exit", exitProg, 0, asCpu(0)); }
    recordUei(g.object, ei);
  };
  const exitTask = progs.get("exit_task");
  ops.exit_task = (p: ScxTask, args: ExitTaskArgs) => {
    if (exitTask !== undefined) {
      const t = task(p); fillArgs(g, args.cancelled ? 1 : 0); setArg(1, g.argsRegion, 0);
      run("exit_task", exitTask, t, p.cpu);
    }
    g.release(p);
  };
  return ops;
}

/** "file.bpf.c:42" for the last line-info record at or before instruction `insn`. */
function sourceLine(lines: LoadedProgram["lines"], insn: number): string | undefined {
  let best: LoadedProgram["lines"][number] | undefined;
  for (const l of lines) {
    if (l.insn > insn) break;
    best = l;
  }
  return best === undefined ? undefined : `${best.file.split("/").pop()}:${best.line}`;
}

/** The small argument structs (scx_init_task_args, scx_exit_task_args): a bool first, the rest zero. */
function fillArgs(g: Glue, first: number): void {
  const m = g.memory, at = g.argsRegion;
  m.assertSpan(at, ARGS_BYTES);
  m.u8.fill(0, at, at + ARGS_BYTES);
  m.u8[at] = first;
}

/**
 * What `scxlab list` shows of schedulers/registry.ts and workloads/builtin/index.ts, in their
 * order, so that listing loads none of their modules. Written by test/cli/list_table.test.ts
 * (`npx vitest run test/cli/list_table.test.ts -u`), which fails when it is out of date.
 */
import type { ListTable } from "./list.js";

export const LIST_TABLE: ListTable = {
  schedulers: [
    {
      name: "simple",
      description: "global weighted vtime (or FIFO with fifo=true) on one shared DSQ",
      origin: "kernel tools/sched_ext/scx_simple.bpf.c",
      options: {
        "fifo": {"default":false,"doc":"global FIFO instead of weighted vtime (scx_simple -f)"},
        "slice_us": {"default":20000,"doc":"time slice in µs"},
      },
    },
    {
      name: "fifo",
      description: "first come, first served: one global FIFO, each task runs until it blocks (SCX_SLICE_INF)",
      origin: "textbook FCFS",
      options: {},
    },
    {
      name: "rr",
      description: "round robin: one global FIFO, fixed quantum slice_us, expired tasks to the tail",
      origin: "textbook round robin",
      options: {
        "slice_us": {"default":10000,"doc":"the time quantum q in µs"},
      },
    },
    {
      name: "srtf",
      description: "shortest remaining time first on declared (or predicted) sizes, preempts on wakeup",
      origin: "textbook SRTF / preemptive SJF (Schrage 1968)",
      options: {
        "default_run_us": {"default":10000,"doc":"initial size estimate (µs) for tasks that declare none"},
        "preempt": {"default":true,"doc":"preempt a longer running job on wakeup (false: non-preemptive SJF)"},
        "oracle": {"default":true,"doc":"use each job's real remaining size (p.workLeftNs); false: declared or predicted sizes"},
      },
    },
    {
      name: "mlfq",
      description: "multi-level feedback queue: levels with doubling quanta, demotion, periodic boost",
      origin: "textbook MLFQ (Corbató's CTSS; OSTEP ch. 8)",
      options: {
        "levels": {"default":3,"doc":"number of priority levels"},
        "base_slice_us": {"default":2000,"doc":"quantum (µs) of the top level; it doubles per level down"},
        "boost_us": {"default":1000000,"doc":"period (µs) of the priority boost to the top level"},
      },
    },
    {
      name: "stride",
      description: "stride scheduling: lowest pass runs one quantum, pass += STRIDE1/tickets",
      origin: "Waldspurger & Weihl 1995",
      options: {
        "slice_us": {"default":10000,"doc":"the quantum in µs"},
        "tickets": {"default":"","doc":"tickets by nice, \"nice:tickets,...\" (unlisted nice values use the weight)"},
      },
    },
    {
      name: "lottery",
      description: "lottery scheduling: a random ticket draw per quantum (scx.randomU32)",
      origin: "Waldspurger & Weihl 1994",
      options: {
        "slice_us": {"default":10000,"doc":"the quantum in µs"},
        "tickets": {"default":"","doc":"tickets by nice, \"nice:tickets,...\" (unlisted nice values use the weight)"},
      },
    },
    {
      name: "edf",
      description: "earliest deadline first on activation + relative deadline, preempts on wakeup",
      origin: "textbook EDF (Liu & Layland 1973)",
      options: {
        "default_deadline_us": {"default":100000,"doc":"relative deadline (µs) of tasks that declare neither deadline nor period"},
        "slice_us": {"default":20000,"doc":"slice (µs) after which jobs with equal deadlines take turns; also each job's budget per deadline"},
      },
    },
    {
      name: "cfs-like",
      description: "weighted vtime on per-CPU DSQs, idle stealing: a sched_ext port of fair",
      origin: "Linux CFS, as a sched_ext policy",
      options: {
        "slice_us": {"default":3000,"doc":"time slice in µs"},
        "wakeup_gran_us": {"default":1000,"doc":"vtime lead (µs) a waking task needs to preempt the running one"},
      },
    },
    {
      name: "qmap",
      description: "five weighted FIFO queues served 1/2/4/8/16 per round; fault-injection knobs",
      origin: "kernel tools/sched_ext/scx_qmap.bpf.c",
      options: {
        "slice_us": {"default":20000,"doc":"time slice in µs (scx_qmap -s)"},
        "dsp_batch": {"default":1,"doc":"tasks moved per dispatch call (scx_qmap -b)"},
        "stall_user_nth": {"default":0,"doc":"drop every nth user-task enqueue to stall it (0 = off; scx_qmap -t)"},
        "stall_kernel_nth": {"default":0,"doc":"the same for kernel threads (scx_qmap -T; none exist here)"},
        "test_error_cnt": {"default":0,"doc":"call scx_bpf_error() at this enqueue (0 = off; scx_qmap -e)"},
        "highpri_boosting": {"default":false,"doc":"nice -20 tasks jump every queue through a high-priority DSQ (scx_qmap -P)"},
      },
    },
    {
      name: "central",
      description: "one CPU makes every decision and hands out infinite slices; a 1 ms timer preempts",
      origin: "kernel tools/sched_ext/scx_central.bpf.c",
      options: {
        "central_cpu": {"default":0,"doc":"the CPU that makes all decisions (scx_central -c)"},
        "slice_us": {"default":20000,"doc":"run time before the timer preempts a task that has waiters (scx_central -s)"},
      },
    },
    {
      name: "flatcg",
      description: "cgroup weights flattened into one level (hweight); a DSQ per cgroup, cgroup vtime",
      origin: "kernel tools/sched_ext/scx_flatcg.bpf.c",
      options: {
        "cgrp_slice_us": {"default":20000,"doc":"how long a CPU serves one cgroup before picking again (scx_flatcg -s)"},
        "fifo_sched": {"default":false,"doc":"FIFO instead of weighted vtime inside each cgroup (scx_flatcg -f)"},
      },
    },
    {
      name: "nest",
      description: "global vtime; wakeups packed onto a primary nest of warm cores, 2 ms compaction",
      origin: "sched-ext/scx scheds/c/scx_nest.bpf.c (Inria Nest paper)",
      options: {
        "slice_us": {"default":20000,"doc":"time slice in µs (scx_nest -s)"},
        "p_remove_us": {"default":2000,"doc":"idle time after which a primary core is demoted (scx_nest -d)"},
        "r_max": {"default":5,"doc":"maximum cores in the reserve nest (scx_nest -m)"},
        "r_impatient": {"default":2,"doc":"misses in a row before a task may grab a core for primary (scx_nest -i; 0 = never)"},
        "find_fully_idle": {"default":false,"doc":"prefer wholly idle SMT cores in each nest (scx_nest -I)"},
      },
    },
    {
      name: "bpfland",
      description: "deadline = vruntime + awake time, the deadline becoming the vruntime; wakeup-frequency lag; per-CPU and per-node DSQs",
      origin: "sched-ext/scx scheds/rust/scx_bpfland at 7a58a3a",
      options: {
        "slice_max_us": {"default":1000,"doc":"maximum time slice in µs (scx_bpfland -s)"},
        "slice_min_us": {"default":0,"doc":"minimum time slice in µs, 0 = none (scx_bpfland -L)"},
        "slice_lag_us": {"default":40000,"doc":"vruntime credit a sleeper may bank, in µs (scx_bpfland -l)"},
        "local_pcpu": {"default":false,"doc":"queue tasks pinned to one CPU on its local DSQ (scx_bpfland -p)"},
        "sticky_tasks": {"default":false,"doc":"keep tasks averaging under 10 µs a run on their CPU (scx_bpfland -S)"},
        "no_wake_sync": {"default":false,"doc":"ignore SCX_WAKE_SYNC, so a pipe's reader is not pulled to the writer's CPU (scx_bpfland -w)"},
      },
    },
    {
      name: "lavd",
      description: "latency-criticality-aware virtual deadlines, per-LLC DSQs, load-based and boosted slices, autopilot core compaction",
      origin: "sched-ext/scx scheds/rust/scx_lavd at 7a58a3a",
      options: {
        "slice_min_us": {"default":500,"doc":"shortest slice in µs (scx_lavd --slice-min-us)"},
        "slice_max_us": {"default":5000,"doc":"longest slice in µs (scx_lavd --slice-max-us)"},
        "preempt_shift": {"default":6,"doc":"only the top 1/2^n latency-critical tasks may preempt (scx_lavd --preempt-shift)"},
        "pinned_slice_us": {"default":5000,"doc":"while pinned tasks wait on a CPU its tasks run at most this long (µs, within slice_min_us..slice_max_us), and pinned tasks queue on per-CPU DSQs; 0 turns it off (scx_lavd --pinned-slice-us)"},
        "lat_load_target_pct": {"default":100,"doc":"target load of turbulent CPUs (much IRQ/steal time) as % of steady CPUs' load, which sets how many tasks they serve (scx_lavd --lat-load-target-pct)"},
        "lb_local_dsq_util_pct": {"default":10,"doc":"queue straight to a CPU's local DSQ while it is less busy than this % (scx_lavd --lb-local-dsq-util-pct)"},
        "no_preemption": {"default":false,"doc":"never preempt (scx_lavd --no-preemption)"},
        "no_slice_boost": {"default":false,"doc":"never boost slices (scx_lavd --no-slice-boost)"},
        "no_freq_scaling": {"default":false,"doc":"keep every CPU at full performance (scx_lavd --no-freq-scaling)"},
        "autopilot": {"default":false,"doc":"pick performance, balanced or powersave from the load every 10 ms; the default when no mode option is set (scx_lavd --autopilot)"},
        "autopower": {"default":false,"doc":"follow the OS power profile; the simulated machine has none, so balanced (scx_lavd --autopower)"},
        "performance": {"default":false,"doc":"performance mode: every CPU in use, no core compaction (scx_lavd --performance)"},
        "powersave": {"default":false,"doc":"powersave mode: compact onto as few cores as the load needs, filling both threads of a core first (scx_lavd --powersave)"},
        "balanced": {"default":false,"doc":"balanced mode: compact, one thread of every core first (scx_lavd --balanced)"},
        "no_core_compaction": {"default":false,"doc":"use every CPU whatever the load (scx_lavd --no-core-compaction)"},
        "mig_delta_pct": {"default":0,"doc":"balance domains whose load is this % off the fair share, and never steal from an empty dispatch; 0: a margin that shrinks with load (scx_lavd --mig-delta-pct)"},
        "lb_low_util_pct": {"default":25,"doc":"plan no cross-domain migration while every domain's CPUs are less busy than this % (scx_lavd --lb-low-util-pct)"},
      },
    },
    {
      name: "rusty",
      description: "a vtime DSQ per LLC domain, greedy stealing, timer-driven load balancing",
      origin: "sched-ext/scx scheds/rust/scx_rusty at 7a58a3a",
      options: {
        "slice_us": {"default":20000,"doc":"slice while the machine is not saturated (scx_rusty -u)"},
        "slice_us_overutil": {"default":1000,"doc":"slice while it is (scx_rusty -o)"},
        "greedy_threshold": {"default":1,"doc":"non-zero: idle CPUs steal from other domains of their node (scx_rusty -g)"},
        "greedy_threshold_x_numa": {"default":0,"doc":"non-zero: also across NUMA nodes, from domains queueing fewer than this (scx_rusty --greedy-threshold-x-numa)"},
        "direct_greedy_under": {"default":90,"doc":"wake onto idle CPUs of domains below this utilisation % (scx_rusty -D)"},
        "kick_greedy_under": {"default":100,"doc":"kick idle CPUs of domains below this utilisation % to steal (scx_rusty -K)"},
        "direct_greedy_numa": {"default":false,"doc":"direct greedy may cross NUMA nodes (scx_rusty -r)"},
        "interval_us": {"default":2000000,"doc":"load-balancing period (scx_rusty -i, 2.0 s)"},
        "tune_interval_us": {"default":100000,"doc":"tuner period (scx_rusty -I, 0.1 s)"},
      },
    },
    {
      name: "p2dq",
      description: "per-LLC DSQs, slice classes, migration under saturation, pick-two LLC load balancing",
      origin: "sched-ext/scx scheds/rust/scx_p2dq at 7a58a3a",
      options: {
        "dsq_slice0_us": {"default":500,"doc":"slice of class 0, the interactive class, in µs (scx_p2dq -t, first)"},
        "dsq_slice1_us": {"default":2500,"doc":"slice of class 1 in µs (scx_p2dq -t, second)"},
        "dsq_slice2_us": {"default":5000,"doc":"slice of class 2 in µs (scx_p2dq -t, third)"},
        "init_dsq_index": {"default":0,"doc":"slice class of a new task at weight 100 (scx_p2dq -i)"},
        "lb_slack_pct": {"default":5,"doc":"pick-two pulls from an LLC at least this % busier than the local one (scx_p2dq --lb-slack-factor)"},
        "saturated_percent": {"default":5,"doc":"the machine is saturated below this % of idle CPUs (scx_p2dq --saturated-percent)"},
        "dispatch_lb_interactive": {"default":true,"doc":"interactive (class 0) tasks may migrate across LLCs (scx_p2dq --dispatch-lb-interactive)"},
        "wakeup_llc_migrations": {"default":false,"doc":"a sync wakeup may move the wakee to its waker's LLC (scx_p2dq --wakeup-llc-migrations)"},
        "lb_interval_us": {"default":250000,"doc":"load period in µs (upstream's load-balance timer, 250 ms)"},
        "enable_pelt": {"default":true,"doc":"LLC load as summed per-task decayed utilisation (PELT, 1 ms periods) instead of CPU time per load period (scx_p2dq --enable-pelt)"},
      },
    },
  ],
  workloads: [
    {
      name: "mixed",
      description: "interactive wakers + batch hogs (nice 0 and 5) + a Poisson request server; ~90% of 4 CPUs",
      params: {
        "interactive": {"default":4,"doc":"interactive tasks (run ~0.5 ms, sleep 5-10 ms)"},
        "hogs": {"default":2,"doc":"CPU hogs at nice 0"},
        "niced_hogs": {"default":1,"doc":"CPU hogs at nice 5"},
        "rate": {"default":800,"doc":"server requests per second (Poisson)"},
        "mean_us": {"default":600,"doc":"mean server request CPU time, µs (exponential)"},
      },
    },
    {
      name: "hogs",
      description: "n always-runnable CPU hogs at one nice level",
      params: {
        "n": {"default":4,"doc":"number of hogs"},
        "nice": {"default":0,"doc":"nice value of every hog"},
      },
    },
    {
      name: "schbench",
      description: "message threads wake workers that sleep then compute (schbench-like wakeup latency test)",
      params: {
        "message_threads": {"default":2,"doc":"message threads"},
        "workers": {"default":2,"doc":"workers per message thread"},
        "sleep_us": {"default":100,"doc":"worker think time before computing, µs"},
        "work_us": {"default":1000,"doc":"worker CPU time per request, µs"},
      },
    },
    {
      name: "hackbench",
      description: "groups of senders and receivers exchanging messages in rounds (hackbench-like makespan test)",
      params: {
        "groups": {"default":4,"doc":"groups of senders and receivers"},
        "fds": {"default":10,"doc":"senders (and receivers) per group"},
        "loops": {"default":100,"doc":"rounds of messages"},
      },
    },
    {
      name: "pipe",
      description: "two tasks ping-pong via suspend/resume (perf bench sched pipe-like round trips)",
      params: {
        "loops": {"default":50000,"doc":"round trips"},
      },
    },
    {
      name: "cyclictest",
      description: "periodic timer threads measuring wakeup latency (cyclictest-like)",
      params: {
        "threads": {"default":4,"doc":"timer threads"},
        "interval_us": {"default":1000,"doc":"timer period, µs"},
      },
    },
    {
      name: "compile",
      description: "make -j: levels of short forked compile jobs, then a serial link (makespan test)",
      params: {
        "jobs": {"default":64,"doc":"compile jobs in all (rounded up to whole levels)"},
        "parallel": {"default":8,"doc":"jobs in flight per level (make -j)"},
      },
    },
    {
      name: "gaming",
      description: "periodic frame task with deadline + helper threads + background hogs",
      params: {
        "fps": {"default":60,"doc":"frames per second (period = 1e6/fps µs)"},
        "helpers": {"default":2,"doc":"helper threads woken each frame (~10% of a period each)"},
        "hogs": {"default":2,"doc":"background CPU hogs"},
      },
    },
    {
      name: "server",
      description: "open-loop Poisson requests with heavy-tailed sizes (95% exp + 5% Pareto)",
      params: {
        "rate": {"default":6000,"doc":"requests per second (Poisson)"},
        "mean_us": {"default":500,"doc":"mean request CPU time, µs"},
      },
    },
  ],
};

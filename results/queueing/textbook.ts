/**
 * Classic single-CPU schedules with published answers: Silberschatz, Galvin & Gagne, Operating
 * System Concepts, 10th ed. (Wiley, 2018), §5.3 "Scheduling Algorithms" (the same examples, with
 * the same numbers, are in §6.3 of the 8th and 9th editions). Times in ms; every process needs
 * one CPU burst. The published figure is the average waiting time; the average turnaround time
 * is read off the same Gantt chart (turnaround = waiting + burst).
 */

export interface TextbookProcess {
  readonly name: string;
  readonly arrivalMs: number;
  readonly burstMs: number;
  /** Priority number (smaller = more urgent), for the priority example. */
  readonly priority?: number;
}

export interface TextbookExample {
  readonly id: string;
  readonly title: string;
  readonly section: string;
  readonly processes: readonly TextbookProcess[];
  /** Published average waiting time, ms. */
  readonly avgWaitMs: number;
  /** Average turnaround from the published Gantt chart, ms. */
  readonly avgTurnaroundMs: number;
}

const p = (name: string, arrivalMs: number, burstMs: number, priority?: number): TextbookProcess => ({ name, arrivalMs, burstMs, priority });

export const FCFS_1: TextbookExample = {
  id: "fcfs", title: "FCFS, P1 P2 P3 arrive at 0 in that order", section: "§5.3.1",
  processes: [p("P1", 0, 24), p("P2", 0, 3), p("P3", 0, 3)],
  avgWaitMs: 17, avgTurnaroundMs: 27,
};

export const FCFS_2: TextbookExample = {
  id: "fcfs-reordered", title: "FCFS, arrival order P2 P3 P1", section: "§5.3.1",
  processes: [p("P2", 0, 3), p("P3", 0, 3), p("P1", 0, 24)],
  avgWaitMs: 3, avgTurnaroundMs: 13,
};

export const SJF: TextbookExample = {
  id: "sjf", title: "SJF, four processes at 0", section: "§5.3.2",
  processes: [p("P1", 0, 6), p("P2", 0, 8), p("P3", 0, 7), p("P4", 0, 3)],
  avgWaitMs: 7, avgTurnaroundMs: 13,
};

export const SRTF: TextbookExample = {
  id: "srtf", title: "preemptive SJF (SRTF), arrivals 0 1 2 3", section: "§5.3.2",
  processes: [p("P1", 0, 8), p("P2", 1, 4), p("P3", 2, 9), p("P4", 3, 5)],
  avgWaitMs: 6.5, avgTurnaroundMs: 13,
};

/** The same processes without preemption: the book gives 7.75 ms for non-preemptive SJF. */
export const SJF_NP: TextbookExample = {
  id: "sjf-nonpreemptive", title: "non-preemptive SJF on the SRTF example", section: "§5.3.2",
  processes: SRTF.processes,
  avgWaitMs: 7.75, avgTurnaroundMs: 14.25,
};

export const RR: TextbookExample = {
  id: "rr", title: "RR, quantum 4 ms, P1 P2 P3 at 0", section: "§5.3.3",
  processes: [p("P1", 0, 24), p("P2", 0, 3), p("P3", 0, 3)],
  avgWaitMs: 17 / 3, avgTurnaroundMs: 47 / 3,
};

export const PRIORITY: TextbookExample = {
  id: "priority", title: "priority (1 = highest), five processes at 0", section: "§5.3.4",
  processes: [p("P1", 0, 10, 3), p("P2", 0, 1, 1), p("P3", 0, 2, 4), p("P4", 0, 1, 5), p("P5", 0, 5, 2)],
  avgWaitMs: 8.2, avgTurnaroundMs: 12,
};

/**
 * The yardstick: the M/M/c model with one shared FIFO queue on a bare typed-array binary heap,
 * keyed (time, sequence) like scxlab's event queue, with nothing else around it: no tasks, no
 * scheduler, no metrics beyond the mean sojourn. Poisson arrivals at rate rho·c, exponential
 * service of mean 1; a customer is two events (arrival, departure). `bench` runs it in the same
 * process as scxlab's full path on the same model, so their ratio is the loop's overhead.
 */
import { mmcMeanT } from "../../results/queueing/mmc.js";

/** xoshiro128** seeded through splitmix32: a small, fast generator of uniforms in (0, 1). */
class Xoshiro128 {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const next = () => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
      z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
      return (z ^ (z >>> 15)) >>> 0;
    };
    this.a = next(); this.b = next(); this.c = next(); this.d = next();
  }

  /** Uniform in (0, 1]. */
  next(): number {
    const r = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a; this.d ^= this.b; this.b ^= this.c; this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return (r + 1) / 4294967296;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** The event heap: parallel typed arrays, branch-free child selection (as sim/event_queue.ts). */
class BareHeap {
  time: Float64Array;
  seq: Float64Array;
  kind: Int32Array;
  arg: Int32Array;
  n = 0;
  private nextSeq = 0;
  popTime = 0;
  popKind = 0;
  popArg = 0;

  constructor(cap: number) {
    this.time = new Float64Array(cap);
    this.seq = new Float64Array(cap);
    this.kind = new Int32Array(cap);
    this.arg = new Int32Array(cap);
  }

  push(t: number, k: number, x: number): void {
    const time = this.time, seq = this.seq, kind = this.kind, arg = this.arg;
    const s = this.nextSeq++;
    let i = this.n++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (time[p] < t || (time[p] === t && seq[p] < s)) break;
      time[i] = time[p]; seq[i] = seq[p]; kind[i] = kind[p]; arg[i] = arg[p];
      i = p;
    }
    time[i] = t; seq[i] = s; kind[i] = k; arg[i] = x;
  }

  pop(): void {
    const time = this.time, seq = this.seq, kind = this.kind, arg = this.arg;
    this.popTime = time[0]; this.popKind = kind[0]; this.popArg = arg[0];
    const n = --this.n;
    if (n === 0) return;
    const t = time[n], s = seq[n], k = kind[n], x = arg[n];
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      let c = l;
      if (l + 1 < n) c = l + (+(time[l + 1] < time[l]) | +(time[l + 1] === time[l] && seq[l + 1] < seq[l]));
      if (time[c] > t || (time[c] === t && seq[c] > s)) break;
      time[i] = time[c]; seq[i] = seq[c]; kind[i] = kind[c]; arg[i] = arg[c];
      i = c;
    }
    time[i] = t; seq[i] = s; kind[i] = k; arg[i] = x;
  }
}

export interface MmcRun {
  readonly customers: number;
  readonly events: number;
  readonly wallS: number;
  readonly cpuS: number;
  /** Mean time in system, in units of the mean service time. */
  readonly meanSojourn: number;
}

/** Erlang C mean time in system of M/M/c at load rho, service mean 1. */
export function erlangCSojourn(c: number, rho: number): number {
  return mmcMeanT(c, rho * c, 1);
}

/** Runs `customers` customers through M/M/c at load `rho` on the bare heap. */
export function runBareMmc(customers: number, c: number, rho: number, seed: number): MmcRun {
  const rng = new Xoshiro128(seed);
  const lambda = rho * c;
  const heap = new BareHeap(c + 4);
  const arrival = new Float64Array(customers);
  const queue = new Int32Array(customers);
  let qh = 0, qt = 0, arrived = 0, done = 0, busy = 0, events = 0, sum = 0;
  const t0 = performance.now(), c0 = process.cpuUsage();
  heap.push(-Math.log(rng.next()) / lambda, 0, 0);
  while (heap.n > 0) {
    heap.pop();
    events++;
    const now = heap.popTime;
    if (heap.popKind === 0) {
      const id = arrived++;
      arrival[id] = now;
      if (arrived < customers) heap.push(now - Math.log(rng.next()) / lambda, 0, 0);
      if (busy < c) { busy++; heap.push(now - Math.log(rng.next()), 1, id); }
      else queue[qt++] = id;
    } else {
      sum += now - arrival[heap.popArg];
      done++;
      if (qh < qt) heap.push(now - Math.log(rng.next()), 1, queue[qh++]);
      else busy--;
    }
  }
  const cu = process.cpuUsage(c0);
  return { customers: done, events, wallS: (performance.now() - t0) / 1000, cpuS: (cu.user + cu.system) / 1e6, meanSojourn: sum / done };
}

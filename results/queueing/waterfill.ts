/**
 * Weighted max-min fair shares of always-runnable tasks on m identical CPUs (water-filling, the
 * GPS ideal that weighted fair schedulers approximate), with per-task CPU affinity. Each task can
 * use at most one CPU at a time; each CPU gives at most 1. Sources: docs/validation.md §8.
 *
 * Progressive filling: a common level θ rises; every task not yet frozen receives wᵢ·θ; the
 * largest feasible θ is found by bisection, where "feasible" means the demands can be routed to
 * allowed CPUs (a bipartite max-flow equals the total demand). Tasks that cannot grow past that
 * level (alone at 1 CPU, or confined to saturated CPUs) freeze there; the rest keep rising.
 */

export interface ShareTask {
  readonly weight: number;
  /** Allowed CPUs, or null for all. */
  readonly cpus: readonly number[] | null;
}

const EPS = 1e-12;

/**
 * Shares (fractions of one CPU over time) of each task. `cap` is the most one task may get
 * (1 = a whole CPU; a policy that never runs a task for two slices in a row while another
 * waits caps it at 1/2 on one CPU).
 */
export function waterfill(tasks: readonly ShareTask[], nrCpus: number, cap = 1): number[] {
  const n = tasks.length;
  const allowed = tasks.map((t) => t.cpus ?? Array.from({ length: nrCpus }, (_, c) => c));
  const frozen = new Array<boolean>(n).fill(false);
  const share = new Array<number>(n).fill(0);
  const demands = (theta: number, bump = -1, by = 0) =>
    tasks.map((t, i) => (frozen[i] ? share[i] : Math.min(cap, t.weight * theta)) + (i === bump ? by : 0));
  const feasible = (d: number[], slack = 1e-12) => {
    const total = d.reduce((a, b) => a + b, 0);
    return d.every((x) => x <= cap + slack) && maxFlow(d, allowed, nrCpus) >= total - slack;
  };
  for (let round = 0; round < n && frozen.some((f) => !f); round++) {
    let lo = 0, hi = cap / Math.min(...tasks.filter((_, i) => !frozen[i]).map((t) => t.weight));
    // θ = hi gives every unfrozen task at least the cap: past that, demands stop growing.
    for (let it = 0; it < 200; it++) {
      const mid = (lo + hi) / 2;
      if (feasible(demands(mid))) lo = mid; else hi = mid;
    }
    // Freeze a hair below the found level so that frozen shares stay strictly feasible.
    lo *= 1 - 1e-9;
    const d = demands(lo);
    let froze = false;
    for (let i = 0; i < n; i++) {
      if (frozen[i]) continue;
      // A task freezes when it cannot take any more at this level.
      // Bumped by 1e-6, it fits unless it sits behind a saturated constraint (deficit ≈ 1e-6).
      if (d[i] >= cap - 1e-9 || !feasible(demands(lo, i, 1e-6), 5e-7)) {
        frozen[i] = true;
        share[i] = d[i];
        froze = true;
      }
    }
    if (!froze) {
      for (let i = 0; i < n; i++) if (!frozen[i]) { frozen[i] = true; share[i] = d[i]; }
    }
  }
  return share;
}

/** Max flow source → tasks (capacity d_i) → allowed CPUs → sink (capacity 1), Edmonds–Karp. */
function maxFlow(d: readonly number[], allowed: readonly (readonly number[])[], m: number): number {
  const n = d.length;
  const V = n + m + 2, S = n + m, T = n + m + 1;
  const cap: number[][] = Array.from({ length: V }, () => new Array<number>(V).fill(0));
  for (let i = 0; i < n; i++) {
    cap[S][i] = d[i];
    for (const c of allowed[i]) if (c < m) cap[i][n + c] = Number.POSITIVE_INFINITY;
  }
  for (let c = 0; c < m; c++) cap[n + c][T] = 1;
  let flow = 0;
  for (;;) {
    const prev = new Array<number>(V).fill(-1);
    prev[S] = S;
    const queue = [S];
    while (queue.length > 0 && prev[T] < 0) {
      const u = queue.shift()!;
      for (let v = 0; v < V; v++) if (prev[v] < 0 && cap[u][v] > EPS) { prev[v] = u; queue.push(v); }
    }
    if (prev[T] < 0) return flow;
    let f = Number.POSITIVE_INFINITY;
    for (let v = T; v !== S; v = prev[v]) f = Math.min(f, cap[prev[v]][v]);
    for (let v = T; v !== S; v = prev[v]) { cap[prev[v]][v] -= f; cap[v][prev[v]] += f; }
    flow += f;
  }
}

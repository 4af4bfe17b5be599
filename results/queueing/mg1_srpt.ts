/**
 * SRPT on M/G/1 (Schrage & Miller 1966) for a size law made of atoms: classes of constant size x_k
 * arriving as independent Poisson streams of rate λ_k. Sources: docs/validation.md §6.
 *
 * For a job of size x, with ρ(x) = Σ_{x_k ≤ x} λ_k x_k (jobs no larger than x, its own size
 * included), ρ(x⁻) = Σ_{x_k < x} λ_k x_k, and λE[min(S, x)²] = Σ λ_k min(x_k, x)²:
 *
 *   E[T(x)] = λE[min(S, x)²] / (2(1 − ρ(x))(1 − ρ(x⁻)))  +  ∫₀ˣ dt / (1 − ρ(t⁻))
 *
 * The first term is the wait before first service: the work of jobs with remaining ≤ x found on
 * arrival (mean λE[min(S,x)²]/(2(1−ρ(x))), by PASTA and the work decomposition), stretched by
 * the arrivals strictly smaller than x that overtake the waiting job. The second is the residence
 * time: while the job has t left, only arrivals smaller than t preempt it. For a continuous size
 * law ρ(x⁻) = ρ(x) and this is Schrage–Miller's formula exactly; with atoms it fixes the ties the
 * way srtf breaks them (equal remaining times are served in arrival order, never preempt).
 */

export interface Atom {
  readonly lambda: number;
  readonly size: number;
}

function rhoUpTo(atoms: readonly Atom[], x: number, inclusive: boolean): number {
  let r = 0;
  for (const a of atoms) if (a.size < x || (inclusive && a.size === x)) r += a.lambda * a.size;
  return r;
}

/** Mean sojourn time of a job of size x under SRPT. */
export function srptMeanT(atoms: readonly Atom[], x: number): number {
  const rhoX = rhoUpTo(atoms, x, true);
  const rhoXm = rhoUpTo(atoms, x, false);
  if (rhoX >= 1) throw new RangeError("SRPT: jobs up to this size are unstable (ρ(x) ≥ 1)");
  let lm2 = 0;
  for (const a of atoms) { const m = Math.min(a.size, x); lm2 += a.lambda * m * m; }
  const wait = lm2 / (2 * (1 - rhoX) * (1 - rhoXm));
  // ∫₀ˣ dt/(1 − ρ(t⁻)): ρ(t⁻) is a step function, constant between consecutive atom sizes.
  const cuts = [...new Set(atoms.map((a) => a.size).filter((s) => s < x))].sort((a, b) => a - b);
  let residence = 0, from = 0;
  for (const c of [...cuts, x]) {
    // On (from, c], ρ(t⁻) counts the atoms strictly below t, i.e. those ≤ from.
    residence += (c - from) / (1 - rhoUpTo(atoms, from, true));
    from = c;
  }
  return wait + residence;
}

/** Mean sojourn time over all jobs: Σ λ_k E[T(x_k)] / Σ λ_k. */
export function srptOverallMeanT(atoms: readonly Atom[]): number {
  const l = atoms.reduce((a, b) => a + b.lambda, 0);
  return atoms.reduce((a, b) => a + b.lambda * srptMeanT(atoms, b.size), 0) / l;
}

/**
 * Seeded random streams, one per purpose, derived by name from the run's seed so that adding a
 * draw in one place never shifts another stream. The generator is Baagøe's Alea, written out here
 * with the arithmetic of seedrandom's `alea` (same seeding, same stream, bit for bit: see
 * test/cli/bench_hotpath.test.ts), as plain fields of this class rather than seedrandom's closure.
 */
import type { DistSpec, DurationSpec } from "./plan.js";

/** 2^-32 */
const TWO_M32 = 2.3283064365386963e-10;

/** Baagøe's Mash hash, as seedrandom's alea seeds with it. */
function mash(): (data: string) => number {
  let n = 0xefc8249d;
  return (data: string) => {
    for (let i = 0; i < data.length; i++) {
      n += data.charCodeAt(i);
      let h = 0.02519603282416938 * n;
      n = h >>> 0;
      h -= n;
      h *= n;
      n = h >>> 0;
      h -= n;
      n += h * 0x100000000; // 2^32
    }
    return (n >>> 0) * TWO_M32;
  };
}

export class Rng {
  // Initialised as numbers so that V8 keeps them as in-place double fields.
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private c = 1;

  constructor(seed: number, purpose: string) {
    const key = `scxlab:${seed}:${purpose}`;
    const m = mash();
    this.s0 = m(" ");
    this.s1 = m(" ");
    this.s2 = m(" ");
    this.s0 -= m(key);
    if (this.s0 < 0) this.s0 += 1;
    this.s1 -= m(key);
    if (this.s1 < 0) this.s1 += 1;
    this.s2 -= m(key);
    if (this.s2 < 0) this.s2 += 1;
  }

  /** One Alea step: uniform in [0, 1). */
  private gen(): number {
    const t = 2091639 * this.s0 + this.c * TWO_M32;
    this.s0 = this.s1;
    this.s1 = this.s2;
    this.c = t | 0;
    return (this.s2 = t - this.c);
  }

  /** Uniform in (0, 1). */
  next(): number {
    let u = this.gen();
    while (u === 0) u = this.gen();
    return u;
  }

  u32(): number {
    return (this.next() * 4294967296) >>> 0;
  }

  exp(mean: number): number {
    return -mean * Math.log(this.next());
  }

  normal(): number {
    // Box-Muller; one of the pair is discarded to keep the stream position simple.
    const u = this.next(), v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Draws a duration in µs from a spec (a constant or a distribution), never negative. */
  draw(spec: DurationSpec): number {
    if (typeof spec === "number") return spec;
    return Math.max(0, this.drawDist(spec));
  }

  private drawDist(d: DistSpec): number {
    switch (d.dist) {
      case "const": return d.value;
      case "exp": return this.exp(d.mean);
      case "uniform": return d.min + (d.max - d.min) * this.next();
      case "normal": return d.mean + d.sd * this.normal();
      case "lognormal": {
        // Parameters given as the mean and sd of the value itself.
        if (d.sd === 0) return d.mean;
        const s2 = Math.log(1 + (d.sd * d.sd) / (d.mean * d.mean));
        const mu = Math.log(d.mean) - s2 / 2;
        return Math.exp(mu + Math.sqrt(s2) * this.normal());
      }
      case "pareto": return d.scale / Math.pow(this.next(), 1 / d.shape);
      case "mix": {
        let total = 0;
        for (const o of d.of) total += o.weight;
        let x = this.next() * total;
        for (const o of d.of) {
          x -= o.weight;
          if (x <= 0) return this.draw(o.value);
        }
        return this.draw(d.of[d.of.length - 1].value);
      }
    }
  }
}

/** Mean of a duration spec in µs (used for size hints and validation tolerances). */
export function meanOf(spec: DurationSpec): number {
  if (typeof spec === "number") return spec;
  switch (spec.dist) {
    case "const": return spec.value;
    case "exp": return spec.mean;
    case "uniform": return (spec.min + spec.max) / 2;
    case "normal": return spec.mean;
    case "lognormal": return spec.mean;
    case "pareto": return spec.shape > 1 ? (spec.shape * spec.scale) / (spec.shape - 1) : Number.POSITIVE_INFINITY;
    case "mix": {
      let w = 0, m = 0;
      for (const o of spec.of) { w += o.weight; m += o.weight * meanOf(o.value); }
      return w > 0 ? m / w : 0;
    }
  }
}

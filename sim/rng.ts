/**
 * Seeded random streams, one per purpose, derived by name from the run's seed so that adding a
 * draw in one place never shifts another stream. Built on seedrandom's alea generator.
 */
import seedrandom from "seedrandom";
import type { DistSpec, DurationSpec } from "./plan.js";

export class Rng {
  private readonly gen: () => number;

  constructor(seed: number, purpose: string) {
    this.gen = seedrandom.alea(`scxlab:${seed}:${purpose}`);
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

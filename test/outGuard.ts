/**
 * Global setup: the suite must not touch the user's out/ folder (where `npm start` puts its
 * report). Its listing (names, sizes, modification times) is taken before the tests and
 * compared after; any difference fails the run and names the files.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const OUT = join(import.meta.dirname, "..", "out");

function listing(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(dir)) return out;
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const s = statSync(p);
        out.set(p, `${s.size}:${s.mtimeMs}`);
      }
    }
  };
  walk(dir);
  return out;
}

export default function setup(): () => void {
  const before = listing(OUT);
  return () => {
    const after = listing(OUT);
    const changed = [...new Set([...before.keys(), ...after.keys()])].filter((p) => before.get(p) !== after.get(p));
    if (changed.length === 0) return;
    // A teardown error alone is printed but leaves vitest's exit code at 0: set it too.
    process.exitCode = 1;
    throw new Error(`the tests wrote into out/ (use a temp folder): ${changed.join(", ")}`);
  };
}

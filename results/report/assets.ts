import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The report inlines two kinds of files, read at render time:
 * - d3's UMD bundle, found through Node's resolver (so any install layout works). d3's exports
 *   map only exposes its entry point, so we resolve that and take the bundle beside it.
 * - the browser-side client scripts, plain JS in `results/report/client/`. tsc does not copy
 *   .js files into `dist/`, so when this module runs compiled (dist/results/report/) we walk up
 *   from here until a `results/report/client` directory appears: the source tree of the same
 *   package. Running from source, it is simply `./client`.
 */

/** Load order matters: helpers first, the entry point (which calls the others) last. */
export const CLIENT_FILES = ["unpack.js", "util.js", "summary.js", "bars.js", "counters.js", "cdf.js", "timeline.js", "series.js", "tables.js", "picker.js", "main.js"] as const;

let d3Cache: string | null = null;

export function d3Source(): string {
  if (d3Cache === null) {
    const entry = createRequire(import.meta.url).resolve("d3");
    const bundle = join(dirname(entry), "d3.min.js");
    if (!existsSync(bundle)) throw new Error(`d3 bundle not found at ${bundle}; reinstall d3 7 (npm install d3@7)`);
    d3Cache = readFileSync(bundle, "utf8");
  }
  return d3Cache;
}

export function clientDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, "client")];
  for (let dir = here; dirname(dir) !== dir; dir = dirname(dir)) candidates.push(join(dir, "results", "report", "client"));
  const found = candidates.find((c) => existsSync(join(c, "main.js")));
  if (!found) {
    throw new Error(`report client scripts not found (looked in ${candidates.join(", ")}); they ship in results/report/client/`);
  }
  return found;
}

/** All client scripts, concatenated in load order, each introduced by its file name. */
export function clientSource(): string {
  const dir = clientDir();
  return CLIENT_FILES.map((f) => `// ---- ${f}\n${readFileSync(join(dir, f), "utf8")}`).join("\n");
}

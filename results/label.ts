import type { JobSpec } from "../sim/result.js";

/**
 * A scheduler label names a configuration, not just a policy: `rr:slice_us=100`. Options are
 * sorted by key so the same configuration always gets the same label, whatever order the
 * options were written in; no options gives the bare name.
 */
export function schedulerLabel(job: Pick<JobSpec, "scheduler" | "options">): string {
  const opts = formatOptions(job.options);
  return opts === "" ? job.scheduler : `${job.scheduler}:${opts}`;
}

/** `k=v,k=v` with keys sorted; also used for the CSV's options and params columns. */
export function formatOptions(options: Record<string, string | number | boolean> | undefined): string {
  if (!options) return "";
  return Object.keys(options)
    .sort()
    .map((k) => `${k}=${String(options[k])}`)
    .join(",");
}

/**
 * Sharded sweeps: `compare --shard i/n` runs a stable, balanced share of the jobs, and `merge`
 * puts the shards back together byte-identical to the unsharded sweep (results.json, results.csv,
 * report.html), refusing incomplete or mixed inputs.
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { canonicalJson, jobKey, parseShard, shardAssignment, shardJobs } from "../../cli/shard.js";
import type { Job } from "../../cli/job.js";
import { scxlab } from "../helpers/cli.js";

const job = (scheduler: string, workload: string, seed: number, extra: Partial<Job> = {}): Job => ({
  scheduler, options: {}, workload, params: {}, topology: "4", cpus: 4, seed, durationNs: 1e9, overheads: true, crashAtNs: null, ...extra,
});

describe("shard assignment", () => {
  const jobs: Job[] = [];
  for (const w of ["mixed", "schbench", "server"]) for (const s of ["fair", "simple", "bpfland", "lavd"]) for (let k = 1; k <= 5; k++) jobs.push(job(s, w, k));

  it("parses i/n, 1-based", () => {
    expect(parseShard("--shard", "3/16")).toEqual({ index: 3, count: 16 });
    expect(parseShard("--shard", " 1 / 1 ")).toEqual({ index: 1, count: 1 });
    for (const bad of ["0/3", "4/3", "3", "a/b", "1/0", "-1/3", "1.5/3", ""]) expect(() => parseShard("--shard", bad), bad).toThrow(/expected i\/n/);
  });

  it("puts every job in exactly one shard, balanced to within one job", () => {
    for (const n of [1, 2, 3, 7, 16, 60, 61]) {
      const of = shardAssignment(jobs, n);
      const sizes = new Array(n).fill(0);
      for (const s of of) { expect(s).toBeGreaterThanOrEqual(1); expect(s).toBeLessThanOrEqual(n); sizes[s - 1]++; }
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      const union = Array.from({ length: n }, (_, i) => shardJobs(jobs, { index: i + 1, count: n })).flat().sort((a, b) => a - b);
      expect(union).toEqual(jobs.map((_, i) => i));
    }
  });

  it("depends on the set of jobs, not their order (flag order), and not on the timeline switch", () => {
    const rev = [...jobs].reverse();
    const a = shardAssignment(jobs, 7), b = shardAssignment(rev, 7);
    jobs.forEach((j, i) => expect(b[jobs.length - 1 - i]).toBe(a[i]));
    const marked = jobs.map((j, i) => (i === 3 ? { ...j, extras: { timeline: true } } : j));
    expect(shardAssignment(marked, 7)).toEqual(a);
    expect(jobKey(marked[3])).toBe(jobKey(jobs[3]));
  });

  it("keys are canonical JSON of the job's identity", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[1,{"y":2,"z":1}]},"b":1}');
    expect(jobKey(job("simple", "mixed", 1, { options: { fifo: "true", slice_us: "100" } })))
      .toBe(jobKey(job("simple", "mixed", 1, { options: { slice_us: "100", fifo: "true" } })));
    expect(jobKey(job("simple", "mixed", 1))).not.toBe(jobKey(job("simple", "mixed", 2)));
    expect(jobKey(job("simple", "mixed", 1, { extras: { antagonists: 2 } }))).not.toBe(jobKey(job("simple", "mixed", 1)));
  });
});

describe("compare --shard and merge", () => {
  const sweep = ["compare", "-s", "fair,simple:fifo=true,bpfland", "-w", "mixed,schbench", "--seeds", "2", "--duration", "0.3", "--quiet"];

  it("merged shards are byte-identical to the unsharded sweep", () => {
    const root = mkdtempSync(join(tmpdir(), "scxlab-shard-"));
    expect(scxlab(...sweep, "--workers", "2", "--out", join(root, "all")).code).toBe(0);
    const sizes: number[] = [];
    for (let i = 1; i <= 3; i++) {
      const r = scxlab(...sweep, "--workers", "1", "--shard", `${i}/3`, "--out", join(root, `shard-${i}`));
      expect(r.code, r.err).toBe(0);
      const m = JSON.parse(readFileSync(join(root, `shard-${i}`, "shard.json"), "utf8"));
      expect(m).toMatchObject({ schema: "scxlab.shard/1", shard: `${i}/3` });
      expect(m.jobs).toHaveLength(12);
      sizes.push(m.runs.length);
    }
    expect(sizes).toEqual([4, 4, 4]);
    // Every shard keeps the report's timelines of its own runs, for the merged report's picker.
    for (let i = 1; i <= 3; i++) {
      const t = JSON.parse(readFileSync(join(root, `shard-${i}`, "timeline.json"), "utf8"));
      expect(t.schema).toBe("scxlab.timeline/2");
      expect(t.timelines).toHaveLength(4);
    }
    const files = [3, 1, 2].map((i) => join(root, `shard-${i}`, "results.json")); // any order
    const m = scxlab("merge", ...files, "--out", join(root, "merged"));
    expect(m.code, m.err).toBe(0);
    expect(m.out).toMatch(/12 runs merged from 3 files/);
    for (const f of ["results.json", "results.csv", "report.html"]) {
      expect(readFileSync(join(root, "merged", f)).equals(readFileSync(join(root, "all", f))), f).toBe(true);
    }
    // Directories work as inputs too.
    expect(scxlab("merge", join(root, "shard-1"), join(root, "shard-2"), join(root, "shard-3"), "--out", join(root, "m2"), "-q").code).toBe(0);
    expect(readFileSync(join(root, "m2", "results.json")).equals(readFileSync(join(root, "all", "results.json")))).toBe(true);
  });

  it("merge refuses missing, repeated or foreign shards; --partial merges what is there", () => {
    const root = mkdtempSync(join(tmpdir(), "scxlab-shard-bad-"));
    for (let i = 1; i <= 3; i++) expect(scxlab(...sweep, "--workers", "1", "--shard", `${i}/3`, "--out", join(root, `s${i}`)).code).toBe(0);
    const missing = scxlab("merge", join(root, "s1"), join(root, "s3"), "--out", join(root, "m"));
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/^scxlab: missing shard 2\/3 of this sweep/);
    const twice = scxlab("merge", join(root, "s1"), join(root, "s1"), join(root, "s2"), join(root, "s3"), "--out", join(root, "m"));
    expect(twice.code).toBe(2);
    expect(twice.err).toMatch(/shard 1\/3 given twice/);
    expect(scxlab("compare", "-s", "fair", "-w", "mixed", "--seeds", "2", "--duration", "0.3", "--shard", "2/3", "--out", join(root, "other"), "-q").code).toBe(0);
    const foreign = scxlab("merge", join(root, "s1"), join(root, "other"), join(root, "s3"), "--out", join(root, "m"));
    expect(foreign.code).toBe(2);
    expect(foreign.err).toMatch(/is of another sweep/);
    const partial = scxlab("merge", join(root, "s1"), join(root, "s3"), "--partial", "--out", join(root, "p"), "-q");
    expect(partial.code).toBe(0);
    expect(partial.err).toMatch(/partial merge, 4 jobs missing/);
    expect(JSON.parse(readFileSync(join(root, "p", "results.json"), "utf8")).runs).toHaveLength(8);
    writeFileSync(join(root, "junk.json"), "{}");
    const junk = scxlab("merge", join(root, "junk.json"), "--out", join(root, "m"));
    expect(junk.code).toBe(2);
    expect(junk.err).toMatch(/expected a results\.json of schema scxlab\.results\/2/);
  });

  it("plain results.json files merge by concatenation and reject duplicates", () => {
    const root = mkdtempSync(join(tmpdir(), "scxlab-plain-"));
    expect(scxlab("compare", "-s", "fair", "-w", "mixed", "--seeds", "1", "--duration", "0.2", "--out", join(root, "a"), "-q").code).toBe(0);
    expect(scxlab("compare", "-s", "simple", "-w", "mixed", "--seeds", "1", "--duration", "0.2", "--out", join(root, "b"), "-q").code).toBe(0);
    expect(scxlab("merge", join(root, "a"), join(root, "b"), "--out", join(root, "ab"), "-q").code).toBe(0);
    const runs = JSON.parse(readFileSync(join(root, "ab", "results.json"), "utf8")).runs;
    expect(runs.map((r: { job: { scheduler: string } }) => r.job.scheduler)).toEqual(["fair", "simple"]);
    const dup = scxlab("merge", join(root, "a"), join(root, "a"), "--out", join(root, "aa"));
    expect(dup.code).toBe(2);
    expect(dup.err).toMatch(/is also in/);
  });
});

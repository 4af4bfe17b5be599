import { mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { aggregate, atomicWrite, CSV_COLUMNS, csvField, RESULTS_SCHEMA, toCsv, writeResultsCsv, writeResultsJson } from "../../results/index.js";
import { makeRun, makeSweep, STALL_EXIT, XSS } from "./fixtures.js";

const dirs: string[] = [];
async function tmp(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), "scxlab-results-"));
  dirs.push(d);
  return d;
}
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** A strict RFC 4180 reader, enough to check that what we write reads back field for field. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), (i += 2);
      else if (c === '"') (quoted = false), i++;
      else (field += c), i++;
    } else if (c === '"') (quoted = true), i++;
    else if (c === ",") row.push(field), (field = ""), i++;
    else if (c === "\r" && text[i + 1] === "\n") row.push(field), rows.push(row), (row = []), (field = ""), (i += 2);
    else (field += c), i++;
  }
  return rows;
}

describe("atomicWrite", () => {
  it("writes the whole content and leaves no temp file", async () => {
    const d = await tmp();
    await atomicWrite(join(d, "a.txt"), "hello");
    await atomicWrite(join(d, "a.txt"), "world");
    expect(await readFile(join(d, "a.txt"), "utf8")).toBe("world");
    expect(await readdir(d)).toEqual(["a.txt"]);
  });
  it("creates missing directories", async () => {
    const d = await tmp();
    await atomicWrite(join(d, "x", "y", "b.txt"), "ok");
    expect(await readFile(join(d, "x", "y", "b.txt"), "utf8")).toBe("ok");
  });
  it("on failure (target is a directory) throws and removes its temp file", async () => {
    const d = await tmp();
    await mkdir(join(d, "taken"));
    await expect(atomicWrite(join(d, "taken"), "x")).rejects.toThrow();
    expect(await readdir(d)).toEqual(["taken"]);
  });
});

describe("results.json", () => {
  it("holds schema, runs and aggregate, and round-trips", async () => {
    const d = await tmp();
    const runs = makeSweep();
    const agg = aggregate(runs);
    const path = await writeResultsJson(d, runs, agg);
    expect(path).toBe(join(d, "results.json"));
    const back = JSON.parse(await readFile(path, "utf8"));
    expect(back.schema).toBe(RESULTS_SCHEMA);
    // Summaries: no per-task records, no timeline, no wall time; everything else as run.
    expect(back.runs).toEqual(runs.map(({ tasks: _t, timeline: _tl, wallMs: _w, ...r }) => r));
    for (const r of back.runs) for (const k of ["tasks", "timeline", "wallMs"]) expect(r).not.toHaveProperty(k);
    expect(back.aggregate).toEqual(agg);
  });
});

describe("results.csv", () => {
  it("quotes per RFC 4180: commas, quotes and line breaks", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("two\nlines")).toBe('"two\nlines"');
    expect(csvField(NaN)).toBe("");
    expect(csvField(null)).toBe("");
    expect(csvField(1.5)).toBe("1.5");
  });

  it("text a spreadsheet would run as a formula starts with an apostrophe; numbers are left alone", () => {
    expect(csvField("=HYPERLINK(\"x\")")).toBe('"\'=HYPERLINK(""x"")"');
    for (const t of ["+1", "-2+3", "@SUM(A1)", "\tx"]) expect(csvField(t)).toBe(`'${t}`);
    expect(csvField("\r=1")).toBe('"\'\r=1"');
    expect(csvField(-5)).toBe("-5");
    expect(csvField("a=b")).toBe("a=b");
  });

  it("one row per run, every row as wide as the header, values read back", async () => {
    const d = await tmp();
    const runs = makeSweep();
    runs[0]!.job.options = { note: 'a,"b"\r\nc' };
    const text = await readFile(await writeResultsCsv(d, runs), "utf8");
    const rows = parseCsv(text);
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    const groups = runs.reduce((n, r) => n + Object.keys(r.groups).length, 0);
    expect(rows).toHaveLength(1 + runs.length + groups);
    for (const r of rows) expect(r).toHaveLength(CSV_COLUMNS.length);
    const col = (name: string) => CSV_COLUMNS.indexOf(name);
    expect(rows[1]![col("options")]).toBe('note=a,"b"\r\nc');
    expect(rows.some((r) => r[col("workload")] === XSS)).toBe(true);
    const rr = rows.find((r) => r[col("exit_kind")] === STALL_EXIT.kind)!;
    expect(rr[col("exit_msg")]).toBe(STALL_EXIT.msg);
    expect(rr[col("label")]).toBe("rr:slice_us=100");
    expect(Number(rr[col("throughput_rps")])).toBeGreaterThan(0);
  });

  it("each run's row is followed by its group rows: the group's own metrics, identifiers repeated, run-wide columns empty", () => {
    const run = makeRun({ scheduler: "rr", options: { slice_us: 100 } });
    const rows = parseCsv(toCsv([run]));
    const col = (name: string) => CSV_COLUMNS.indexOf(name);
    expect(rows.map((r) => r[col("group")])).toEqual(["group", "", "web", "<b>batch</b>"]);
    const web = rows[2]!;
    expect(web[col("label")]).toBe("rr:slice_us=100");
    expect(Number(web[col("wakeup_p99_ns")])).toBe(run.groups.web!.wakeupLatencyNs.p99);
    const cpu = Object.values(run.groups).reduce((n, g) => n + g.cpuNs, 0);
    expect(Number(web[col("cpu_share")])).toBeCloseTo(run.groups.web!.cpuNs / cpu, 12);
    expect(Number(web[col("throughput_rps")])).toBeCloseTo((run.groups.web!.requests * 1e9) / run.measuredNs, 6);
    expect(web[col("jain_fairness")]).toBe("");
    expect(web[col("context_switches")]).toBe("");
    expect(rows[1]![col("cpu_share")]).toBe("");
  });

  it("has the promised flat columns", () => {
    for (const c of ["scheduler", "options", "workload", "group", "cpu_share", "seed", "cpus", "topology", "duration_ns", "throughput_rps", "wakeup_p99_ns", "request_p999_ns", "jain_fairness", "exit_kind", "lost"]) {
      expect(CSV_COLUMNS).toContain(c);
    }
    expect(toCsv([makeRun()]).endsWith("\r\n")).toBe(true);
  });
});

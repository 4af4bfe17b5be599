import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { aggregate, buildReportData, embedJson, escapeHtml, renderReport, schedulerLabel } from "../../results/index.js";
import { clientDir } from "../../results/report/assets.js";
import { makeRun, makeSweep, XSS } from "./fixtures.js";

const root = join(import.meta.dirname, "..", "..");

function scripts(html: string): { attrs: string; body: string }[] {
  return [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)].map((m) => ({ attrs: m[1]!, body: m[2]! }));
}

describe("renderReport (as a string)", () => {
  const runs = makeSweep();
  const html = renderReport({ title: `scxlab ${XSS}`, results: runs, aggregate: aggregate(runs), notes: ["a note"] });

  it("is one file with exactly three scripts: data, d3, client", () => {
    const s = scripts(html);
    expect(s).toHaveLength(3);
    expect(s[0]!.attrs).toContain('type="application/json"');
    expect(s[1]!.body).toContain("d3js.org");
    expect(s[2]!.body).toContain("function drawTimeline");
  });

  it("loads nothing from the network", () => {
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).not.toMatch(/<link[^>]+href=/);
    expect(html).toContain("default-src 'none'");
  });

  it("embedded data cannot close its script element, and parses back", () => {
    const body = scripts(html)[0]!.body;
    expect(body).not.toContain("<");
    const data = JSON.parse(body);
    expect(data.workloads.map((w: { name: string }) => w.name)).toContain(XSS);
    expect(data.exits[0].msg).toContain("</script>");
  });

  it("the title is escaped where it is written into markup", () => {
    expect(html).toContain(`<title>scxlab ${escapeHtml(XSS)}</title>`);
    expect(escapeHtml(`<a href="x">'&`)).toBe("&#60;a href=&#34;x&#34;&#62;&#39;&#38;");
  });

  it("the CSP allows exactly the two inline scripts, by hash", () => {
    const csp = /Content-Security-Policy" content="([^"]+)"/.exec(html)![1]!;
    for (const s of scripts(html).slice(1)) {
      const hash = createHash("sha256").update(s.body, "utf8").digest("base64");
      expect(csp).toContain(`'sha256-${hash}'`);
    }
  });

  it("embedJson escapes <, U+2028 and U+2029", () => {
    expect(embedJson({ a: "</script><!--\u2028" })).toBe('{"a":"\\u003c/script>\\u003c!--\\u2028"}');
  });

  it("without a timeline or with one seed the data says so (the client prints notes)", () => {
    const one = [makeRun()];
    const data = buildReportData({ title: "t", results: one, aggregate: aggregate(one) });
    expect(data.runs[data.chosen!]!.timeline).toBeNull();
    expect(data.workloads[0]!.rows[0]!.metrics.throughput.half).toBeNull();
  });

  it("chooses the first run with a timeline by default, or the one asked for", () => {
    const data = buildReportData({ title: "t", results: runs, aggregate: aggregate(runs) });
    expect(data.runs[data.chosen!]).toMatchObject({ label: "rr:slice_us=100", workload: "mixed", seed: 1 });
    expect(Object.keys(data.runs[data.chosen!]!.timeline!.names).length).toBeGreaterThan(0);
    // Every run of the sweep is there for the picker, in sweep order.
    expect(data.runs.map((r) => [r.label, r.workload, r.seed])).toEqual(runs.map((r) => [schedulerLabel(r.job), r.job.workload, r.job.seed]));
    expect(() => buildReportData({ title: "t", results: runs, aggregate: aggregate(runs), chosenRun: 99 })).toThrow(RangeError);
  });

  it("CDF series: one per scheduler, cumulative fractions 0 … 1, latencies non-decreasing", () => {
    const data = buildReportData({ title: "t", results: runs, aggregate: aggregate(runs) });
    const cdf = data.workloads[0]!.cdf.wakeup;
    expect(cdf.map((c) => c.label)).toEqual(["fair", "simple:fifo=true", "rr:slice_us=100"]);
    for (const c of cdf) {
      // The fixtures carry no wakeup histogram: the curve goes through the percentiles.
      expect(c.source).toBe("percentiles");
      expect(c.points.map((p) => p[1])).toEqual([0, 0.5, 0.9, 0.99, 0.999, 1]);
      for (let i = 1; i < c.points.length; i++) expect(c.points[i]![0]).toBeGreaterThanOrEqual(c.points[i - 1]![0]);
    }
  });
});

describe("client scripts from compiled output", () => {
  it("are found from source", () => {
    expect(existsSync(join(clientDir(), "main.js"))).toBe(true);
  });

  // tsc does not copy .js files to dist/; the compiled module must find them in the source tree.
  // Compile results/ into a dist-like directory inside the package and render from there.
  it("are found when results/ runs compiled, as from dist/", () => {
    const out = join(root, "test", "results", ".dist-tmp");
    rmSync(out, { recursive: true, force: true });
    try {
      const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
      execFileSync(process.execPath, [tsc, "--outDir", out, "--rootDir", root, "--module", "NodeNext", "--moduleResolution", "NodeNext",
        "--target", "ES2022", "--strict", "--skipLibCheck", "--types", "node", join(root, "results", "index.ts")], { stdio: "pipe" });
      const compiled = pathToFileURL(join(out, "results", "index.js")).href;
      expect(existsSync(join(out, "results", "report", "client"))).toBe(false);
      const script = `
        const m = await import(${JSON.stringify(compiled)});
        const run = { schema: "scxlab.run/1", job: { scheduler: "fair", options: {}, workload: "w", params: {}, topology: "1", cpus: 1, seed: 1, durationNs: 1, overheads: false },
          simNs: 1, events: 0, wallMs: 0, groups: {}, tasks: [], tasksTruncated: false, cpus: [],
          totals: { completed: 0, requests: 0, throughput: 0, contextSwitches: { voluntary: 0, involuntary: 0 }, migrations: { smt: 0, llc: 0, numa: 0, total: 0 }, utilization: 0, jainFairness: 1 },
          scx: { scheduler: null, timeline: [], exit: null, log: [], events: {} }, invariants: { created: 0, exited: 0, alive: 0, lost: 0 }, warnings: [] };
        const html = m.renderReport({ title: "t", results: [run], aggregate: m.aggregate([run]) });
        process.stdout.write(String(html.includes("function drawTimeline") && html.includes("d3js.org")));`;
      const got = execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
      expect(got).toBe("true");
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it("every client file is plain JS that parses", () => {
    const dir = clientDir();
    for (const f of ["util.js", "summary.js", "bars.js", "cdf.js", "timeline.js", "series.js", "tables.js", "main.js"]) {
      expect(() => new Function(readFileSync(join(dir, f), "utf8").replace(/^main\(\);$/m, ""))).not.toThrow();
    }
  });
});

describe("report counters (results/report/counters.ts)", () => {
  it("one entry per counter any run reported, sorted; a scheduler lacking one in some seed gets null; means over seeds", async () => {
    const { counterData } = await import("../../results/report/counters.js");
    const run = (seed: number, events: Record<string, number>) => ({ ...makeRun({ seed }), scx: { ...makeRun({ seed }).scx, events } });
    const runs: Record<string, ReturnType<typeof run>[]> = {
      a: [run(1, { z: 2, y: 0 }), run(2, { z: 4, y: 0 })],
      b: [run(1, { y: 5 }), run(2, { y: 7, z: 1 })],
      c: [run(1, {})],
    };
    const d = counterData(["a", "b", "c"], (l) => runs[l]!, 0.95)!;
    expect(d.names).toEqual(["y", "z"]);
    expect(d.rows.map((r) => r.values.map((e) => e?.mean ?? null))).toEqual([[0, 3], [6, null], [null, null]]);
    expect(d.rows[0]!.values[1]!.half).toBeGreaterThan(0);
    expect(d.initial).toBe(0); // y: two schedulers report it and b's is non-zero
    expect(counterData(["c"], (l) => runs[l]!, 0.95)).toBeNull();
  });
});

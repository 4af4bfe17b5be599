/**
 * The HTML report in a real browser (Debian's Chromium through playwright-core): it draws with
 * no errors, has the charts the data calls for, zooms, and shows hostile names as text.
 * Without /usr/bin/chromium the suite is skipped locally but fails in CI (CI=true). The pages
 * and the screenshot go to a fresh temp folder (or SCXLAB_TEST_ARTIFACTS, for CI to keep them),
 * never into the user's out/.
 */
import { existsSync, mkdtempSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aggregate, renderReport } from "../../results/index.js";
import { makeRun, makeSweep, SCHEDULERS, STALL_EXIT, withDenseTimeline, WORKLOADS, XSS } from "./fixtures.js";

const CHROMIUM = "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const OUT = process.env.SCXLAB_TEST_ARTIFACTS ?? mkdtempSync(join(tmpdir(), "scxlab-browser-"));
const skip = !existsSync(CHROMIUM) && process.env.CI !== "true";

interface Opened {
  page: Page;
  problems: string[];
  dialogs: string[];
  requests: string[];
}

describe.skipIf(skip)("HTML report in Chromium", () => {
  let browser: Browser;
  let full: Opened;

  async function open(html: string, name: string): Promise<Opened> {
    const file = join(OUT, name);
    await writeFile(file, html);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const o: Opened = { page, problems: [], dialogs: [], requests: [] };
    page.on("console", (m) => { if (m.type() === "error" || m.type() === "warning") o.problems.push(`console.${m.type()}: ${m.text()}`); });
    page.on("pageerror", (e) => o.problems.push(`pageerror: ${e.message}`));
    page.on("dialog", (d) => { o.dialogs.push(d.message()); void d.dismiss(); });
    page.on("request", (r) => o.requests.push(r.url()));
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector("body[data-ready=true]", { timeout: 20_000 });
    return o;
  }

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (required when CI=true)`);
    await mkdir(OUT, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    // A second run with a timeline (fair on mixed, seed 2), for the run picker.
    const runs = makeSweep().map((r) =>
      r.job.scheduler === "fair" && r.job.workload === "mixed" && r.job.seed === 2 ? makeRun({ ...SCHEDULERS[0], workload: "mixed", seed: 2, timeline: true }) : r);
    full = await open(renderReport({ title: `scxlab report ${XSS}`, results: runs, aggregate: aggregate(runs), notes: ["synthetic fixtures"], chosenRun: runs.findIndex((r) => r.scx.exit !== null) }), "report.html");
  });

  afterAll(async () => {
    await browser?.close();
  });

  it("draws without console errors, page errors or dialogs, and loads nothing from the network", () => {
    expect(full.problems).toEqual([]);
    expect(full.dialogs).toEqual([]);
    expect(full.requests.filter((u) => !u.startsWith("file:") && !u.startsWith("data:"))).toEqual([]);
  });

  it("each bar chart has one bar per scheduler (8 charts per workload)", async () => {
    const counts = await full.page.$$eval("svg.bar-chart", (svgs) => svgs.map((s) => s.querySelectorAll("rect.bar").length));
    expect(counts).toHaveLength(8 * WORKLOADS.length);
    for (const c of counts) expect(c).toBe(SCHEDULERS.length);
    const labels = await full.page.$$eval("svg.bar-chart[data-metric=throughput] rect.bar", (rs) => rs.map((r) => r.getAttribute("data-scheduler")));
    expect(labels.slice(0, 3)).toEqual(["fair", "simple:fifo=true", "rr:slice_us=100"]);
    expect(await full.page.$$eval("svg.bar-chart g.err", (g) => g.length)).toBe(8 * WORKLOADS.length * SCHEDULERS.length);
  });

  it("each CDF has one step line per scheduler", async () => {
    const counts = await full.page.$$eval("svg.cdf-chart", (svgs) => svgs.map((s) => s.querySelectorAll("path.cdf-line").length));
    expect(counts).toEqual(Array(2 * WORKLOADS.length).fill(SCHEDULERS.length));
  });

  it("summary tables highlight the best cell of each metric with a direction; the ejected row is flagged", async () => {
    const best = await full.page.$$eval("table.summary", (ts) => ts.map((t) => t.querySelectorAll("td.best").length));
    // 12 metrics, 3 without a direction (utilisation, context switches, migrations).
    expect(best).toEqual([9, 9]);
    expect(await full.page.$$eval("table.summary tr.exited", (rs) => rs.map((r) => r.getAttribute("data-scheduler")))).toEqual(["rr:slice_us=100"]);
    expect(await full.page.locator("table.summary tr.exited td.exit-cell").textContent()).toMatch(/^ERROR_STALL at 40\.0 ms \(1 of 3 runs\)$/);
    expect(await full.page.$$eval("table.summary .sig", (s) => s.length)).toBeGreaterThan(0);
  });

  it("the timeline has slices, class bands, two class switches and the exit marker", async () => {
    const p = full.page;
    expect(await p.$$eval("svg.timeline rect.slice", (r) => r.length)).toBeGreaterThan(100);
    expect(await p.$$eval("svg.timeline rect.cls-band", (r) => r.length)).toBeGreaterThan(0);
    expect(await p.$$eval("svg.timeline line.switch-marker", (r) => r.length)).toBe(2);
    expect(await p.$$eval("svg.timeline line.exit-marker", (r) => r.length)).toBe(1);
    expect(await p.$$eval("svg.series-chart", (s) => s.length)).toBe(2);
  });

  it("wheel over the timeline zooms the x domain; reset restores it", async () => {
    const p = full.page;
    const domain = async () => (await p.getAttribute("svg.timeline g.x-axis", "data-domain"))!.split(",").map(Number);
    const [lo0, hi0] = await domain();
    const surface = p.locator("svg.timeline rect.zoom-surface");
    await surface.scrollIntoViewIfNeeded();
    const box = (await surface.boundingBox())!; // viewport coordinates, after the scroll
    await p.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await p.mouse.wheel(0, -500);
    const before = `${lo0},${hi0}`;
    await p.waitForFunction((b) => document.querySelector("svg.timeline g.x-axis")!.getAttribute("data-domain") !== b, before, { timeout: 5000 });
    const [lo1, hi1] = await domain();
    expect(hi1! - lo1!).toBeLessThan((hi0! - lo0!) * 0.9);
    expect(lo1!).toBeGreaterThanOrEqual(lo0!);
    await p.evaluate(() => (window as unknown as { scxReport: { timeline: { reset(): void } } }).scxReport.timeline.reset());
    expect(await domain()).toEqual([lo0, hi0]);
  });

  it("per task group: a row per (group, scheduler) with the group's own metrics", async () => {
    const rows = await full.page.$$eval("table.groups", (ts) => ts.map((t) => [...t.querySelectorAll("tbody tr")].map((r) => `${r.getAttribute("data-group")}|${r.getAttribute("data-scheduler")}`)));
    expect(rows).toHaveLength(WORKLOADS.length);
    for (const r of rows) expect(r).toEqual(["web", "<b>batch</b>"].flatMap((g) => ["fair", "simple:fifo=true", "rr:slice_us=100"].map((l) => `${g}|${l}`)));
    const cell = await full.page.locator('table.groups tr[data-group="web"][data-scheduler="fair"] td[data-metric="wakeupP99"]').first().textContent();
    expect(cell).toMatch(/µs/);
    expect(await full.page.$$eval("table.relative tbody tr", (r) => r.length)).toBe(2 * WORKLOADS.length);
  });

  it("the run picker shows any run of the sweep: scheduler, workload, seed", async () => {
    const p = full.page;
    const title = () => p.locator("#run h2").textContent();
    expect(await title()).toBe("Run: rr:slice_us=100 on mixed, seed 1");
    expect(await p.$$eval("#run-seed option", (o) => o.map((x) => x.textContent))).toEqual(["1", "2", "3"]);
    await p.selectOption("#run-scheduler", "fair");
    await p.selectOption("#run-seed", "2");
    expect(await title()).toBe("Run: fair on mixed, seed 2");
    expect(await p.$$eval("svg.timeline", (s) => s.length)).toBe(1);
    expect(await p.$$eval("svg.timeline rect.slice", (r) => r.length)).toBeGreaterThan(100);
    expect(await p.$$eval("svg.timeline line.exit-marker", (r) => r.length)).toBe(0);
    await p.selectOption("#run-seed", "3");
    expect(await title()).toBe("Run: fair on mixed, seed 3");
    expect(await p.locator("#run p.note", { hasText: "No timeline was recorded" }).count()).toBe(1);
    await p.selectOption("#run-workload", XSS);
    expect(await title()).toBe(`Run: fair on ${XSS}, seed 3`);
    await p.evaluate(() => (window as unknown as { scxReport: { showRun(i: number): void } }).scxReport.showRun(0));
    expect(await title()).toBe("Run: fair on mixed, seed 1");
    expect(await p.$eval("#run-scheduler", (s) => (s as HTMLSelectElement).value)).toBe("fair");
    // Back to the run with the exit, for the tests that follow.
    await p.selectOption("#run-scheduler", "rr:slice_us=100");
    await p.selectOption("#run-seed", "1");
    expect(await p.$$eval("svg.timeline line.exit-marker", (r) => r.length)).toBe(1);
  });

  it("zoomed far in, the time axis ticks stay distinct and agree with the domain", async () => {
    const p = full.page;
    const api = () => (window as unknown as { scxReport: { timeline: { zoomBy(k: number): void; reset(): void } } }).scxReport.timeline;
    await p.evaluate((f) => { eval(f)().zoomBy(2000); }, `(${api.toString()})`);
    const ticks = await p.$$eval("svg.timeline g.x-axis g.tick text", (ts) => ts.map((t) => t.textContent!));
    const [lo, hi] = (await p.getAttribute("svg.timeline g.x-axis", "data-domain"))!.split(",").map(Number);
    expect(hi! - lo!).toBeLessThan(50_000); // 50 ms of run shown in under 50 µs
    expect(ticks.length).toBeGreaterThan(2);
    expect(new Set(ticks).size).toBe(ticks.length);
    // Each label, read back in its unit, lies inside the visible domain.
    const unit: Record<string, number> = { s: 1e9, ms: 1e6, "µs": 1e3, ns: 1 };
    for (const t of ticks) {
      const [v, u] = t.split(" ");
      const ns = Number(v) * unit[u!]!;
      expect(ns).toBeGreaterThanOrEqual(lo! - 1);
      expect(ns).toBeLessThanOrEqual(hi! + 1);
    }
    await p.evaluate((f) => { eval(f)().reset(); }, `(${api.toString()})`);
  });

  it("zoomed in, a slice's tooltip gives its start in the axis' unit and precision, inside the visible domain", async () => {
    const p = full.page;
    await p.evaluate(() => (window as unknown as { scxReport: { timeline: { zoomBy(k: number): void } } }).scxReport.timeline.zoomBy(20));
    const [lo, hi] = (await p.getAttribute("svg.timeline g.x-axis", "data-domain"))!.split(",").map(Number);
    const tick = (await p.$$eval("svg.timeline g.x-axis g.tick text", (ts) => ts.map((t) => t.textContent!)))[0]!;
    const slice = p.locator("svg.timeline rect.slice");
    const xs = await p.$$eval("svg.timeline rect.slice", (rs) => rs.map((r) => Number(r.getAttribute("x"))));
    const k = xs.findIndex((x) => x > 20 && x < 500);
    expect(k).toBeGreaterThanOrEqual(0);
    await slice.nth(k).hover({ force: true });
    const start = /start: (\S+) (\S+)/.exec((await p.locator("#tooltip").textContent())!)!;
    const unit: Record<string, number> = { s: 1e9, ms: 1e6, "µs": 1e3, ns: 1 };
    expect(start[2]).toBe(tick.split(" ")[1]); // the axis' unit
    expect(start[1]!.split(".")[1]?.length ?? 0).toBe(tick.split(" ")[0]!.split(".")[1]?.length ?? 0); // and its decimals
    const ns = Number(start[1]) * unit[start[2]!]!;
    expect(ns).toBeGreaterThanOrEqual(lo! - (hi! - lo!) * 0.01);
    expect(ns).toBeLessThanOrEqual(hi!);
    await p.evaluate(() => (window as unknown as { scxReport: { timeline: { reset(): void } } }).scxReport.timeline.reset());
  });

  it("hovering a slice shows a tooltip with task, group, start and duration", async () => {
    const p = full.page;
    await p.locator('svg.timeline rect.slice[data-pid="4"]').first().hover({ force: true });
    const tip = await p.locator("#tooltip").textContent();
    expect(tip).toContain("<img src=x onerror=alert(2)> (pid 4)");
    expect(tip).toMatch(/group: web\nclass: .*\nstart: .*\nduration: /);
  });

  it("hostile names and messages show as text and never run", async () => {
    const p = full.page;
    const h2 = await p.$$eval("h2", (hs) => hs.map((h) => h.textContent));
    expect(h2).toContain(`Workload: ${XSS}`);
    expect(await p.title()).toBe(`scxlab report ${XSS}`);
    expect(await p.$$eval("script", (s) => s.length)).toBe(3);
    expect(await p.$$eval("img, b", (e) => e.length)).toBe(0);
    expect(await p.locator("table.exits").textContent()).toContain(STALL_EXIT.msg);
    expect(await p.locator(".legend").first().textContent()).toContain("fair");
    expect(full.dialogs).toEqual([]);
  });

  it("one seed and no timeline render with notes instead of charts", async () => {
    const runs = [makeRun({ scheduler: "fair" }), makeRun({ scheduler: "rr", options: { slice_us: 100 } })];
    const o = await open(renderReport({ title: "sparse", results: runs, aggregate: aggregate(runs) }), "report-sparse.html");
    expect(o.problems).toEqual([]);
    const notes = (await o.page.$$eval("p.note", (ps) => ps.map((p) => p.textContent))).join("\n");
    expect(notes).toMatch(/One seed per scheduler/);
    expect(notes).toMatch(/No timeline was recorded/);
    expect(await o.page.$$eval("svg.bar-chart g.err", (g) => g.length)).toBe(0);
    expect(await o.page.$$eval("svg.bar-chart rect.bar", (r) => r.length)).toBe(8 * 2);
    await o.page.close();
  });

  it("a dense timeline (80k slices) is drawn as per-pixel blocks until zoomed in", async () => {
    const run = withDenseTimeline(makeRun({ scheduler: "rr", options: { slice_us: 100 } }), 20_000, 20_000);
    const o = await open(renderReport({ title: "dense", results: [run], aggregate: aggregate([run]) }), "report-dense.html");
    expect(o.problems).toEqual([]);
    const count = (sel: string) => o.page.$$eval(sel, (r) => r.length);
    expect(await count("svg.timeline rect.slice")).toBe(0);
    const blocks = await count("svg.timeline rect.slice-block");
    expect(blocks).toBeGreaterThan(100);
    expect(blocks).toBeLessThan(10_000);
    expect(await count("svg.timeline rect.cls-band")).toBeLessThan(10_000);
    await o.page.evaluate(() => (window as unknown as { scxReport: { timeline: { zoomBy(k: number): void } } }).scxReport.timeline.zoomBy(200));
    expect(await count("svg.timeline rect.slice")).toBeGreaterThan(0);
    expect(await count("svg.timeline rect.slice-block")).toBe(0);
    expect(await o.page.locator("p.note", { hasText: "merged per pixel" }).count()).toBe(0);
    await o.page.close();
  });

  it("zero latencies are drawn at the log axis' floor, marked and explained; a switch label at 0 is not clipped", async () => {
    const run = makeRun({ scheduler: "simple", timeline: true });
    const zero = { count: 100, mean: 500, min: 0, p50: 0, p90: 800, p99: 2000, p999: 5000, max: 9000 };
    run.totals.wakeupLatencyNs = zero;
    for (const g of Object.values(run.groups)) g.wakeupLatencyNs = zero;
    run.scx.timeline = [{ atNs: 0, from: "fair", to: "simple", reason: "link created" }];
    const o = await open(renderReport({ title: "zeros", results: [run], aggregate: aggregate([run]) }), "report-zeros.html");
    expect(o.problems).toEqual([]);
    const wake = o.page.locator('svg.cdf-chart[data-metric="wakeup"]');
    expect(await wake.locator("circle.zero-marker").count()).toBe(1);
    expect(await wake.locator("circle.zero-marker title").textContent()).toMatch(/^simple: 50% of wakeup latencies were 0 ns/);
    expect(await wake.locator("text.zero-note").textContent()).toContain("0 ns");
    expect((await wake.locator("g.x-axis g.tick text").first().textContent())).toBe("0");
    // The "→ simple" label of a switch at t = 0 starts at the plot's left edge instead of centring on it.
    const label = o.page.locator("svg.timeline g.marker text").first();
    expect(await label.getAttribute("text-anchor")).toBe("start");
    expect(await label.textContent()).toBe("→ simple");
    const [text, plot] = await Promise.all([label.boundingBox(), o.page.locator("svg.timeline rect.zoom-surface").boundingBox()]);
    expect(text!.x).toBeGreaterThanOrEqual(plot!.x - 0.5);
    await o.page.close();
  });

  it("scheduler counters: a chart per workload with a bar per scheduler reporting the chosen counter; the picker redraws it", async () => {
    // Two schedulers with counters over three seeds (one counter only the second has, one named
    // like an Object.prototype member), the third with none.
    const runs = makeSweep().filter((r) => r.job.workload === "mixed").map((r) => {
      const s = r.job.scheduler, k = r.job.seed;
      if (s === "fair") return r;
      const events: Record<string, number> = { nr_direct_dispatches: (s === "rr" ? 100 : 40) * k, SCX_EV_DISPATCH_KEEP_LAST: 0 };
      if (s === "rr") Object.defineProperty(events, "__proto__", { value: 7, enumerable: true });
      return { ...r, scx: { ...r.scx, events } };
    });
    const o = await open(renderReport({ title: "counters", results: runs, aggregate: aggregate(runs) }), "report-counters.html");
    expect(o.problems).toEqual([]);
    const pick = o.page.locator("select.counter-pick");
    expect(await pick.locator("option").allTextContents()).toEqual(["SCX_EV_DISPATCH_KEEP_LAST", "__proto__", "nr_direct_dispatches"]);
    // shown first: of the counters non-zero somewhere, the one most schedulers report
    const bars = async () => o.page.$$eval("svg.counter-chart rect.bar", (rs) => rs.map((r) => r.getAttribute("data-scheduler")));
    expect(await o.page.getAttribute("svg.counter-chart", "data-counter")).toBe("nr_direct_dispatches");
    expect(await bars()).toEqual(["simple:fifo=true", "rr:slice_us=100"]);
    expect(await o.page.$$eval("svg.counter-chart g.err", (g) => g.length)).toBe(2);
    await pick.selectOption({ label: "__proto__" });
    expect(await o.page.getAttribute("svg.counter-chart", "data-counter")).toBe("__proto__");
    expect(await bars()).toEqual(["rr:slice_us=100"]);
    expect(await o.page.$$eval("svg.counter-chart", (s) => s.length)).toBe(1);
    expect(o.problems).toEqual([]);
    await o.page.close();
  });

  it("an empty result set renders a note", async () => {
    const o = await open(renderReport({ title: "empty", results: [], aggregate: aggregate([]) }), "report-empty.html");
    expect(o.problems).toEqual([]);
    expect(await o.page.locator("#report").textContent()).toContain("No results to show.");
    await o.page.close();
  });

  it("saves a screenshot beside the test pages", async () => {
    await full.page.evaluate(() => window.scrollTo(0, 0));
    if (process.env.SCXLAB_TEST_ARTIFACTS === undefined) process.stdout.write(`report pages and screenshot: ${OUT}\n`);
    await full.page.screenshot({ path: join(OUT, "report-screenshot.png"), fullPage: true });
    expect(existsSync(join(OUT, "report-screenshot.png"))).toBe(true);
  });
});

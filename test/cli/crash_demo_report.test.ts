/**
 * The crash demo's report.html in a real browser (Debian's Chromium through playwright-core):
 * it draws without errors, the per-CPU timeline's class band switches from sched_ext to fair at
 * the fault, the windows before and after are the rows of the tables, and the log holds the story.
 * Without /usr/bin/chromium the suite is skipped locally but fails in CI (CI=true).
 */
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCrashDemo, type CrashDemoOutcome } from "../../cli/crash/demo.js";
import { writeDemoOutputs } from "../../cli/crash/output.js";
import type { Job } from "../../cli/job.js";

const CHROMIUM = "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const skip = !existsSync(CHROMIUM) && process.env.CI !== "true";
const MS = 1e6;

const job: Job = { scheduler: "simple", options: {}, workload: "mixed", params: {}, topology: "4", cpus: 4, seed: 1, durationNs: 600 * MS, overheads: true };

interface Opened {
  page: Page;
  problems: string[];
  requests: string[];
}

describe.skipIf(skip)("crash-demo report in Chromium", () => {
  let browser: Browser;
  let crash: Opened, stall: Opened;
  let crashRun: CrashDemoOutcome;

  async function open(o: CrashDemoOutcome): Promise<Opened> {
    const { report } = await writeDemoOutputs(o, mkdtempSync(join(tmpdir(), "scxlab-crash-report-")));
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const opened: Opened = { page, problems: [], requests: [] };
    page.on("console", (m) => { if (m.type() === "error" || m.type() === "warning") opened.problems.push(`console.${m.type()}: ${m.text()}`); });
    page.on("pageerror", (e) => opened.problems.push(`pageerror: ${e.message}`));
    page.on("dialog", (d) => { opened.problems.push(`dialog: ${d.message()}`); void d.dismiss(); });
    page.on("request", (r) => opened.requests.push(r.url()));
    await page.goto(pathToFileURL(report).href);
    await page.waitForSelector("body[data-ready=true]", { timeout: 20_000 });
    return opened;
  }

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (required when CI=true)`);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    crashRun = runCrashDemo({ job, fault: "crash", faultAtNs: 200 * MS, pollNs: 100 * MS });
    crash = await open(crashRun);
    stall = await open(runCrashDemo({
      job, fault: "stall", faultAtNs: 200 * MS, pollNs: 100 * MS, reattach: { scheduler: "simple", options: {}, atNs: 450 * MS },
    }));
  });

  afterAll(async () => {
    await browser?.close();
  });

  it("draws without console errors, page errors or dialogs, and loads nothing from the network", () => {
    for (const o of [crash, stall]) {
      expect(o.problems).toEqual([]);
      expect(o.requests.filter((u) => !u.startsWith("file:") && !u.startsWith("data:"))).toEqual([]);
    }
  });

  it("the per-CPU timeline has a class band that switches from sched_ext to fair at the crash", async () => {
    const p = crash.page;
    const bands = await p.$$eval("svg.timeline rect.cls-band", (rs) => rs.map((r) => ({ fill: r.getAttribute("fill"), x: Number(r.getAttribute("x")), w: Number(r.getAttribute("width")) })));
    expect(bands.length).toBeGreaterThan(0);
    const ext = bands.filter((b) => b.fill === "#444444"), fair = bands.filter((b) => b.fill === "#c8c8c8");
    expect(ext.length).toBeGreaterThan(0);
    expect(fair.length).toBeGreaterThan(0);
    // Every sched_ext band ends at or before the crash's marker; fair ones run on after it.
    const marker = await p.$eval("svg.timeline line.exit-marker", (l) => {
      const g = l.parentElement!.getAttribute("transform")!;
      return Number(/translate\(([-\d.]+)/.exec(g)![1]);
    });
    for (const b of ext) expect(b.x + b.w).toBeLessThanOrEqual(marker + 1);
    expect(Math.max(...fair.map((b) => b.x + b.w))).toBeGreaterThan(marker + 100);
    expect(await p.$$eval("svg.timeline line.switch-marker", (l) => l.length)).toBe(2);
  });

  it("the tables and charts compare the windows before and after the fault", async () => {
    const p = crash.page;
    expect(await p.$$eval("table.summary tbody tr", (rs) => rs.map((r) => r.getAttribute("data-scheduler")))).toEqual(["before (simple)", "after (fair)"]);
    const bars = await p.$$eval("svg.bar-chart[data-metric=throughput] rect.bar", (rs) => rs.map((r) => r.getAttribute("data-scheduler")));
    expect(bars).toEqual(["before (simple)", "after (fair)"]);
    expect(await p.$$eval("svg.cdf-chart", (s) => s.length)).toBe(2);
    expect(await p.$$eval("svg.cdf-chart path.cdf-line", (s) => s.length)).toBe(4);
    expect(await p.textContent("#notes")).toContain("BPF_LINK_UPDATE with a second scheduler's map at 0.100 s: -EOPNOTSUPP");
  });

  it("the log is the demo's timeline and the exit table has the eviction", async () => {
    const p = crash.page;
    const log = await p.$$eval("table.kernel-log tbody tr td:nth-child(2)", (tds) => tds.map((t) => t.textContent));
    expect(log).toHaveLength(crashRun.story.length);
    expect(log).toContainEqual(expect.stringMatching(/segfault .*SIGSEGV/));
    expect(log).toContain('sched_ext: BPF scheduler "simple" disabled (unregistered from user space)');
    const exits = await p.$$eval("table.exits tbody tr td:nth-child(4)", (tds) => tds.map((t) => t.textContent));
    expect(exits).toEqual(["SCX_EXIT_UNREG"]);
  });

  it("with a stall and a reattach: three class switches, four windows, the stall in the exit table", async () => {
    const p = stall.page;
    expect(await p.$$eval("svg.timeline line.switch-marker", (l) => l.length)).toBe(3);
    expect(await p.$$eval("table.summary tbody tr", (rs) => rs.map((r) => r.getAttribute("data-scheduler"))))
      .toEqual(["before (simple)", "stalled (simple)", "after (fair)", "reattached (simple)"]);
    const fills = new Set(await p.$$eval("svg.timeline rect.cls-band", (rs) => rs.map((r) => r.getAttribute("fill"))));
    expect(fills).toEqual(new Set(["#444444", "#c8c8c8"]));
    expect(await p.$$eval("table.exits tbody tr td:nth-child(4)", (tds) => tds.map((t) => t.textContent))).toEqual(["SCX_EXIT_ERROR_STALL"]);
  });
});

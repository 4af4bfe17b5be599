import { createHash } from "node:crypto";
import { join } from "node:path";
import type { RunResult } from "../../sim/result.js";
import type { Aggregate } from "../aggregate.js";
import { atomicWrite } from "../io/atomic_write.js";
import { clientSource, d3Source } from "./assets.js";
import { buildReportData } from "./data.js";
import { packReportData } from "./packed.js";
import type { ReportTimeline } from "./timelines.js";
import { REPORT_CSS } from "./style.js";

/**
 * The HTML report: one self-contained file that opens offline. d3 and the client scripts are
 * inlined; the data travels as JSON in a non-executed <script type="application/json">, and the
 * client puts every string into the page with textContent, so names from users never become
 * markup. A Content-Security-Policy allows exactly the two inline scripts (by hash) and no
 * network at all: even if something slipped through, it could neither run nor phone home.
 */

export interface ReportInput {
  title: string;
  results: RunResult[];
  aggregate: Aggregate;
  /** Index into `results` of the run whose timeline is drawn; default: the first with one. */
  chosenRun?: number;
  notes?: string[];
  /** Timelines in the report's form, by result index (a merge has them from the shards' files). */
  timelines?: readonly (ReportTimeline | null)[];
  /** Replaces the default advice under a one-seed workload (a command without --seeds says its own). */
  oneSeedNote?: string;
}

/** JSON that is safe inside a <script> element: no `<` can close it or open a comment. */
export function embedJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

/**
 * Inlined code must not contain `</script` (it would end the element) or `<!--` (it changes how
 * the HTML parser looks for the end); `<\/` and `<\!` mean the same inside JS strings and
 * regexes. Line ends are normalised as the HTML parser would, so the CSP hash matches.
 */
export function inlineScript(code: string): string {
  return code
    .replace(/\r\n?/g, "\n")
    .replace(/<\/(script)/gi, "<\\/$1")
    .replace(/<!--/g, "<\\!--");
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function cspHash(code: string): string {
  return `'sha256-${createHash("sha256").update(code, "utf8").digest("base64")}'`;
}

export function renderReport(input: ReportInput): string {
  const data = packReportData(buildReportData(input));
  const d3 = inlineScript(d3Source());
  const client = inlineScript(`(function () {\n"use strict";\n${clientSource()}\n})();\n`);
  const csp = [
    "default-src 'none'",
    `script-src ${cspHash(d3)} ${cspHash(client)}`,
    "style-src 'unsafe-inline'",
    "img-src data:",
  ].join("; ");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(input.title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<header><h1 id="title"></h1><ul id="notes"></ul></header>
<main id="report"><p class="note" id="loading">Loading… (this report needs JavaScript)</p></main>
<div id="tooltip" role="tooltip" hidden></div>
<script type="application/json" id="scx-data">${embedJson(data)}</script>
<script>${d3}</script>
<script>${client}</script>
</body>
</html>
`;
}

/** Writes `report.html` (or `fileName`) atomically and returns its path. */
export async function writeReport(dir: string, input: ReportInput, fileName = "report.html"): Promise<string> {
  return atomicWrite(join(dir, fileName), renderReport(input));
}

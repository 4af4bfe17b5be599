/**
 * The validation report as a terminal table, a Markdown table (for the README), JSON and a
 * self-contained HTML page (no scripts, no network; every string escaped).
 */
import { escapeHtml } from "../../results/report/render.js";
import type { CheckOutcome, Unit, ValidationReport } from "./types.js";

const SCALE: Record<Unit, number> = { ms: 1e-6, us: 1e-3, "%": 100, x: 1 };
const SUFFIX: Record<Unit, string> = { ms: " ms", us: " µs", "%": " %", x: "" };

/** A number with about `sig` significant digits, without exponent notation for usual sizes. */
function num(v: number, sig = 4): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return "0";
  const digits = Math.max(0, Math.min(9, sig - 1 - Math.floor(Math.log10(Math.abs(v)))));
  return v.toFixed(digits);
}

export function fmtValue(v: number | null, unit: Unit, sig = 4): string {
  return v === null ? "—" : `${num(v * SCALE[unit], sig)}${SUFFIX[unit]}`;
}

/** "2.013 ± 0.021 ms" (± the 95 % half-width), or the bare value for deterministic checks. */
export function fmtSim(c: CheckOutcome): string {
  if (c.sim === null) return "—";
  if (c.half95 === null) return fmtValue(c.sim, c.unit, 6);
  return `${num(c.sim * SCALE[c.unit])} ± ${num(c.half95 * SCALE[c.unit], 2)}${SUFFIX[c.unit]}`;
}

export function fmtRel(c: CheckOutcome): string {
  if (c.relErr === null) return "—";
  const pct = c.relErr * 100;
  return `${pct >= 0 ? "+" : ""}${Math.abs(pct) < 0.001 ? pct.toExponential(1) : pct.toFixed(3)} %`;
}

/** The accepted |relative error|, or the accepted absolute deviation when the analytic value is 0. */
export function fmtTol(c: CheckOutcome): string {
  if (c.accept === null) return "—";
  if (c.analytic === 0) return `±${fmtValue(c.accept, c.unit, 2)}`;
  const pct = (c.accept / Math.abs(c.analytic)) * 100;
  return `±${pct < 0.001 ? pct.toExponential(1) : pct.toFixed(3)} %`;
}

const HEAD = ["case", "check", "analytic", "simulated (95 % CI)", "rel. err", "tolerance", "verdict"];

function rows(r: ValidationReport): string[][] {
  return r.checks.map((c) => [c.caseId, c.label, fmtValue(c.analytic, c.unit, 6), fmtSim(c), fmtRel(c), fmtTol(c), c.verdict]);
}

function pad(rows: string[][]): string[] {
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => [...r[i]].length)));
  return rows.map((r) => r.map((cell, i) => cell + " ".repeat(w[i] - [...cell].length)).join("  ").trimEnd());
}

export function summaryLine(r: ValidationReport): string {
  const parts = [`${r.passed} passed`, `${r.failed} failed`];
  if (r.skipped > 0) parts.push(`${r.skipped} not run`);
  return `validate${r.quick ? " --quick" : ""}: ${r.checks.length} checks in ${new Set(r.checks.map((c) => c.caseId)).size} cases, ${parts.join(", ")} (${r.seeds} seeds, ${(r.wallMs / 1000).toFixed(1)} s)`;
}

/** The terminal report: one block per case (title, model, policy, formula) and its checks. */
export function formatText(r: ValidationReport): string {
  const out: string[] = [];
  const table = pad([HEAD, ...rows(r)]);
  out.push(table[0], "─".repeat(Math.min(160, [...table[0]].length)));
  let prev = "";
  r.checks.forEach((c, i) => {
    if (c.caseId !== prev && prev !== "") out.push("");
    prev = c.caseId;
    out.push(table[i + 1]);
  });
  out.push("", "Cases:");
  const seen = new Set<string>();
  for (const c of r.checks) {
    if (seen.has(c.caseId)) continue;
    seen.add(c.caseId);
    out.push(`  ${c.caseId}: ${c.caseTitle}`, `    model: ${c.model}`, `    policy: ${c.scheduler}`, `    formula: ${c.formula} (docs/validation.md ${c.source})`);
  }
  const bad = r.checks.filter((c) => c.verdict !== "PASS");
  if (bad.length > 0) {
    out.push("", "Not passed:");
    for (const c of bad) {
      const why = c.note !== "" ? c.note : `|sim − analytic| = ${fmtValue(Math.abs((c.sim ?? 0) - c.analytic), c.unit)} > ${fmtValue(c.accept, c.unit)}`;
      out.push(`  ${c.verdict} ${c.caseId} · ${c.label}: ${why}`);
    }
  }
  out.push("", `Rule: ${r.rule}`, `K = ${r.statisticalChecks} statistical checks.`, "", summaryLine(r));
  return out.join("\n");
}

/** A Markdown table of the checks (the README's Fidelity section). */
export function formatMarkdown(r: ValidationReport): string {
  const esc = (s: string) => s.replace(/\|/g, "\\|");
  const lines = [`| ${HEAD.join(" | ")} |`, `|${HEAD.map(() => "---").join("|")}|`];
  for (const row of rows(r)) lines.push(`| ${row.map(esc).join(" | ")} |`);
  return lines.join("\n");
}

export function toJson(r: ValidationReport): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}

const CSS = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 2rem; color: #222; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f4f4f4; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.case td { background: #fafafa; font-size: 12px; color: #555; }
.PASS { color: #0a6b20; font-weight: 600; } .FAIL { color: #b00020; font-weight: 700; } .SKIP { color: #8a5a00; font-weight: 700; }
p.rule { max-width: 60rem; }
`;

/** The HTML page: static markup only, every value escaped. */
export function renderHtml(r: ValidationReport): string {
  const e = escapeHtml;
  const body: string[] = [];
  body.push(`<h1>scxlab validate${r.quick ? " --quick" : ""}</h1>`);
  body.push(`<p>${e(summaryLine(r))}</p>`);
  body.push(`<p class="rule">${e(r.rule)} K = ${r.statisticalChecks}.</p>`);
  body.push("<table>", `<tr>${HEAD.map((h) => `<th>${e(h)}</th>`).join("")}<th>allowance</th></tr>`);
  let prev = "";
  for (const c of r.checks) {
    if (c.caseId !== prev) {
      prev = c.caseId;
      body.push(`<tr class="case"><td colspan="8"><b>${e(c.caseId)}</b> — ${e(c.caseTitle)}<br>model: ${e(c.model)}<br>policy: ${e(c.scheduler)}<br>formula: ${e(c.formula)} (docs/validation.md ${e(c.source)})</td></tr>`);
    }
    const verdictCell = `<td class="${e(c.verdict)}">${e(c.verdict)}${c.note !== "" && c.verdict !== "PASS" ? `<br><small>${e(c.note)}</small>` : ""}</td>`;
    body.push(`<tr><td>${e(c.caseId)}</td><td>${e(c.label)}</td><td class="num">${e(fmtValue(c.analytic, c.unit, 6))}</td><td class="num">${e(fmtSim(c))}</td><td class="num">${e(fmtRel(c))}</td><td class="num">${e(fmtTol(c))}</td>${verdictCell}<td><small>${e(c.allowanceWhy)}</small></td></tr>`);
  }
  body.push("</table>");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>scxlab validate</title>
<style>${CSS}</style>
</head>
<body>
${body.join("\n")}
</body>
</html>
`;
}

/** The report's stylesheet: plain, printable, readable without colour (bold marks the best). */
export const REPORT_CSS = `
:root { --fg: #1a1a1a; --muted: #666; --rule: #ddd; --best: #fff3c4; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); margin: 0 auto; max-width: 1400px; padding: 16px 24px 48px; }
h1 { font-size: 22px; margin: 8px 0; } h2 { font-size: 18px; margin: 32px 0 8px; border-bottom: 1px solid var(--rule); padding-bottom: 4px; }
h3 { font-size: 15px; margin: 20px 0 6px; }
.note { color: var(--muted); font-style: italic; margin: 4px 0; }
#notes { color: var(--muted); margin: 0; padding-left: 18px; }
table { border-collapse: collapse; margin: 8px 0; font-variant-numeric: tabular-nums; }
th, td { padding: 3px 8px; border-bottom: 1px solid var(--rule); text-align: right; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
th.text, td.text { text-align: left; }
td.text { white-space: pre-wrap; max-width: 520px; }
table.summary { font-size: 13px; } table.summary th, table.summary td { padding: 3px 6px; }
td.best { background: var(--best); font-weight: 600; }
tr.exited td { color: var(--muted); } tr.exited .flag, td.exit-cell { color: #D55E00; font-weight: 600; } td.exit-cell { white-space: nowrap; }
table.groups tr.group-first td { border-top: 2px solid var(--rule); }
.sig { color: #b35900; font-weight: 700; margin-left: 2px; }
caption { caption-side: bottom; text-align: left; color: var(--muted); font-size: 12px; padding-top: 4px; }
.scroll { overflow-x: auto; }
.grid { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: flex-start; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 14px; font-size: 12px; margin: 6px 0; }
.swatch { display: inline-block; width: 11px; height: 11px; margin-right: 4px; vertical-align: -1px; border-radius: 2px; }
svg { overflow: visible; font-size: 11px; }
svg text.title { font-size: 12px; font-weight: 600; }
svg text.zero-note { fill: var(--muted); font-size: 10px; font-style: italic; }
svg text.axis-label { fill: var(--muted); font-size: 11px; }
.timeline-wrap { width: 100%; }
.run-picker { display: flex; gap: 16px; margin: 6px 0 4px; font-size: 13px; } .run-picker select { font: inherit; }
svg.timeline .zoom-surface { fill: #fafafa; cursor: grab; }
svg.timeline .cpu-row { fill: none; stroke: #eee; }
svg.timeline rect.slice { stroke: #fff; stroke-width: 0.3; }
svg.timeline line.switch-marker { stroke: #000; stroke-dasharray: 4 3; }
svg.timeline line.exit-marker { stroke: #D55E00; stroke-width: 2; }
#tooltip { position: fixed; pointer-events: none; background: rgba(20,20,20,.92); color: #fff; padding: 6px 8px; border-radius: 4px; font-size: 12px; white-space: pre; z-index: 10; }
`;

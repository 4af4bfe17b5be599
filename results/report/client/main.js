// Entry point: read the embedded data, lay out the sections, and expose a small API on
// window.scxReport (zoom control, readiness) for tests and for curious users in the console.

function main() {
  var data = unpackReportData(JSON.parse(document.getElementById("scx-data").textContent));
  var api = { ready: false, timeline: null };
  window.scxReport = api;

  document.title = data.title;
  d3.select("#title").text(data.title);
  d3.select("#notes").selectAll("li").data(data.notes.concat(data.warnings)).join("li").text(function (s) { return s; });
  var report = d3.select("#report");
  report.select("#loading").remove();
  var colour = colourScale(data.labels);

  if (data.workloads.length === 0) note(report, "No results to show.");
  data.workloads.forEach(function (wl) { drawWorkload(report, wl, data, colour); });

  var runSection = report.append("section").attr("id", "run");
  if (data.runs.length > 0) drawRunSection(runSection, data, api);

  var exitSection = report.append("section").attr("id", "exits");
  heading(exitSection, 2, "sched_ext exits");
  drawExits(exitSection, data.exits);

  api.ready = true;
  document.body.setAttribute("data-ready", "true");
}

function drawWorkload(report, wl, data, colour) {
  var section = report.append("section").attr("class", "workload").attr("data-workload", wl.name);
  heading(section, 2, "Workload: " + wl.name);
  var seeds = d3.max(wl.rows, function (r) { return r.n; }) || 0;
  if (seeds < 2) note(section, data.oneSeedNote);
  else if (!wl.seedsVary) note(section, "Seeds do not vary: every seed gave the same values on this workload, so no difference is marked significant.");
  var exited = wl.rows.filter(function (r) { return r.exit !== ""; }).length;
  if (exited > 0) {
    note(section, exited === wl.rows.length
      ? "Every scheduler exited early (fair ran the rest of those runs); they are compared as they are, flagged !."
      : "Flagged !: sched_ext exited early and fair ran the rest of the run; those rows are not ranked.");
  }
  legend(section, wl.rows.map(function (r) { return r.label; }), colour);
  guarded(section, "summary table", function () { drawSummary(section, wl, data.metrics, data.level, colour); });
  guarded(section, "group table", function () { drawGroups(section, wl, data.groupMetrics, colour); });
  guarded(section, "relative table", function () { drawRelative(section, wl, data.metrics, colour); });
  heading(section, 3, "Mean over seeds with " + Math.round(data.level * 100) + "% confidence intervals");
  drawBarCharts(section, wl, data.metrics, colour);
  heading(section, 3, "Latency distributions (percentiles averaged over seeds; wakeups also through the histogram's bins)");
  var cdfs = section.append("div").attr("class", "grid cdfs");
  guarded(cdfs, "wakeup CDF", function () { drawCdf(cdfs, wl.cdf.wakeup, "wakeup", colour); });
  guarded(cdfs, "request CDF", function () { drawCdf(cdfs, wl.cdf.request, "request", colour); });
  guarded(section, "counter chart", function () { drawCounters(section, wl, colour); });
}

main();

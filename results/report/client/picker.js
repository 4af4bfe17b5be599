// The run section: a picker (scheduler, workload, seed) over every run of the sweep, and for
// the picked run its per-CPU timeline, utilisation and runqueue series, and kernel log.
// Picking redraws the section body; window.scxReport.showRun(i) does the same for tests.

function drawRunSection(section, data, api) {
  var runs = data.runs;
  var title = heading(section, 2, "");
  var picker = section.append("div").attr("class", "run-picker");
  var uniq = function (f) { return Array.from(new Set(runs.map(f))); };
  var fields = [
    { id: "run-scheduler", label: "scheduler", values: uniq(function (r) { return r.label; }), of: function (r) { return r.label; } },
    { id: "run-workload", label: "workload", values: uniq(function (r) { return r.workload; }), of: function (r) { return r.workload; } },
    { id: "run-seed", label: "seed", values: uniq(function (r) { return String(r.seed); }), of: function (r) { return String(r.seed); } },
  ];
  var selects = fields.map(function (f) {
    var item = picker.append("label");
    item.append("span").text(f.label + " ");
    var sel = item.append("select").attr("id", f.id);
    sel.selectAll("option").data(f.values).join("option").attr("value", function (v) { return v; }).text(function (v) { return v; });
    return sel;
  });
  var body = section.append("div").attr("class", "run-body");

  // The run matching the selects; a combination that did not run falls back to the closest
  // one (same scheduler and workload, then same scheduler).
  function pickFromSelects() {
    var want = selects.map(function (s) { return s.property("value"); });
    var score = function (r) {
      return (fields[0].of(r) === want[0] ? 4 : 0) + (fields[1].of(r) === want[1] ? 2 : 0) + (fields[2].of(r) === want[2] ? 1 : 0);
    };
    var best = 0;
    runs.forEach(function (r, i) { if (score(r) > score(runs[best])) best = i; });
    show(best);
  }

  function show(i) {
    var run = runs[i];
    api.run = i;
    selects.forEach(function (s, k) { s.property("value", fields[k].of(run)); });
    title.text("Run: " + run.label + " on " + run.workload + ", seed " + run.seed);
    body.selectAll("*").remove();
    api.timeline = null;
    drawRun(body, run, api);
  }

  selects.forEach(function (s) { s.on("change", pickFromSelects); });
  api.showRun = show;
  show(data.chosen === null ? 0 : data.chosen);
}

function drawRun(body, run, api) {
  heading(body, 3, "Per-CPU timeline");
  var t = run.timeline;
  if (t && t.pid.length > 0) {
    if (t.truncated) note(body, "The recorder hit its slice cap: the timeline stops before the run's end.");
    if (t.clippedAtNs !== null) note(body, "To keep the report small, this run's timeline is shown up to " + fmtNs(t.clippedAtNs) + "; scxlab run ... --trace gives the whole run for Perfetto.");
    note(body, "Wheel to zoom, drag to pan, double-click to zoom in; hover a slice for details.");
    body.append("button").attr("type", "button").text("reset zoom")
      .on("click", function () { if (api.timeline) api.timeline.reset(); });
    var wrap = body.append("div").attr("class", "timeline-wrap");
    guarded(wrap, "timeline", function () { api.timeline = drawTimeline(wrap, run); });
    heading(body, 3, "Utilisation and runqueue depth");
    drawSeries(body, run);
  } else {
    note(body, "No timeline was recorded for this run (ask for one with timeline: true, e.g. --trace).");
  }
  heading(body, 3, "Kernel log");
  drawLog(body, run.log);
}

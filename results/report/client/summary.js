// Summary table of one workload: a row per scheduler, a column per metric (mean ± CI),
// the best mean in each column highlighted (several when they tie), and "*" when its interval
// beats every other. A row whose scheduler exited early is flagged and carries the exit.

function drawSummary(parent, wl, metrics, level, colour) {
  var wrap = parent.append("div").attr("class", "scroll");
  var table = wrap.append("table").attr("class", "summary");
  table
    .append("caption")
    .text(
      "mean ± " + Math.round(level * 100) + "% confidence half-width over seeds; ↓ lower is better, " +
        "↑ higher is better, no arrow: no better direction; highlighted: best mean (several: a tie); " +
        "*: its interval separates from all others",
    );
  var exited = wl.rows.some(function (r) { return r.exit !== ""; });
  var head = table.append("thead").append("tr");
  head.append("th").text("scheduler");
  head.append("th").text("n");
  if (exited) head.append("th").attr("class", "text").text("sched_ext exit");
  metrics.forEach(function (m) {
    head.append("th").attr("data-metric", m.key).text(m.label + directionArrow(m));
  });
  var body = table.append("tbody");
  wl.rows.forEach(function (row) {
    var tr = body.append("tr").attr("data-scheduler", row.label).classed("exited", row.exit !== "");
    var name = tr.append("td");
    name.append("span").attr("class", "swatch").style("background", colour(row.label));
    name.append("span").text(row.label);
    if (row.exit !== "") name.append("span").attr("class", "flag").attr("title", "sched_ext exited early; not ranked").text(" !");
    tr.append("td").text(String(row.n));
    if (exited) tr.append("td").attr("class", "text exit-cell").text(row.exit);
    metrics.forEach(function (m) {
      var best = wl.best[m.key];
      var td = tr.append("td").attr("data-metric", m.key).text(row.text[m.key]);
      if (best && best.labels.indexOf(row.label) >= 0) {
        td.classed("best", true);
        if (best.significant) {
          td.append("span").attr("class", "sig").attr("title", "interval separates from all others").text("*");
        }
      }
    });
  });
}

function directionArrow(m) {
  return m.better === "lower" ? " ↓" : m.better === "higher" ? " ↑" : "";
}

// Ratios of each other scheduler's means to the baseline's, as hyperfine prints them.
function drawRelative(parent, wl, metrics, colour) {
  if (!wl.relative) return;
  var rel = wl.relative;
  heading(parent, 3, "Relative to " + rel.baseline);
  var wrap = parent.append("div").attr("class", "scroll");
  var table = wrap.append("table").attr("class", "relative");
  table.append("caption").text("ratio of means to " + rel.baseline + "'s ± standard deviation (relative errors added in quadrature), as hyperfine prints it");
  var head = table.append("thead").append("tr");
  head.append("th").text("scheduler");
  metrics.forEach(function (m) { head.append("th").attr("data-metric", m.key).text(m.label); });
  var body = table.append("tbody");
  rel.rows.forEach(function (row) {
    var tr = body.append("tr").attr("data-scheduler", row.label).classed("exited", row.exited);
    var name = tr.append("td");
    name.append("span").attr("class", "swatch").style("background", colour(row.label));
    name.append("span").text(row.label + (row.exited ? " !" : ""));
    metrics.forEach(function (m) { tr.append("td").attr("data-metric", m.key).text(row.text[m.key]); });
  });
}

// Per task group: a row per (group, scheduler) with the group's own metrics, best marked as in
// the summary. Shown when the workload has two or more groups (one group is the whole run).
function drawGroups(parent, wl, metrics, colour) {
  if (wl.groups.length < 2) return;
  heading(parent, 3, "Per task group");
  var wrap = parent.append("div").attr("class", "scroll");
  var table = wrap.append("table").attr("class", "groups");
  table.append("caption").text("each group's own metrics, mean ± CI half-width over seeds; CPU share: the group's CPU time over all groups'");
  var head = table.append("thead").append("tr");
  head.append("th").text("group");
  head.append("th").attr("class", "text").text("scheduler");
  metrics.forEach(function (m) { head.append("th").attr("data-metric", m.key).text(m.label + directionArrow(m)); });
  var body = table.append("tbody");
  wl.groups.forEach(function (g) {
    g.rows.forEach(function (row, k) {
      var tr = body.append("tr").attr("data-group", g.name).attr("data-scheduler", row.label)
        .classed("exited", row.exited).classed("group-first", k === 0);
      tr.append("td").text(k === 0 ? g.name : "");
      var name = tr.append("td").attr("class", "text");
      name.append("span").attr("class", "swatch").style("background", colour(row.label));
      name.append("span").text(row.label + (row.exited ? " !" : ""));
      metrics.forEach(function (m) {
        var td = tr.append("td").attr("data-metric", m.key).text(row.text[m.key]);
        var best = g.best[m.key];
        if (best && best.labels.indexOf(row.label) >= 0) {
          td.classed("best", true);
          if (best.significant) td.append("span").attr("class", "sig").text("*");
        }
      });
    });
  });
}

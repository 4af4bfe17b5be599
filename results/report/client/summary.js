// Summary table of one workload: a row per scheduler, a column per metric (mean ± CI),
// the best mean in each column highlighted, and "*" when its interval beats every other.

function drawSummary(parent, wl, metrics, level, colour) {
  var wrap = parent.append("div").attr("class", "scroll");
  var table = wrap.append("table").attr("class", "summary");
  table
    .append("caption")
    .text(
      "mean ± " + Math.round(level * 100) + "% confidence half-width over seeds; ↓ lower is better, " +
        "↑ higher is better; highlighted: best mean; *: its interval separates from all others",
    );
  var head = table.append("thead").append("tr");
  head.append("th").text("scheduler");
  head.append("th").text("n");
  metrics.forEach(function (m) {
    head.append("th").attr("data-metric", m.key).text(m.label + (m.lowerIsBetter ? " ↓" : " ↑"));
  });
  var body = table.append("tbody");
  wl.rows.forEach(function (row) {
    var tr = body.append("tr").attr("data-scheduler", row.label);
    var name = tr.append("td");
    name.append("span").attr("class", "swatch").style("background", colour(row.label));
    name.append("span").text(row.label);
    tr.append("td").text(String(row.n));
    metrics.forEach(function (m) {
      var best = wl.best[m.key];
      var td = tr.append("td").attr("data-metric", m.key).text(row.text[m.key]);
      if (best && best.label === row.label) {
        td.classed("best", true);
        if (best.significant) {
          td.append("span").attr("class", "sig").attr("title", "interval separates from all others").text("*");
        }
      }
    });
  });
}

// Bar charts with error bars: one chart per metric, one bar per scheduler (data-scheduler),
// whiskers at mean ± CI half-width. The best bar (or tied bars) gets a dark outline.

var BAR_METRICS = ["throughput", "wakeupP50", "wakeupP99", "wakeupP999", "requestP50", "requestP99", "requestP999", "jainFairness"];

function drawBarCharts(parent, wl, metrics, colour) {
  var grid = parent.append("div").attr("class", "grid bars");
  BAR_METRICS.forEach(function (key) {
    var metric = metrics.find(function (m) { return m.key === key; });
    if (metric) guarded(grid, metric.label + " chart", function () { drawBarChart(grid, wl, metric, colour); });
  });
}

function drawBarChart(parent, wl, metric, colour, cls) {
  var margin = { top: 26, right: 10, bottom: 70, left: 58 };
  var title = metric.label + (metric.better === "lower" ? " (lower is better)" : metric.better === "higher" ? " (higher is better)" : "");
  var c = chart(parent, cls || "bar-chart", 250, 230, margin, title);
  c.svg.attr("data-metric", metric.key);
  var key = metric.key;
  var rows = wl.rows.filter(function (r) { return r.metrics[key].mean !== null; });
  if (rows.length === 0) {
    c.g.append("text").attr("class", "note").attr("y", c.h / 2).text("no data");
    return;
  }
  var top = d3.max(rows, function (r) {
    var e = r.metrics[key];
    return e.hi !== null ? e.hi : e.mean;
  });
  var u = unitFor(metric.unit, top);
  var x = d3.scaleBand(rows.map(function (r) { return r.label; }), [0, c.w]).padding(0.25);
  var y = d3.scaleLinear([0, top > 0 ? top / u.div : 1], [c.h, 0]).nice();
  var yv = function (v) { return y(Math.max(0, v / u.div)); };
  var best = wl.best[key] ? wl.best[key].labels : [];

  c.g
    .selectAll("rect.bar")
    .data(rows)
    .join("rect")
    .attr("class", "bar")
    .attr("data-scheduler", function (r) { return r.label; })
    .attr("x", function (r) { return x(r.label); })
    .attr("width", x.bandwidth())
    .attr("y", function (r) { return yv(r.metrics[key].mean); })
    .attr("height", function (r) { return c.h - yv(r.metrics[key].mean); })
    .attr("fill", function (r) { return colour(r.label); })
    .attr("stroke", function (r) { return best.indexOf(r.label) >= 0 ? "#000" : "none"; })
    .attr("stroke-width", 1.5)
    .append("title")
    .text(function (r) { return r.label + ": " + r.text[key]; });

  // Whiskers only where there is an interval (two or more seeds).
  var whiskers = c.g
    .selectAll("g.err")
    .data(rows.filter(function (r) { return r.metrics[key].half !== null; }))
    .join("g")
    .attr("class", "err")
    .attr("data-scheduler", function (r) { return r.label; })
    .attr("stroke", "#000");
  var mid = function (r) { return x(r.label) + x.bandwidth() / 2; };
  whiskers.append("line")
    .attr("x1", mid).attr("x2", mid)
    .attr("y1", function (r) { return yv(r.metrics[key].lo); })
    .attr("y2", function (r) { return yv(r.metrics[key].hi); });
  ["lo", "hi"].forEach(function (end) {
    whiskers.append("line")
      .attr("x1", function (r) { return mid(r) - 4; }).attr("x2", function (r) { return mid(r) + 4; })
      .attr("y1", function (r) { return yv(r.metrics[key][end]); })
      .attr("y2", function (r) { return yv(r.metrics[key][end]); });
  });

  c.g.append("g").attr("class", "y-axis").call(d3.axisLeft(y).ticks(5));
  c.g
    .append("g")
    .attr("class", "x-axis")
    .attr("transform", "translate(0," + c.h + ")")
    .call(d3.axisBottom(x).tickSizeOuter(0))
    .selectAll("text")
    .attr("text-anchor", "end")
    .attr("transform", "rotate(-30)");
  axisLabel(c.g, unitName(metric.unit, u), -44, c.h / 2, true);
}

// Latency CDFs, one step line per scheduler on a log x axis. The points are the histogram
// percentiles the run reports (min, p50, p90, p99, p99.9, max), averaged over seeds; the step
// goes up only at a known percentile, so the curve never claims more than the data says.
// The y axis counts "nines" (−log10(1 − F)) so that p99 and p99.9, where schedulers differ
// most, get as much room as the median; F = 1 (the max) sits one step above p99.9.

var NINES_TOP = 4;

function nines(f) {
  return f >= 1 ? NINES_TOP : Math.min(NINES_TOP, -Math.log10(1 - f));
}

function drawCdf(parent, series, what, colour) {
  var margin = { top: 26, right: 16, bottom: 44, left: 58 };
  var c = chart(parent, "cdf-chart", 440, 280, margin, what + " latency CDF");
  c.svg.attr("data-metric", what);
  if (series.length === 0) {
    c.g.append("text").attr("class", "note").attr("y", c.h / 2).text("no " + what + " latencies recorded");
    return;
  }
  var xs = [];
  series.forEach(function (s) { s.points.forEach(function (p) { if (p[0] > 0) xs.push(p[0]); }); });
  var lo = d3.min(xs) || 1;
  var hi = d3.max(xs) || 1;
  if (hi <= lo) { lo = lo / 2; hi = hi * 2; }
  // Log axes cannot show 0: a zero latency is drawn at the left edge.
  var x = d3.scaleLog([lo, hi], [0, c.w]).clamp(true);
  var y = d3.scaleLinear([0, NINES_TOP], [c.h, 0]);
  var line = d3.line()
    .x(function (p) { return x(Math.max(p[0], lo)); })
    .y(function (p) { return y(nines(p[1])); })
    .curve(d3.curveStepAfter);

  c.g
    .selectAll("path.cdf-line")
    .data(series)
    .join("path")
    .attr("class", "cdf-line")
    .attr("data-scheduler", function (s) { return s.label; })
    .attr("fill", "none")
    .attr("stroke", function (s) { return colour(s.label); })
    .attr("stroke-width", 2)
    .attr("d", function (s) { return line(s.points); })
    .append("title")
    .text(function (s) {
      return s.label + ": p50 " + fmtNs(s.points[1][0]) + ", p99 " + fmtNs(s.points[3][0]) + ", max " + fmtNs(s.points[5][0]);
    });

  var levels = [0, 0.5, 0.9, 0.99, 0.999, 1];
  c.g.append("g").attr("class", "y-axis")
    .call(d3.axisLeft(y).tickValues(levels.map(nines)).tickFormat(function (v, i) { return d3.format(".3~%")(levels[i]); }));
  // A log axis has a tick at every 1..9 × 10^k; d3's own format blanks the crowded ones.
  var keep = x.tickFormat(5);
  c.g
    .append("g")
    .attr("class", "x-axis")
    .attr("transform", "translate(0," + c.h + ")")
    .call(d3.axisBottom(x).ticks(5).tickFormat(function (v) { return keep(v) === "" ? "" : fmtNs(v); }));
  axisLabel(c.g, what + " latency (log scale)", c.w / 2, c.h + 36, false);
  axisLabel(c.g, "fraction ≤ x (scale in nines)", -44, c.h / 2, true);
}

// Latency CDFs, one line per scheduler on a log x axis, through the points the report data
// carries: the averaged percentiles and, for wakeups, the histogram's bin edges (so the curve
// follows the distribution instead of stepping between six points).
// The y axis counts "nines" (−log10(1 − F)) so that p99 and p99.9, where schedulers differ
// most, get as much room as the median; F = 1 (the max) sits one step above p99.9.
// A log axis has no 0: latencies of 0 ns are drawn at the axis floor, a decade below the
// smallest positive latency, with a hollow marker and a note saying so.

var NINES_TOP = 4;

function nines(f) {
  return f >= 1 ? NINES_TOP : Math.min(NINES_TOP, -Math.log10(1 - f));
}

function drawCdf(parent, series, what, colour) {
  var margin = { top: 26, right: 16, bottom: 58, left: 58 };
  var c = chart(parent, "cdf-chart", 440, 294, margin, what + " latency CDF");
  c.svg.attr("data-metric", what);
  if (series.length === 0) {
    c.g.append("text").attr("class", "note").attr("y", c.h / 2).text("no " + what + " latencies recorded");
    return;
  }
  var xs = [];
  var zeros = [];
  series.forEach(function (s) {
    var atZero = 0;
    s.points.forEach(function (p) { if (p[0] > 0) xs.push(p[0]); else atZero = Math.max(atZero, p[1]); });
    if (s.points.some(function (p) { return p[0] <= 0; })) zeros.push({ label: s.label, f: atZero });
  });
  var lo = d3.min(xs) || 1;
  var hi = d3.max(xs) || 1;
  if (zeros.length > 0) {
    var decade = Math.pow(10, Math.floor(Math.log10(lo)));
    lo = decade >= lo ? decade / 10 : decade;
  }
  if (hi <= lo) hi = lo * 10;
  var floor = lo;
  var x = d3.scaleLog([lo, hi], [0, c.w]).clamp(true);
  var y = d3.scaleLinear([0, NINES_TOP], [c.h, 0]);
  var line = d3.line()
    .x(function (p) { return x(Math.max(p[0], floor)); })
    .y(function (p) { return y(nines(p[1])); });

  c.g
    .selectAll("path.cdf-line")
    .data(series)
    .join("path")
    .attr("class", "cdf-line")
    .attr("data-scheduler", function (s) { return s.label; })
    .attr("data-points", function (s) { return String(s.points.length); })
    .attr("fill", "none")
    .attr("stroke", function (s) { return colour(s.label); })
    .attr("stroke-width", 2)
    .attr("d", function (s) { return line(s.points); })
    .append("title")
    .text(function (s) {
      return s.label + ": p50 " + fmtNs(s.p50) + ", p99 " + fmtNs(s.p99) + ", max " + fmtNs(s.max) +
        (s.source === "histogram" ? " (curve through the histogram's bins)" : " (curve through the percentiles)");
    });

  // Zero latencies: a hollow marker at the floor, at the fraction of samples that were 0.
  c.g.selectAll("circle.zero-marker").data(zeros).join("circle")
    .attr("class", "zero-marker")
    .attr("data-scheduler", function (z) { return z.label; })
    .attr("cx", 0).attr("cy", function (z) { return y(nines(z.f)); }).attr("r", 4)
    .attr("fill", "#fff").attr("stroke", function (z) { return colour(z.label); }).attr("stroke-width", 2)
    .append("title").text(function (z) {
      return z.label + ": " + d3.format(".3~%")(z.f) + " of " + what + " latencies were 0 ns (drawn at the axis floor; a log axis has no 0)";
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
    .call(d3.axisBottom(x).ticks(5).tickFormat(function (v) {
      if (zeros.length > 0 && v === floor) return "0";
      return keep(v) === "" ? "" : fmtNs(v);
    }));
  axisLabel(c.g, what + " latency (log scale)", c.w / 2, c.h + 34, false);
  if (zeros.length > 0) {
    c.g.append("text").attr("class", "zero-note").attr("x", 0).attr("y", c.h + 50)
      .text("○ at the left edge: latencies of 0 ns, drawn at the axis floor");
  }
  axisLabel(c.g, "fraction ≤ x (scale in nines)", -44, c.h / 2, true);
}

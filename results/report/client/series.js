// Utilisation and runqueue depth over time, from the timeline's samples (one every sampleNs):
// busy CPUs out of all CPUs, and tasks runnable but waiting. Drawn as steps: a sample holds
// until the next one.

function drawSeries(parent, run) {
  var t = run.timeline;
  var grid = parent.append("div").attr("class", "grid series");
  var width = Math.max(320, Math.floor(((parent.node().getBoundingClientRect().width || 1100) - 20) / 2));
  guarded(grid, "busy CPUs chart", function () {
    seriesChart(grid, t.busyCpus, t.sampleNs, "busy", "busy CPUs (of " + run.cpus + ")", run.cpus, "#0072B2", width);
  });
  guarded(grid, "queued tasks chart", function () {
    seriesChart(grid, t.queued, t.sampleNs, "queued", "runnable tasks waiting for a CPU", null, "#D55E00", width);
  });
}

function seriesChart(parent, values, sampleNs, key, title, yMax, colour, width) {
  var margin = { top: 26, right: 12, bottom: 44, left: 44 };
  var c = chart(parent, "series-chart", width, 200, margin, title);
  c.svg.attr("data-series", key);
  if (!values || values.length === 0 || !(sampleNs > 0)) {
    c.g.append("text").attr("class", "note").attr("y", c.h / 2).text("no samples recorded");
    return;
  }
  // The last sample holds for one more period, so the step has somewhere to end.
  var points = values.map(function (v, i) { return [i * sampleNs, v]; });
  points.push([values.length * sampleNs, values[values.length - 1]]);
  var x = d3.scaleLinear([0, values.length * sampleNs], [0, c.w]);
  var y = d3.scaleLinear([0, Math.max(yMax || 0, d3.max(values) || 0, 1)], [c.h, 0]).nice();
  var area = d3.area().x(function (p) { return x(p[0]); }).y0(c.h).y1(function (p) { return y(p[1]); }).curve(d3.curveStepAfter);
  var line = d3.line().x(function (p) { return x(p[0]); }).y(function (p) { return y(p[1]); }).curve(d3.curveStepAfter);
  c.g.append("path").attr("class", "series-area").attr("fill", colour).attr("fill-opacity", 0.15).attr("d", area(points));
  c.g.append("path").attr("class", "series-line").attr("fill", "none").attr("stroke", colour).attr("stroke-width", 1.5).attr("d", line(points));
  c.g.append("g").attr("class", "y-axis").call(d3.axisLeft(y).ticks(4));
  c.g.append("g").attr("class", "x-axis").attr("transform", "translate(0," + c.h + ")")
    .call(d3.axisBottom(x).ticks(5).tickFormat(timeTickFormat(x, 5)));
  axisLabel(c.g, "simulated time (sampled every " + fmtNs(sampleNs) + ")", c.w / 2, c.h + 36, false);
  axisLabel(c.g, key === "busy" ? "CPUs" : "tasks", -32, c.h / 2, true);
}

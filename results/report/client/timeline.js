// Per-CPU timeline (Gantt) of one run: a row per CPU with a rect per slice coloured by task
// group, a thin band under each row showing which class ran (sched_ext or fair), dashed
// markers at class switches and a red one at the sched_ext exit. Wheel zooms and drag pans
// the time axis only; the axis carries its visible domain in data-domain (ns) for tests.

// Past this many visible slices the view is rasterised: each CPU's slices are merged into
// blocks about 2 px wide, coloured by the group with the most time in the block. A long run
// zoomed out then costs a few thousand rects, not hundreds of thousands, and still shows
// where each CPU was busy; zooming in brings back one rect per slice.
var MAX_RECTS = 10000;
var timelineCount = 0;

function drawTimeline(parent, run) {
  var t = run.timeline;
  var n = t.pid.length;
  var cpus = Math.max(run.cpus, (d3.max(t.cpu) || 0) + 1);
  var groupOf = function (i) {
    var g = t.groupOf[String(t.pid[i])];
    return g === undefined ? "?" : g;
  };
  var groups = Array.from(new Set(d3.range(n).map(groupOf))).sort();
  var colour = colourScale(groups);
  var name = function (i) {
    var s = t.names[String(t.pid[i])];
    return s === undefined ? "pid " + t.pid[i] : s;
  };

  var legendDiv = legend(parent, groups, colour);
  ["ext", "fair"].forEach(function (cls) {
    var item = legendDiv.append("span").attr("class", "legend-item");
    item.append("span").attr("class", "swatch").style("background", CLASS_COLOUR[cls]).style("height", "5px");
    item.append("span").text(cls === "ext" ? "band: sched_ext class ran" : "band: fair class ran");
  });

  var rowH = 20, bandH = 5, rowStep = rowH + bandH + 7;
  var margin = { top: 42, right: 16, bottom: 44, left: 56 };
  var width = Math.max(640, parent.node().getBoundingClientRect().width || 1100);
  var innerW = width - margin.left - margin.right;
  var innerH = cpus * rowStep;
  var end = Math.max(run.simNs, d3.max(t.endNs) || 0, 1);
  var x0 = d3.scaleLinear([0, end], [0, innerW]);

  var svg = parent.append("svg").attr("class", "timeline").attr("width", width)
    .attr("height", innerH + margin.top + margin.bottom);
  svg.append("title").text("per-CPU timeline");
  // The clip id is per drawing: the picker redraws, and ids must stay unique in the page.
  var clipId = "tl-clip-" + (++timelineCount);
  svg.append("defs").append("clipPath").attr("id", clipId).append("rect")
    .attr("y", -margin.top).attr("width", innerW).attr("height", innerH + margin.top);
  var root = svg.append("g").attr("transform", "translate(" + margin.left + "," + margin.top + ")");
  root.selectAll("text.cpu-label").data(d3.range(cpus)).join("text").attr("class", "cpu-label")
    .attr("x", -8).attr("y", function (c) { return c * rowStep + rowH / 2; }).attr("dy", "0.35em")
    .attr("text-anchor", "end").text(function (c) { return "CPU " + c; });

  var plot = root.append("g").attr("class", "plot").attr("clip-path", "url(#" + clipId + ")");
  plot.append("rect").attr("class", "zoom-surface").attr("width", innerW).attr("height", innerH);
  var slices = plot.append("g").attr("class", "slices");
  var bands = plot.append("g").attr("class", "bands");
  var markers = plot.append("g").attr("class", "markers");
  var axisG = root.append("g").attr("class", "x-axis").attr("transform", "translate(0," + innerH + ")");
  axisLabel(root, "simulated time", innerW / 2, innerH + 36, false);

  var sliceOrder = d3.range(n).sort(function (a, b) { return t.cpu[a] - t.cpu[b] || t.startNs[a] - t.startNs[b]; });
  var sliceGet = {
    cpu: function (i) { return t.cpu[i]; }, start: function (i) { return t.startNs[i]; },
    end: function (i) { return t.endNs[i]; }, key: groupOf,
  };
  var intervals = classIntervals(t, sliceOrder);
  var bandGet = {
    cpu: function (i) { return intervals[i].cpu; }, start: function (i) { return intervals[i].start; },
    end: function (i) { return intervals[i].end; }, key: function (i) { return intervals[i].cls; },
  };
  var densityNote = note(parent, "");
  var marks = run.switches.map(function (s) {
    return { at: s.atNs, cls: "switch-marker", y: -18, text: "→ " + s.to, title: s.from + " → " + s.to + " (" + s.reason + ") at " + fmtNs(s.atNs) };
  });
  if (run.exit) {
    // The exit usually coincides with a switch back to fair: its label sits a line higher.
    marks.push({ at: run.exit.atNs, cls: "exit-marker", y: -29, text: "exit: " + run.exit.kind.replace(/^SCX_EXIT_/, ""), title: run.exit.kind + ": " + run.exit.reason + " at " + fmtNs(run.exit.atNs) });
  }

  var current = x0;
  var tickCount = Math.max(2, Math.floor(innerW / 100));
  function render(x) {
    current = x;
    var lo = x.domain()[0], hi = x.domain()[1];
    var nsPerPx = (hi - lo) / innerW;
    var vis = [];
    for (var i = 0; i < n; i++) if (t.endNs[i] > lo && t.startNs[i] < hi) vis.push(i);
    var dense = vis.length > MAX_RECTS;
    densityNote.text(dense ? vis.length + " slices in view, merged per pixel (colour: the group with most time); zoom in to see single tasks." : "");
    slices.selectAll("rect.slice").data(dense ? [] : vis, function (j) { return j; })
      .join(function (enter) {
        return enter.append("rect").attr("class", "slice").attr("height", rowH)
          .attr("y", function (j) { return t.cpu[j] * rowStep; })
          .attr("data-pid", function (j) { return t.pid[j]; })
          .attr("fill", function (j) { return colour(groupOf(j)); });
      })
      .attr("x", function (j) { return x(t.startNs[j]); })
      .attr("width", function (j) { return Math.max(0.5, x(t.endNs[j]) - x(t.startNs[j])); });
    drawBlocks(slices, "slice-block", dense ? pixelBlocks(sliceOrder, sliceGet, lo, hi, nsPerPx) : [], x, rowStep, rowH, colour);
    var visBands = intervals.filter(function (b) { return b.end > lo && b.start < hi; });
    var bandData = visBands.length > MAX_RECTS
      ? pixelBlocks(d3.range(intervals.length), bandGet, lo, hi, nsPerPx)
      : visBands.map(function (b) { return { cpu: b.cpu, start: b.start, end: b.end, key: b.cls, n: 1 }; });
    drawBlocks(bands, "cls-band", bandData, x, rowStep, bandH, function (k) { return CLASS_COLOUR[k]; }, rowH + 1);
    var m = markers.selectAll("g.marker").data(marks).join(function (enter) {
      var g = enter.append("g").attr("class", "marker");
      g.append("title").text(function (d) { return d.title; });
      g.append("line").attr("class", function (d) { return d.cls; }).attr("y1", function (d) { return d.y + 4; }).attr("y2", innerH);
      g.append("text").attr("y", function (d) { return d.y; }).attr("text-anchor", "middle")
        .attr("fill", function (d) { return d.cls === "exit-marker" ? "#D55E00" : "#000"; })
        .text(function (d) { return d.text; });
      return g;
    });
    m.attr("transform", function (d) { return "translate(" + x(d.at) + ",0)"; });
    // A label near an edge is anchored inside the plot, or the clip cuts it ("→ simple" at 0).
    m.select("text").attr("text-anchor", function (d) {
      var px = x(d.at);
      return px < 50 ? "start" : px > innerW - 50 ? "end" : "middle";
    });
    axisG.call(d3.axisBottom(x).ticks(tickCount).tickFormat(timeTickFormat(x, tickCount)));
    axisG.attr("data-domain", lo + "," + hi);
  }

  var zoom = d3.zoom()
    .scaleExtent([1, Math.max(1, end / 1000)])
    .extent([[0, 0], [innerW, innerH]])
    .translateExtent([[0, 0], [innerW, innerH]])
    .on("zoom", function (event) { render(event.transform.rescaleX(x0)); });
  plot.call(zoom);
  render(x0);

  slices
    .on("mousemove", function (event) {
      var i = d3.select(event.target).datum();
      if (i && typeof i === "object") {
        var fb = timeTickFormat(current, tickCount);
        showTooltip(event, [i.n + " slices on CPU " + i.cpu + ", mostly " + i.key, fb(i.start) + " – " + fb(i.end), "zoom in to see single tasks"]);
        return;
      }
      if (typeof i !== "number") return;
      showTooltip(event, [
        name(i) + " (pid " + t.pid[i] + ")",
        "group: " + groupOf(i),
        "class: " + (t.cls[i] === 1 ? "sched_ext" : "fair") + ", CPU " + t.cpu[i],
        // Times in the axis' unit and precision, so the tooltip and the ticks read alike.
        "start: " + timeTickFormat(current, tickCount)(t.startNs[i]),
        "duration: " + fmtNs(t.endNs[i] - t.startNs[i]),
      ]);
    })
    .on("mouseleave", hideTooltip);

  return {
    zoomBy: function (k) { plot.call(zoom.scaleBy, k); },
    reset: function () { plot.call(zoom.transform, d3.zoomIdentity); },
    domain: function () { return current.domain(); },
  };
}

// Rects for blocks {cpu, start, end, key, n}: one per block, in row `cpu`, `dy` below its top.
function drawBlocks(g, cls, blocks, x, rowStep, height, fill, dy) {
  g.selectAll("rect." + cls).data(blocks).join("rect").attr("class", cls)
    .attr("y", function (b) { return b.cpu * rowStep + (dy || 0); }).attr("height", height)
    .attr("fill", function (b) { return fill(b.key); })
    .attr("x", function (b) { return x(b.start); })
    .attr("width", function (b) { return Math.max(0.5, x(b.end) - x(b.start)); });
}

// Rasterise intervals (indices in `order`, sorted by CPU then start) into blocks at most ~2 px
// wide; a gap of a pixel or more starts a new block, so idle time stays visible.
function pixelBlocks(order, get, lo, hi, nsPerPx) {
  var out = [];
  var cur = null;
  function close() {
    if (!cur) return;
    var best = null;
    for (var k in cur.time) if (best === null || cur.time[k] > cur.time[best]) best = k;
    out.push({ cpu: cur.cpu, start: cur.start, end: cur.end, key: best, n: cur.n });
  }
  order.forEach(function (i) {
    var s = get.start(i), e = get.end(i), cpu = get.cpu(i);
    if (e <= lo || s >= hi) return;
    if (!cur || cur.cpu !== cpu || s - cur.end >= nsPerPx || cur.end - cur.start >= 2 * nsPerPx) {
      close();
      cur = { cpu: cpu, start: s, end: e, n: 0, time: Object.create(null) };
    }
    var k = get.key(i);
    cur.end = Math.max(cur.end, e);
    cur.n++;
    cur.time[k] = (cur.time[k] || 0) + (e - s);
  });
  close();
  return out;
}

// Merge consecutive slices on a CPU that ran under the same class into one band interval.
function classIntervals(t, order) {
  var out = [];
  order.forEach(function (i) {
    var cls = t.cls[i] === 1 ? "ext" : "fair";
    var last = out[out.length - 1];
    if (last && last.cpu === t.cpu[i] && last.cls === cls && t.startNs[i] <= last.end) last.end = Math.max(last.end, t.endNs[i]);
    else out.push({ cpu: t.cpu[i], cls: cls, start: t.startNs[i], end: t.endNs[i] });
  });
  return out;
}

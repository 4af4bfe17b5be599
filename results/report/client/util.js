// Shared helpers for the report's charts. Plain browser JS, concatenated with the other client
// files inside one IIFE by results/report/assets.ts; d3 is the global from the inlined bundle.
// Rule for every file: strings from the data go into the page through .text()/.attr() only.

// Okabe–Ito: distinguishable under the common colour-vision deficiencies (black moved last).
var PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"];
var CLASS_COLOUR = { ext: "#444444", fair: "#c8c8c8" };

function colourScale(domain) {
  return d3.scaleOrdinal(domain, PALETTE);
}

// Units: a divisor and a name picked from the largest value shown, so an axis reads "µs".
var TIME_UNITS = [[1e9, "s"], [1e6, "ms"], [1e3, "µs"], [1, "ns"]];
var SI_UNITS = [[1e9, "G"], [1e6, "M"], [1e3, "k"], [1, ""]];

function unitFor(unit, max) {
  if (unit === "ratio") return { div: 1, name: "" };
  var table = unit === "ns" ? TIME_UNITS : SI_UNITS;
  for (var i = 0; i < table.length; i++) {
    if (Math.abs(max) >= table[i][0]) return { div: table[i][0], name: table[i][1] };
  }
  return { div: 1, name: table[table.length - 1][1] };
}

function unitName(unit, u) {
  if (unit === "ns") return u.name;
  if (unit === "rps") return u.name + "req/s";
  if (unit === "ratio") return "0–1";
  return u.name ? u.name + " events" : "events";
}

function fmtNs(ns) {
  var u = unitFor("ns", ns);
  var v = ns / u.div;
  return d3.format(Math.abs(v) >= 100 || v === 0 ? ".0f" : Math.abs(v) >= 10 ? ".1~f" : ".2~f")(v) + " " + u.name;
}

// Tick labels for a time axis: one unit for the whole axis (from the larger end of the
// domain) and as many decimals as the tick step needs, so that zoomed-in ticks stay distinct
// ("2.4213 s", "2.4214 s") instead of all rounding to the same value.
function timeTickFormat(scale, count) {
  var d = scale.domain();
  var ticks = scale.ticks(count);
  var u = unitFor("ns", Math.max(Math.abs(d[0]), Math.abs(d[1])));
  var step = ticks.length > 1 ? ticks[1] - ticks[0] : Math.abs(d[1] - d[0]);
  var decimals = step > 0 ? Math.max(0, Math.min(9, Math.ceil(-Math.log10(step / u.div) - 1e-9))) : 0;
  return function (v) { return (v / u.div).toFixed(decimals) + " " + u.name; };
}

function note(parent, text) {
  return parent.append("p").attr("class", "note").text(text);
}

function heading(parent, level, text) {
  return parent.append("h" + level).text(text);
}

// A titled SVG with a plot area inside margins; returns sizes so charts place their axes.
function chart(parent, cls, width, height, margin, title) {
  var svg = parent.append("svg").attr("class", cls).attr("width", width).attr("height", height).attr("role", "img");
  svg.append("title").text(title);
  svg.append("text").attr("class", "title").attr("x", margin.left).attr("y", 14).text(title);
  var g = svg.append("g").attr("transform", "translate(" + margin.left + "," + margin.top + ")");
  return { svg: svg, g: g, w: width - margin.left - margin.right, h: height - margin.top - margin.bottom };
}

function axisLabel(g, text, x, y, rotate) {
  var t = g.append("text").attr("class", "axis-label").attr("text-anchor", "middle").text(text);
  if (rotate) t.attr("transform", "translate(" + x + "," + y + ") rotate(-90)");
  else t.attr("x", x).attr("y", y);
  return t;
}

function legend(parent, labels, colour) {
  var div = parent.append("div").attr("class", "legend");
  labels.forEach(function (label) {
    var item = div.append("span").attr("class", "legend-item").attr("data-scheduler", label);
    item.append("span").attr("class", "swatch").style("background", colour(label));
    item.append("span").text(label);
  });
  return div;
}

// One shared tooltip; lines are set with textContent (white-space: pre keeps the breaks).
var tooltipEl = null;

function showTooltip(event, lines) {
  if (!tooltipEl) tooltipEl = document.getElementById("tooltip");
  tooltipEl.textContent = lines.join("\n");
  tooltipEl.hidden = false;
  tooltipEl.style.left = event.clientX + 12 + "px";
  tooltipEl.style.top = event.clientY + 12 + "px";
}

function hideTooltip() {
  if (tooltipEl) tooltipEl.hidden = true;
}

// A chart that throws must not take the rest of the report with it; the error is still logged.
function guarded(parent, what, draw) {
  try {
    draw();
  } catch (err) {
    console.error("scxlab report: " + what + " failed", err);
    note(parent, what + " could not be drawn: " + (err && err.message ? err.message : String(err)));
  }
}

// Scheduler counters: what each scheduler counted itself (an object's .bss/.data integers, a TS
// scheduler's scx.stat counters, the kernel's SCX_EV_* events). One counter at a time, picked
// in a <select>, drawn as the bar charts are: a bar per scheduler, whiskers with two seeds.

function drawCounters(parent, wl, colour) {
  var cd = wl.counters;
  if (!cd || cd.names.length === 0) return;
  heading(parent, 3, "Scheduler counters (mean over seeds; choose one)");
  var box = parent.append("div").attr("class", "counters");
  var select = box.append("select").attr("class", "counter-pick").attr("aria-label", "scheduler counter");
  select.selectAll("option").data(cd.names).join("option")
    .attr("value", function (n, i) { return String(i); })
    .text(function (n) { return n; });
  var holder = box.append("div").attr("class", "grid");
  function draw(i) {
    holder.selectAll("*").remove();
    var rows = cd.rows
      .filter(function (r) { return r.values[i] !== null; })
      .map(function (r) { return { label: r.label, metrics: { counter: r.values[i] }, text: { counter: r.text[i] } }; });
    var metric = { key: "counter", label: cd.names[i], unit: "count", better: null };
    drawBarChart(holder, { rows: rows, best: {} }, metric, colour, "counter-chart");
    holder.select("svg.counter-chart").attr("data-counter", cd.names[i]);
  }
  select.property("value", String(cd.initial));
  select.on("change", function () { draw(Number(this.value)); });
  draw(cd.initial);
}

// Plain tables: sched_ext exits of every run, and the kernel log of the chosen run.

function drawTable(parent, cls, columns, rows) {
  var wrap = parent.append("div").attr("class", "scroll");
  var table = wrap.append("table").attr("class", cls);
  var head = table.append("thead").append("tr");
  columns.forEach(function (col) { head.append("th").attr("class", col.text ? "text" : null).text(col.title); });
  var body = table.append("tbody");
  rows.forEach(function (row) {
    var tr = body.append("tr");
    columns.forEach(function (col) {
      tr.append("td").attr("class", col.text ? "text" : null).text(col.value(row));
    });
  });
  return table;
}

function drawExits(parent, exits) {
  if (exits.length === 0) {
    note(parent, "No run's sched_ext scheduler exited before the end (or no run used one).");
    return;
  }
  drawTable(parent, "exits", [
    { title: "scheduler", text: true, value: function (e) { return e.label; } },
    { title: "workload", text: true, value: function (e) { return e.workload; } },
    { title: "seed", value: function (e) { return String(e.seed); } },
    { title: "kind", text: true, value: function (e) { return e.kind; } },
    { title: "reason", text: true, value: function (e) { return e.reason; } },
    { title: "message", text: true, value: function (e) { return e.msg; } },
    { title: "exit code", value: function (e) { return String(e.exitCode); } },
    { title: "time", value: function (e) { return fmtNs(e.atNs); } },
  ], exits);
}

function drawLog(parent, log) {
  if (!log || log.length === 0) {
    note(parent, "The kernel log of this run is empty.");
    return;
  }
  drawTable(parent, "kernel-log", [
    { title: "time", value: function (l) { return fmtNs(l.atNs); } },
    { title: "message", text: true, value: function (l) { return l.msg; } },
  ], log);
}

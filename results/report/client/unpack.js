// The embedded data comes packed (results/report/packed.ts): shared pid tables and slice times
// as steps and lengths. Rebuild each run's timeline in the form the drawing code reads. A run
// keeps only the names of the pids its own slices show and it had names for.

function unpackReportData(data) {
  data.runs.forEach(function (run) {
    var t = run.timeline;
    if (t === null) return;
    var table = data.taskTables[t.tasks];
    var n = t.endStepNs.length;
    var startNs = new Array(n), endNs = new Array(n);
    var end = 0;
    for (var i = 0; i < n; i++) {
      end += t.endStepNs[i];
      endNs[i] = end;
      startNs[i] = end - t.lengthNs[i];
    }
    var names = {}, groupOf = {};
    var unnamed = new Set(t.unnamed), ungrouped = new Set(t.ungrouped);
    t.pid.forEach(function (p) {
      var k = String(p);
      if (!unnamed.has(p) && table.names[k] !== undefined) names[k] = table.names[k];
      if (!ungrouped.has(p) && table.groupOf[k] !== undefined) groupOf[k] = table.groupOf[k];
    });
    run.timeline = {
      cpu: t.cpu, pid: t.pid, startNs: startNs, endNs: endNs, cls: t.cls, groupOf: groupOf,
      sampleNs: t.sampleNs, busyCpus: t.busyCpus, queued: t.queued, truncated: t.truncated,
      clippedAtNs: t.clippedAtNs, names: names,
    };
  });
  delete data.taskTables;
  return data;
}

#!/bin/bash
# Measures this machine's cost figures (docs/costs.md): builds probe.c, runs it N times
# (default 5) and prints, per figure, the lowest and the median of the N runs. The lowest is
# the least disturbed by other load; use it unless the machine is quiet. Also runs
# `perf bench sched pipe` pinned to one CPU and across two, when perf is installed.
# Usage: [RAW=file] calibrate/run.sh [runs]   (on an otherwise idle machine, CPUs 0 and 1; RAW keeps every line)
set -euo pipefail
runs=${1:-5}
here=$(cd "$(dirname "$0")" && pwd)
bin=$(mktemp -d)/probe
${CC:-clang-19} -O2 -Wall -pthread -o "$bin" "$here/probe.c"
all=$(mktemp)
for i in $(seq "$runs"); do "$bin" >> "$all"; done
# per figure: the lowest and the median of the runs (plain awk: no asort)
summarise() {
  for k in $(awk '{ print $1 }' "$1" | sort -u); do
    awk -v k="$k" '$1 == k { print $2 }' "$1" | sort -n | awk -v k="$k" -v u="$2" '{ a[NR] = $1 }
      END { printf "%-34s min %9d  median %9d %s\n", k, a[1], a[int((NR + 1) / 2)], u }'
  done
}
summarise "$all" "ns"
if command -v perf >/dev/null; then
  perfs=$(mktemp)
  for cpus in 0 0,1; do
    for i in $(seq "$runs"); do taskset -c "$cpus" perf bench sched pipe -l 100000 2>/dev/null | awk -v c="$cpus" '/usecs\/op/ { print "perf_bench_sched_pipe_cpus_" c, $1 * 1000 }'; done
  done > "$perfs"
  summarise "$perfs" "ns per round trip"
  rm -f "$perfs"
fi
[ -n "${RAW:-}" ] && cp "$all" "$RAW"
rm -f "$all" "$bin"

#!/usr/bin/env bash
# CPU and context switches per silo thread (by the runtime's thread names) over a window inside a
# delivery benchmark's measurement, from /proc/PID/task/*/{stat,status}.
#   bench/profile/threads.sh SECONDS -- <delivery benchmark options>
# e.g. bench/profile/threads.sh 20 -- --mode postgres --pg CONN --silos 3 --rate 1000 --completions 30000
# Prints the table, then the benchmark's JSON line. Build first (bench/run.sh does).
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=$1; shift 2
log=$(mktemp); snap1=$(mktemp); snap2=$(mktemp)
trap 'rm -f "$log" "$snap1" "$snap2"' EXIT
. bench/profile/measuring.sh
start_measured_bench "$log" "$@"
snap() {
  for pid in $(pgrep -f CIOPulse.Silo.dll); do
    for task in /proc/"$pid"/task/*; do
      stat=$(cat "$task/stat" 2>/dev/null) || continue
      ticks=$(echo "${stat##*) }" | awk '{print $12 + $13}')
      echo "$pid ${task##*/} $ticks $(awk '/^voluntary_ctxt/{v=$2} /^nonvoluntary_ctxt/{n=$2} END{print v, n}' "$task/status") $(cat "$task/comm")"
    done
  done
}
snap >"$snap1"; sleep "$secs"; snap >"$snap2"
python3 - "$snap1" "$snap2" <<'PY'
import collections, sys
def load(path):
    rows = {}
    for line in open(path):
        pid, tid, ticks, vol, invol, name = line.rstrip("\n").split(" ", 5)
        rows[(pid, tid)] = (int(ticks), int(vol), int(invol), name)
    return rows
before, after = load(sys.argv[1]), load(sys.argv[2])
by_name = collections.defaultdict(lambda: [0, 0, 0, 0])
for key, (ticks, vol, invol, name) in after.items():
    t0, v0, n0, _ = before.get(key, (0, 0, 0, name))
    row = by_name[name]
    row[0] += ticks - t0; row[1] += vol - v0; row[2] += invol - n0; row[3] += 1
print("thread name          threads  CPU s  voluntary  involuntary")
for name, (ticks, vol, invol, threads) in sorted(by_name.items(), key=lambda kv: -kv[1][0]):
    if ticks or vol > 100:
        print(f"{name:20s} {threads:7d} {ticks / 100:6.2f} {vol:10d} {invol:12d}")
total = [sum(row[i] for row in by_name.values()) for i in range(3)]
print(f"{'all':20s} {'':7s} {total[0] / 100:6.2f} {total[1]:10d} {total[2]:12d}")
PY
wait "$bench"
grep '^{' "$log" | tail -1

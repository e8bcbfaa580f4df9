#!/usr/bin/env bash
# A system-wide perf profile (call stacks, JIT frames named through perf maps) over a window inside a
# delivery benchmark's measurement, then the silo processes' samples by what their stacks contain.
#   bench/profile/perf.sh OUT SECONDS -- <delivery benchmark options>
# Writes OUT.data (perf record) and OUT.txt (perf script); prints the categories and the JSON line.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$1; secs=$2; shift 3
log=$(mktemp)
trap 'rm -f "$log"' EXIT
DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 \
  dotnet bench/CIOPulse.Bench/bin/Release/net10.0/CIOPulse.Bench.dll delivery "$@" >"$log" 2>&1 &
bench=$!
until grep -q "^measuring" "$log"; do
  kill -0 "$bench" 2>/dev/null || { cat "$log"; exit 1; }
  sleep 0.5
done
sleep 2
pids=$(pgrep -d, -f CIOPulse.Silo.dll)
perf record -a -g -F 999 -o "$out.data" -- sleep "$secs" >/dev/null 2>&1
perf script -F comm,pid,tid,ip,sym,dso -i "$out.data" >"$out.txt" 2>/dev/null
python3 bench/profile/categories.py "$out.txt" "$pids"
wait "$bench"
grep '^{' "$log" | tail -1

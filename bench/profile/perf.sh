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
. bench/profile/measuring.sh
DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 start_measured_bench "$log" "$@"
pids=$(pgrep -d, -f CIOPulse.Silo.dll)
perf record -a -g -F 999 -o "$out.data" -- sleep "$secs" >/dev/null 2>&1
perf script -F comm,pid,tid,ip,sym,dso -i "$out.data" >"$out.txt" 2>/dev/null
python3 bench/profile/categories.py "$out.txt" "$pids"
wait "$bench"
grep '^{' "$log" | tail -1

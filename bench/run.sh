#!/usr/bin/env bash
# The standard benchmark set (issue 4): embedded and PostgreSQL modes; saturation (100,000
# completions at concurrency 64), fixed rates (50/s, 200/s, 1,000/s), and a retry scenario (every
# first attempt fails, retry delays 1 s). Each case runs RUNS times (default 3); the summary shows
# medians. Raw JSON lines go to bench/results/RESULTS.jsonl, the table to bench/results/RESULTS.md.
#   bench/run.sh                      everything
#   QUICK=1 bench/run.sh              a smaller set (10,000-completion saturation, 1 run)
# The Hangfire baseline of issue 4 (bench/HangfireBaseline) runs in place of the silo with
# `delivery --mode postgres --target hangfire` (after `dotnet build -c Release bench/HangfireBaseline`);
# its JSON lines carry "target": "hangfire".
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${RUNS:-3}
saturation=${SATURATION:-100000}
if [ -n "${QUICK:-}" ]; then runs=1; saturation=10000; fi
stamp=$(date -u +%Y-%m-%dT%H%M)
out=bench/results/$stamp.jsonl

dotnet build -c Release src/Silo >/dev/null
dotnet build -c Release bench/CIOPulse.Bench >/dev/null
bench() { dotnet bench/CIOPulse.Bench/bin/Release/net10.0/CIOPulse.Bench.dll delivery "$@"; }

data=$(mktemp -d "${TMPDIR:-/tmp}/ciopulse-bench-pg.XXXXXX")
trap 'scripts/postgres.sh stop "$data"; rm -rf "$data"' EXIT
pg=$(scripts/postgres.sh start "$data" "${CIOPULSE_BENCH_PG_PORT:-55471}")

for mode in embedded postgres; do
  for run in $(seq "$runs"); do
    bench --mode "$mode" --pg "$pg" --label saturation --completions "$saturation" --concurrency 64 | tee -a "$out"
    for rate in 50 200 1000; do
      bench --mode "$mode" --pg "$pg" --label "rate-$rate" --rate "$rate" --completions $((rate * 20)) | tee -a "$out"
    done
    bench --mode "$mode" --pg "$pg" --label retry --completions 5000 --concurrency 32 --fail-first 1 --retry-delay 1 | tee -a "$out"
  done
done

python3 bench/summarize.py "$out" > "bench/results/$stamp.md"
cat "bench/results/$stamp.md"

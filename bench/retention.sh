#!/usr/bin/env bash
# The retention sweep's cost (bench/README.md, "Retention"): a private PostgreSQL, one silo process,
# RUNS runs (default 3) of `CIOPulse.Bench retention`; one JSON line each, appended to
# bench/results/retention-<date>.jsonl. Arguments go to the benchmark (e.g. --old 20000 --load 8000).
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build CIOPulse.sln -c Release -v quiet -nologo >&2
data=$(mktemp -d "${TMPDIR:-/tmp}/ciopulse-bench-pg.XXXXXX")
trap 'scripts/postgres.sh stop "$data"; rm -rf "$data"' EXIT
pg=$(scripts/postgres.sh start "$data" "${CIOPULSE_BENCH_PG_PORT:-55472}")
mkdir -p bench/results
out="bench/results/retention-$(date -u +%Y-%m-%dT%H%M).jsonl"
for run in $(seq 1 "${RUNS:-3}"); do
  dotnet bench/CIOPulse.Bench/bin/Release/net10.0/CIOPulse.Bench.dll retention --pg "$pg" --label "run-$run" "$@" | tee -a "$out"
done
echo "results: $out" >&2

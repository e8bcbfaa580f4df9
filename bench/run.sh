#!/usr/bin/env bash
# The standard benchmark set (issue 4): embedded and PostgreSQL modes; saturation (100,000
# completions at concurrency 64), fixed rates (50/s, 200/s, 1,000/s), and a retry scenario (every
# first attempt fails, retry delays 1 s). Each case runs RUNS times (default 3); the summary shows
# medians. Raw JSON lines go to bench/results/RESULTS.jsonl, the table to bench/results/RESULTS.md.
#   bench/run.sh                      everything
#   QUICK=1 bench/run.sh              a smaller set (1 run; saturation 10,000 completions, scale-out
#                                     10,000, Hangfire saturation 1,000)
#   SCALEOUT_ONLY=1 bench/run.sh      only the scale-out cases
#   CORE=1 bench/run.sh               issue 15's core set: per round the ceiling, embedded and
#                                     PostgreSQL saturation (SATURATION, default 20,000, at c64),
#                                     PostgreSQL at 200/s, and the Hangfire baseline's saturation,
#                                     each after a first round of 5,000 (then until the JIT settles)
# Every case's load is what users send (issue 15): 4 accounts, each with Basic auth on and its own
# destination, comments that need escaping and carry non-ASCII text. Each round starts with the
# no-persistence ceiling (bench/Ceiling: read, build, POST, nothing stored), so every figure of the
# round has the ceiling beside it.
# Then one and three silos at the same 1,000/s, and three separate one-silo clusters as the control
# without cross-silo calls (SCALEOUT completions each, default 30,000; SKIP_SCALEOUT=1 leaves them
# out), and the Hangfire baseline (bench/HangfireBaseline: the same API subset and SPEC delivery on Hangfire 1.8 +
# Hangfire.PostgreSql) on the same database server: saturation (HANGFIRE_SATURATION completions,
# default 5,000, as it delivers a few hundred a second), 50/s and the retry case; SKIP_HANGFIRE=1
# leaves it out. Its JSON lines carry "target": "hangfire"; the summary compares.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${RUNS:-3}
saturation=${SATURATION:-100000}
scaleout=${SCALEOUT:-30000}
if [ -n "${SCALEOUT_ONLY:-}" ] && [ -n "${SKIP_SCALEOUT:-}" ]; then
  echo "SCALEOUT_ONLY and SKIP_SCALEOUT together leave nothing to run" >&2
  exit 2
fi
if [ -n "${QUICK:-}" ]; then runs=1; saturation=10000; scaleout=10000; fi
if [ -n "${CORE:-}" ]; then saturation=${SATURATION:-20000}; fi
stamp=$(date -u +%Y-%m-%dT%H%M)
out=bench/results/$stamp.jsonl

dotnet build -c Release src/Silo >/dev/null
dotnet build -c Release bench/CIOPulse.Bench >/dev/null
dotnet build -c Release bench/HangfireBaseline >/dev/null
dotnet build -c Release bench/Ceiling >/dev/null
bench() { dotnet bench/CIOPulse.Bench/bin/Release/net10.0/CIOPulse.Bench.dll delivery "$@"; }

data=$(mktemp -d "${TMPDIR:-/tmp}/ciopulse-bench-pg.XXXXXX")
trap 'scripts/postgres.sh stop "$data"; rm -rf "$data"' EXIT
pg=$(scripts/postgres.sh start "$data" "${CIOPULSE_BENCH_PG_PORT:-55471}")

if [ -n "${CORE:-}" ]; then
  hangfire_saturation=${HANGFIRE_SATURATION:-5000}
  # A case that exits non-zero (errors or lost webhooks: its JSON line says which) does not stop the
  # set; the script exits non-zero at the end.
  # (bench runs inside a pipeline, a subshell: the marker file carries the failure out of it.)
  rm -f "$out.failed"
  bench() { dotnet bench/CIOPulse.Bench/bin/Release/net10.0/CIOPulse.Bench.dll delivery "$@" || touch "$out.failed"; }
  for run in $(seq "$runs"); do
    bench --target ceiling --label saturation --completions "$saturation" --concurrency 64 --warmup 5000 | tee -a "$out"
    bench --mode embedded --label saturation --completions "$saturation" --concurrency 64 --warmup 5000 | tee -a "$out"
    bench --mode postgres --pg "$pg" --label saturation --completions "$saturation" --concurrency 64 --warmup 5000 | tee -a "$out"
    bench --mode postgres --pg "$pg" --label rate-200 --rate 200 --completions 4000 --warmup 5000 | tee -a "$out"
    bench --target hangfire --mode postgres --pg "$pg" --label saturation --completions "$hangfire_saturation" --concurrency 64 --warmup 5000 | tee -a "$out"
  done
  python3 bench/summarize.py "$out" > "bench/results/$stamp.md"
  cat "bench/results/$stamp.md"
  if [ -e "$out.failed" ]; then rm -f "$out.failed"; echo "a case failed: see its JSON line" >&2; exit 1; fi
  exit 0
fi

modes="embedded postgres"
if [ -n "${SCALEOUT_ONLY:-}" ]; then modes=""; SKIP_HANGFIRE=1; fi
for run in $(seq "$runs"); do
  if [ -n "$modes" ]; then
    bench --target ceiling --label saturation --completions "$saturation" --concurrency 64 | tee -a "$out"
  fi
  for mode in $modes; do
    bench --mode "$mode" --pg "$pg" --label saturation --completions "$saturation" --concurrency 64 | tee -a "$out"
    for rate in 50 200 1000; do
      bench --mode "$mode" --pg "$pg" --label "rate-$rate" --rate "$rate" --completions $((rate * 20)) | tee -a "$out"
    done
    bench --mode "$mode" --pg "$pg" --label retry --completions 5000 --concurrency 32 --fail-first 1 --retry-delay 1 | tee -a "$out"
  done
done

# Scale-out: the same offered load (1,000/s) on one silo and on three (issue 4's efficiency target).
if [ -z "${SKIP_SCALEOUT:-}" ]; then
  for run in $(seq "$runs"); do
    for silos in 1 3; do
      bench --mode postgres --pg "$pg" --label "scaleout-$silos" --silos "$silos" --rate 1000 --completions "$scaleout" | tee -a "$out"
    done
    # The control: three one-silo clusters behind the same generator, so no cross-silo calls.
    bench --mode postgres --pg "$pg" --label scaleout-3-separate --silos 3 --clusters separate --rate 1000 --completions "$scaleout" | tee -a "$out"
  done
fi

if [ -z "${SKIP_HANGFIRE:-}" ]; then
  hangfire_saturation=${HANGFIRE_SATURATION:-5000}
  if [ -n "${QUICK:-}" ]; then hangfire_saturation=1000; fi
  for run in $(seq "$runs"); do
    bench --target hangfire --mode postgres --pg "$pg" --label saturation --completions "$hangfire_saturation" --concurrency 64 | tee -a "$out"
    bench --target hangfire --mode postgres --pg "$pg" --label rate-50 --rate 50 --completions 1000 | tee -a "$out"
    bench --target hangfire --mode postgres --pg "$pg" --label retry --completions 1000 --concurrency 32 --fail-first 1 --retry-delay 1 | tee -a "$out"
  done
fi

python3 bench/summarize.py "$out" > "bench/results/$stamp.md"
cat "bench/results/$stamp.md"

#!/usr/bin/env python3
"""Medians per (mode, case) of the JSON lines that bench/run.sh collected, as a Markdown table."""
import json
import statistics
import sys
from collections import defaultdict

rows = defaultdict(list)
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.strip()
    if line.startswith("{"):
        r = json.loads(line)
        rows[(r["mode"], r["label"])].append(r)


def med(runs, key, sub=None):
    values = [(r[key][sub] if sub else r[key]) for r in runs]
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(v, digits=0):
    return "–" if v is None else f"{v:,.{digits}f}"


first = next(iter(rows.values()))[0]
print(f"Run {first['date']} on {first['machine']}; medians of {max(len(v) for v in rows.values())} runs.\n")
print("| mode | case | offered | delivered/s | p50 ms | p95 ms | p99 ms | max ms | lost | dup | errors | silo CPU ms/delivery | silo peak RSS MiB | DB tx/delivery |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for (mode, label), runs in rows.items():
    r0 = runs[0]
    offered = f"{r0['offeredRatePerSec']:.0f}/s" if r0["offeredRatePerSec"] else f"{r0['completions']:,} @ c{r0['concurrency']}"
    errors = sum(sum(r["errorsByStatus"].values()) for r in runs)
    print(f"| {mode} | {label} | {offered} | {fmt(med(runs, 'deliveredPerSec'))} | {fmt(med(runs, 'latencyMs', 'p50'), 1)} | "
          f"{fmt(med(runs, 'latencyMs', 'p95'), 1)} | {fmt(med(runs, 'latencyMs', 'p99'), 1)} | {fmt(med(runs, 'latencyMs', 'max'), 1)} | "
          f"{sum(r['lost'] for r in runs)} | {sum(r['duplicates'] for r in runs)} | {errors} | {fmt(med(runs, 'siloCpuMsPerDelivery'), 2)} | "
          f"{fmt(med(runs, 'siloPeakRssMiB'))} | {fmt(med(runs, 'dbTransactionsPerDelivery'), 2)} |")

#!/usr/bin/env python3
"""Medians per (target, mode, case) of the JSON lines that bench/run.sh collected, as Markdown tables:
CIOPulse on PostgreSQL against the Hangfire baseline where both ran a case, and three silos (and
three separate one-silo clusters) against one where the scale-out cases ran, and every saturation
figure as a share of the no-persistence ceiling's (bench/Ceiling) where it ran."""
import json
import statistics
import sys
from collections import defaultdict

rows = defaultdict(list)
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.strip()
    if line.startswith("{"):
        r = json.loads(line)
        rows[(r.get("target", "ciopulse"), r["mode"], r["label"])].append(r)


def med(runs, key, sub=None):
    values = [(r[key][sub] if sub else r[key]) for r in runs]
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(v, digits=0):
    return "–" if v is None else f"{v:,.{digits}f}"


first = next(iter(rows.values()))[0]
print(f"Run {first['date']} on {first['machine']}; medians of {max(len(v) for v in rows.values())} runs (lost, dup and errors: totals over them).\n")
print("| target | mode | case | offered | delivered/s | p50 ms | p95 ms | p99 ms | max ms | lost | dup | errors | silo CPU ms/delivery | silo peak RSS MiB | DB tx/delivery |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for (target, mode, label), runs in rows.items():
    r0 = runs[0]
    offered = f"{r0['offeredRatePerSec']:.0f}/s" if r0["offeredRatePerSec"] else f"{r0['completions']:,} @ c{r0['concurrency']}"
    errors = sum(sum(r["errorsByStatus"].values()) for r in runs)
    print(f"| {target} | {mode} | {label} | {offered} | {fmt(med(runs, 'deliveredPerSec'))} | {fmt(med(runs, 'latencyMs', 'p50'), 1)} | "
          f"{fmt(med(runs, 'latencyMs', 'p95'), 1)} | {fmt(med(runs, 'latencyMs', 'p99'), 1)} | {fmt(med(runs, 'latencyMs', 'max'), 1)} | "
          f"{sum(r['lost'] for r in runs)} | {sum(r['duplicates'] for r in runs)} | {errors} | {fmt(med(runs, 'siloCpuMsPerDelivery'), 2)} | "
          f"{fmt(med(runs, 'siloPeakRssMiB'))} | {fmt(med(runs, 'dbTransactionsPerDelivery'), 2)} |")

ceiling = rows.get(("ceiling", "embedded", "saturation"))
if ceiling:
    print("\nSaturation against the no-persistence ceiling (read, build, POST; nothing stored) and the Hangfire baseline, same runs; ratios of medians.\n")
    print("| target | mode | delivered/s | ÷ ceiling | × Hangfire | p99 ms | silo CPU ms/delivery |")
    print("|---|---|---|---|---|---|---|")
    top = med(ceiling, "deliveredPerSec")
    hangfire = rows.get(("hangfire", "postgres", "saturation"))
    low = med(hangfire, "deliveredPerSec") if hangfire else None
    for (target, mode, label), runs in rows.items():
        if label == "saturation":
            rate = med(runs, "deliveredPerSec")
            print(f"| {target} | {mode} | {fmt(rate)} | {fmt(rate / top if rate and top else None, 2)} | "
                  f"{fmt(rate / low if rate and low else None, 1)} | {fmt(med(runs, 'latencyMs', 'p99'), 1)} | {fmt(med(runs, 'siloCpuMsPerDelivery'), 2)} |")

pairs = [(label, runs, rows[("hangfire", "postgres", label)]) for (target, mode, label), runs in rows.items()
         if target == "ciopulse" and mode == "postgres" and ("hangfire", "postgres", label) in rows]
if pairs:
    print("\nCIOPulse (PostgreSQL mode) against the Hangfire baseline, same machine and database server; ratios of medians.\n")
    print("| case | delivered/s | × | p99 ms | ÷ | CPU ms/delivery | ÷ | DB tx/delivery | ÷ |")
    print("|---|---|---|---|---|---|---|---|---|")
    for label, ours, theirs in pairs:
        def cell(key, sub=None, digits=0):
            a, b = med(ours, key, sub), med(theirs, key, sub)
            ratio = (a / b if key == "deliveredPerSec" else b / a) if a and b else None
            return f"{fmt(a, digits)} vs {fmt(b, digits)} | {fmt(ratio, 1)}"
        print(f"| {label} | {cell('deliveredPerSec')} | {cell('latencyMs', 'p99', 1)} | {cell('siloCpuMsPerDelivery', digits=2)} | "
              f"{cell('dbTransactionsPerDelivery', digits=2)} |")

one, three = rows.get(("ciopulse", "postgres", "scaleout-1")), rows.get(("ciopulse", "postgres", "scaleout-3"))
separate = rows.get(("ciopulse", "postgres", "scaleout-3-separate"), [])  # med([]) is None: "–"
if one and three:
    print("\nThree silos against one at the same offered load; medians, ratio three ÷ one (target ≤ 1.25). "
          "Three separate one-silo clusters under the same load split the same way: the cost of three processes without cross-silo calls.\n")
    print("| measure | one silo | three silos | ratio | three separate clusters | ratio |")
    print("|---|---|---|---|---|---|")
    for name, key in (("silo CPU ms per 1,000 deliveries", "siloCpuMsPer1000Deliveries"), ("whole-machine CPU ms per delivery", "machineCpuMsPerDelivery")):
        a, b, c = med(one, key), med(three, key), med(separate, key)
        print(f"| {name} | {fmt(a, 2)} | {fmt(b, 2)} | {fmt(b / a if a and b else None, 2)} | {fmt(c, 2)} | {fmt(c / a if a and c else None, 2)} |")
    deviation = max(max(abs(s - statistics.mean(r["deliveriesPerSilo"])) for s in r["deliveriesPerSilo"]) / statistics.mean(r["deliveriesPerSilo"]) for r in three)
    print(f"| largest deviation of a silo's share from an even split (any run) | – | {deviation:.1%} | – | – | – |")

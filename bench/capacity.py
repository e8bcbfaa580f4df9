#!/usr/bin/env python3
"""What a cluster needs for a given webhook rate, from the JSON lines of bench/run.sh (docs/capacity.md).

    python3 bench/capacity.py RESULTS.jsonl [--rates 1000,10000,100000] [--retention-days 90]
        [--fixed-rate-from OTHER.jsonl] [--retention-results RETENTION.jsonl] [assumptions]

Takes the medians of the CIOPulse PostgreSQL-mode runs labelled `saturation` and `rate-200` (one
silo), and prints Markdown: the measured inputs, then per rate the silo cores and silos, the
commits/s and WAL at the database, the storage growth, and the retention sweep's share. Every
figure that is not measured is an option of this script, printed as an assumption.
`--fixed-rate-from` takes the rate-200 runs from another file (a set without them, such as the
transcribed sample); `--retention-results` reads `bench/retention.sh` lines for the sweep's cost.
"""
import argparse
import json
import math
import statistics
import sys

# What happens to each table's rows (migrations in src/Persistence.Postgres/Migrations).
RETAINED = {
    "grain_state": "one row per webhook (its state: payload, attempts); kept after the retention with the payload and response bodies removed",
    "webhook_log": "one current row version per webhook, kept after the retention marked expired; replaced versions are deleted 70 min after (WebhookLogPruner)",
}
CHURN = {
    "orleansreminderstable": "a row only while a webhook has work due, deleted when it finishes: the growth is dead rows until vacuum, not kept data",
}
PER_ACCOUNT = {
    "webhook_attempts_hourly": "one row per account and hour, kept 8 days: its size follows accounts × hours, not the webhook rate, so it is not part of the bytes kept per webhook",
}

GB = 1e9
MB = 1e6


def load(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.lstrip().startswith("{")]


def postgres_runs(rows, label):
    return [r for r in rows
            if r.get("target", "ciopulse") == "ciopulse" and r.get("mode") == "postgres"
            and r.get("label") == label and (r.get("silos") or 1) == 1]


def values(runs, key, sub=None):
    found = [(r.get(key) or {}).get(sub) if sub else r.get(key) for r in runs]
    return [v for v in found if v is not None]


def median(runs, key, sub=None):
    found = values(runs, key, sub)
    return statistics.median(found) if found else None


def fmt(v, digits=0):
    return "–" if v is None else f"{v:,.{digits}f}"


def runs_cell(runs, key, sub=None, digits=0):
    found = values(runs, key, sub)
    return ", ".join(fmt(v, digits) for v in found) if found else "not recorded"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("results")
    p.add_argument("--rates", default="1000,10000,100000", help="webhooks delivered per second to size for")
    p.add_argument("--retention-days", type=float, default=90.0, help="Webhooks:RetentionDays")
    p.add_argument("--fixed-rate-from", help="take the rate-200 runs from this file instead")
    p.add_argument("--retention-results", help="bench/retention.sh JSON lines: the sweep's cost")
    p.add_argument("--max-core-use", type=float, default=0.7, help="assumption: share of each core the silos may use")
    p.add_argument("--cores-per-silo", type=int, default=8, help="assumption: cores of one silo host")
    p.add_argument("--cpu-factor", type=float, default=1.0,
                   help="multiplies the silo CPU per delivery (e.g. for cross-silo calls, which one silo does not make)")
    p.add_argument("--commit-cycle-ms", type=float, default=1.0,
                   help="assumption: the shortest time from one group commit's start to the next on the target primary")
    p.add_argument("--primary-wal-mbps", type=float, default=100.0, help="assumption: WAL MB/s one primary (and its standby, archive) sustains")
    p.add_argument("--primary-commits-per-sec", type=float, default=20000.0, help="assumption: commits/s one primary sustains")
    p.add_argument("--primary-disk-tb", type=float, default=10.0, help="assumption: the data disk of one primary, TB")
    a = p.parse_args()
    rates = [float(r) for r in a.rates.split(",")]

    rows = load(a.results)
    saturation = postgres_runs(rows, "saturation")
    fixed_source = a.fixed_rate_from or a.results
    rate200 = postgres_runs(load(fixed_source), "rate-200")
    if not saturation:
        sys.exit(f"{a.results}: no CIOPulse PostgreSQL saturation run (one silo) to size from")

    sat_rate = median(saturation, "deliveredPerSec")
    cpu = median(saturation, "siloCpuMsPerDelivery") * a.cpu_factor
    tx_sat = median(saturation, "dbTransactionsPerDelivery")
    tx_200 = median(rate200, "dbTransactionsPerDelivery")
    # WAL and table growth: the larger of the two cases' medians where both recorded them.
    wal = max(filter(None, [median(saturation, "walBytesPerDelivery"), median(rate200, "walBytesPerDelivery")]), default=None)
    recorded = sorted({t for r in saturation + rate200 for t in (r.get("tableBytesPerDelivery") or {})})
    # Tables that grew in no run (membership, migrations, the unused Orleans storage table) are named once, not listed.
    tables = [t for t in recorded if any(values(saturation + rate200, "tableBytesPerDelivery", t))]
    still = [t for t in recorded if t not in tables]
    table_bytes = {t: max(filter(lambda v: v is not None, [median(saturation, "tableBytesPerDelivery", t), median(rate200, "tableBytesPerDelivery", t)]), default=None)
                   for t in tables}
    retained = sum(table_bytes.get(t) or 0 for t in RETAINED) if any(t in table_bytes for t in RETAINED) else None

    first = saturation[0]
    print(f"### Inputs\n\nFrom `{a.results}` ({first.get('date', '?')}, {first.get('machine', '?')}); "
          + (f"rate-200 runs from `{fixed_source}`" if a.fixed_rate_from else "its rate-200 runs too")
          + ("" if rate200 else " (none found: the upper bound of commits/s cannot be given)") + ". "
          + ("**Transcribed by hand, not raw bench output.** " if any(r.get("transcribed") for r in saturation + rate200) else "")
          + "CIOPulse, PostgreSQL mode, one silo; medians, each run's value beside.\n")
    print("| figure | case | runs | median | each run |")
    print("|---|---|---|---|---|")

    def row(name, runs, case, key, sub=None, digits=0):
        print(f"| {name} | {case} | {len(values(runs, key, sub))} | {fmt(median(runs, key, sub), digits)} | {runs_cell(runs, key, sub, digits)} |")

    row("delivered/s", saturation, "saturation", "deliveredPerSec")
    row("silo CPU ms per delivery", saturation, "saturation", "siloCpuMsPerDelivery", digits=2)
    row("silo CPU ms per delivery (context: idle wake-ups at low load; not used)", rate200, "rate-200", "siloCpuMsPerDelivery", digits=2)
    row("DB transactions per delivery", saturation, "saturation", "dbTransactionsPerDelivery", digits=2)
    row("DB transactions per delivery", rate200, "rate-200", "dbTransactionsPerDelivery", digits=2)
    for case, runs in (("saturation", saturation), ("rate-200", rate200)):
        row("WAL bytes per delivery (pg_stat_wal)", runs, case, "walBytesPerDelivery")
        for t in tables:
            row(f"`{t}` bytes per delivery (with indexes, TOAST)", runs, case, "tableBytesPerDelivery", t)
    sweep = [r for r in load(a.retention_results) if r.get("benchmark") == "retention"] if a.retention_results else []
    if sweep:
        row(f"expired/s, sweep alone (`{a.retention_results}`)", sweep, "retention", "expiredPerSecond")
        row("silo CPU ms per webhook expired", sweep, "retention", "siloCpuMsPerExpired", digits=3)
    for target, mode in (("ceiling", "embedded"), ("ciopulse", "embedded")):
        context = [r for r in rows if r.get("target", "ciopulse") == target and r.get("mode") == mode and r.get("label") == "saturation"]
        if context:
            name = "no-persistence ceiling" if target == "ceiling" else "embedded (in-memory)"
            row(f"context, {name}: delivered/s", context, "saturation", "deliveredPerSec")
            row(f"context, {name}: silo CPU ms per delivery", context, "saturation", "siloCpuMsPerDelivery", digits=2)

    if still:
        print(f"\nTables that did not grow in any run (0 bytes per delivery): {', '.join(f'`{t}`' for t in still)}.")

    per_silo_full = a.cores_per_silo * a.max_core_use * 1000 / cpu
    print("\nAssumptions (not measured here; each is an option):\n")
    print(f"- cores run at ≤ {a.max_core_use:.0%} (`--max-core-use`); {a.cores_per_silo} cores per silo (`--cores-per-silo`), "
          f"so one silo carries {fmt(per_silo_full)} webhooks/s: the CPU per delivery of one silo on 2 shared cores, taken as linear in cores")
    if a.cpu_factor != 1.0:
        print(f"- silo CPU per delivery × {a.cpu_factor} (`--cpu-factor`)")
    print(f"- a silo's group commit has one transaction in flight at a time (GroupCommit.cs), and the target primary "
          f"starts the next at best {a.commit_cycle_ms} ms after the last (`--commit-cycle-ms`): at most {fmt(1000 / a.commit_cycle_ms)} commits/s per silo")
    print(f"- one primary sustains {fmt(a.primary_wal_mbps)} MB/s of WAL (`--primary-wal-mbps`), "
          f"{fmt(a.primary_commits_per_sec)} commits/s (`--primary-commits-per-sec`), a {fmt(a.primary_disk_tb)} TB disk (`--primary-disk-tb`)")
    print(f"- retention {fmt(a.retention_days)} days (`--retention-days`); MB and GB are 10^6 and 10^9 bytes")

    print("\n### Silos and the database, per rate\n")
    print(f"Silo cores = rate × {cpu:.2f} ms ÷ 1000 ÷ {a.max_core_use}. Commits/s: *batched* is rate × {fmt(tx_sat, 2)} "
          f"(the saturation run's transactions per delivery, the most a group commit batched here); *upper bound* is per silo "
          f"min(its rate × {fmt(tx_200, 2)} (the 200/s run's: a silo carrying more batches more), {fmt(1000 / a.commit_cycle_ms)}) × silos. "
          "Transactions per delivery fall as a silo's load rises, so the truth lies between; the database is sized for the upper bound.\n")
    print("| webhooks/s | silo cores | silos | per silo /s | commits/s batched | commits/s upper bound | WAL MB/s | WAL GB/day |")
    print("|---|---|---|---|---|---|---|---|")
    notes = set()
    for rate in rates:
        cores = rate * cpu / 1000 / a.max_core_use
        silos = max(1, math.ceil(cores / a.cores_per_silo))
        per_silo = rate / silos
        batched = rate * tx_sat if tx_sat is not None else None
        upper = silos * min(per_silo * tx_200, 1000 / a.commit_cycle_ms) if tx_200 is not None else None
        mark = ""
        if per_silo < 200:
            mark = " ¹"
            notes.add("¹ below 200/s per silo, transactions per delivery rise further as the load falls (3.11 at 50/s in bench/results/2026-11-29T1339.md); the upper bound is low")
        elif per_silo > sat_rate:
            mark = " ²"
            notes.add(f"² above the {fmt(sat_rate)}/s measured on one silo here: batches at least as full as at saturation only if the primary's commit cycle is no shorter than here ({fmt(1000 / (sat_rate * tx_sat), 1) if tx_sat else '–'} ms)")
        capped = ""
        if batched is not None and upper is not None and batched > upper:
            capped = " ³"
            notes.add("³ more than the assumed commit cycle lets the silos make: their batches would be fuller than at saturation here, and the upper bound holds")
        print(f"| {fmt(rate)} | {fmt(cores, 1)} | {silos} (+1 to lose one) | {fmt(per_silo)}{mark} | {fmt(batched)}{capped} | {fmt(upper)} | "
              f"{fmt(rate * wal / MB if wal else None, 1)} | {fmt(rate * wal * 86400 / GB if wal else None)} |")
    for note in sorted(notes):
        print(f"\n{note}")

    print("\n### Storage, per rate\n")
    if retained is None:
        print("No table growth recorded in these runs (PostgreSQL runs record it since 458f499).")
    else:
        print(f"Kept per webhook: {' + '.join(f'`{t}` {fmt(table_bytes[t])}' for t in RETAINED if t in table_bytes)} = {fmt(retained)} bytes, "
              "an upper bound: a short run's growth also holds the rows' replaced versions, not yet vacuumed or pruned. "
              "The retention removes the payload and the response bodies but deletes no row, so the database does not level off: "
              "after the retention it still grows by each day's webhooks at their expired size, which no benchmark has measured "
              "(≤ the full size below, so the last column is an upper bound).\n")
        print(f"| webhooks/s | kept GB/day | at {fmt(a.retention_days)} days, TB | each later day ≤ GB | days until {fmt(a.primary_disk_tb)} TB full, ≥ |")
        print("|---|---|---|---|---|")
        for rate in rates:
            per_day = rate * 86400 * retained
            print(f"| {fmt(rate)} | {fmt(per_day / GB)} | {fmt(per_day * a.retention_days / 1e12, 1)} | {fmt(per_day / GB)} | "
                  f"{fmt(a.primary_disk_tb * 1e12 / per_day, 1)} |")
        for t, why in CHURN.items():
            if table_bytes.get(t) is not None:
                print(f"\n`{t}` grew {fmt(table_bytes[t])} bytes per delivery in these runs: {why}.")
        for t in tables:
            if t not in RETAINED and t not in CHURN and table_bytes[t]:
                why = PER_ACCOUNT.get(t, "not counted in the bytes kept per webhook")
                print(f"\n`{t}` grew {fmt(table_bytes[t])} bytes per delivery in these short runs: {why}.")

    print("\n### Where one primary stops, by the assumptions\n")
    if wal:
        print(f"- WAL: {fmt(a.primary_wal_mbps * MB / wal)} webhooks/s at {fmt(a.primary_wal_mbps)} MB/s and {fmt(wal)} bytes each "
              "(the larger of the saturation and 200/s medians)")
    if tx_sat:
        print(f"- commits, batched as at saturation: {fmt(a.primary_commits_per_sec / tx_sat)} webhooks/s")
    if tx_200:
        effective = min(tx_200, 1000 / (a.commit_cycle_ms * per_silo_full))
        print(f"- commits, upper bound ({a.cores_per_silo}-core silos, {fmt(effective, 3)} per delivery): "
              f"{fmt(a.primary_commits_per_sec / effective)} webhooks/s")
    if retained:
        print(f"- disk: {fmt(a.primary_disk_tb * 1e12 / (86400 * retained * a.retention_days))} webhooks/s fill {fmt(a.primary_disk_tb)} TB "
              f"in {fmt(a.retention_days)} days of full rows (upper bound of the bytes, so a lower bound of the rate), and every rate fills it in time")

    if sweep:
        expired_per_s = median(sweep, "expiredPerSecond")
        expire_cpu = median(sweep, "siloCpuMsPerExpired")
        print("\n### The retention sweep\n")
        print(f"After the first {fmt(a.retention_days)} days the sweep must expire as many webhooks a second as are delivered. "
              f"With a backlog it works continuously (a stretch of Webhooks:RetentionSweepTickBudget, then the next 100 ms later), "
              f"so its rate is the measured {fmt(expired_per_s)}/s of one sweep grain with 16 expiries in flight. "
              f"Its commits and WAL are not measured.\n")
        print("| webhooks/s | sweep silo cores | one sweep grain keeps up |")
        print("|---|---|---|")
        for rate in rates:
            print(f"| {fmt(rate)} | {fmt(rate * expire_cpu / 1000 / a.max_core_use, 1)} | "
                  f"{'yes' if expired_per_s >= rate else 'no: ' + fmt(rate / expired_per_s, 2) + ' × its measured rate needed'} |")

if __name__ == "__main__":
    main()

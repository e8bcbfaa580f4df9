#!/usr/bin/env python3
"""Samples of the given processes in a `perf script -F comm,pid,tid,ip,sym,dso` dump, by the first
category whose name appears anywhere in the sample's stack. An async continuation carries its
caller's frames, so a category also holds what ran on inline after it (e.g. after a remote
directory registration returned).
usage: categories.py PERF_SCRIPT.txt PID[,PID...]"""
import collections
import re
import sys

CATEGORIES = [
    ("exceptions", ["EH::", "ExceptionDispatchInfo::Throw"]),
    ("GetGrain reflection", ["GrainInterfaceTypeResolver", "CustomAttribute::GetCustomAttributes"]),
    ("reminder service", ["ReminderService"]),
    ("grain directory", ["GrainDirectory", "DhtGrainLocator", "GrainLocator"]),
    ("Orleans messaging: receive", ["MessageSerializer::TryRead", "Connection+<ProcessIncoming"]),
    ("Orleans messaging: send", ["MessageSerializer::Write", "ProcessOutgoing"]),
    ("Kestrel", ["Kestrel"]),
    ("HttpClient", ["System.Net.Http"]),
    ("Npgsql", ["Npgsql"]),
    ("grain and provider code", ["CIOPulse.Grains", "CIOPulse.Silo"]),
    ("Orleans activation", ["ActivationData", "Catalog", "ActivationCollector", "GrainActivator"]),
    ("Orleans, other", ["Orleans"]),
    ("thread-pool dispatch and wait", ["LowLevelLifoSemaphore", "PortableThreadPool", "ThreadPoolWorkQueue::Dispatch"]),
    ("socket engine", ["SocketAsyncEngine"]),
]


def samples(path, pids):
    pid, stack = None, []
    for line in open(path, errors="replace"):
        if not line.strip():
            if pid in pids:
                yield stack
            pid, stack = None, []
        elif not line.startswith(("\t", " ")):
            match = re.match(r"(.*?)\s+(\d+)/(\d+)", line.strip())
            pid = match.group(2) if match else None
        else:
            stack.append(line.strip())
    if pid in pids:
        yield stack


def category(stack):
    text = " | ".join(stack)
    return next((name for name, keys in CATEGORIES if any(key in text for key in keys)), "other")


counts = collections.Counter(category(stack) for stack in samples(sys.argv[1], set(sys.argv[2].split(","))))
total = sum(counts.values())
for name, _ in CATEGORIES + [("other", [])]:
    print(f"{name:32s} {counts[name]:7d}  {100 * counts[name] / max(total, 1):5.1f} %")
print(f"{'all':32s} {total:7d}")

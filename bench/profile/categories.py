#!/usr/bin/env python3
"""Samples of the given processes in a `perf script -F comm,pid,tid,ip,sym,dso` dump, by the first
category whose name appears anywhere in the sample's stack. An async continuation carries its
caller's frames, so a category also holds what ran on inline after it (e.g. after a remote
directory registration returned).
With --deliveries N (the deliveries inside the profiled window) each category is also given in µs of
CPU per delivery (perf samples at 999 Hz); with --frames K the K frames of the service's own
assemblies and of the libraries on its path that are on the most stacks (inclusive), and the K
leaf functions with the most samples (self).
usage: categories.py PERF_SCRIPT.txt PID[,PID...] [--deliveries N] [--frames K]"""
import argparse
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


HZ = 999
FRAME_KEYS = ("CIOPulse", "Orleans", "Kestrel", "System.Net.Http", "System.Text.Json", "Security.Cryptography")


def frame(line):
    """A stack line's function, without its address, arguments and module."""
    name = line.split(None, 1)[1] if " " in line else line
    return re.sub(r"\(.*$", "", name).strip()[:120] or "?"


parser = argparse.ArgumentParser()
parser.add_argument("script")
parser.add_argument("pids")
parser.add_argument("--deliveries", type=float)
parser.add_argument("--frames", type=int, default=0)
args = parser.parse_args()

stacks = list(samples(args.script, set(args.pids.split(","))))
counts = collections.Counter(category(stack) for stack in stacks)
total = sum(counts.values())


def per_delivery(n):
    return f"  {1e6 * n / HZ / args.deliveries:7.1f} µs/delivery" if args.deliveries else ""


for name, _ in CATEGORIES + [("other", [])]:
    print(f"{name:32s} {counts[name]:7d}  {100 * counts[name] / max(total, 1):5.1f} %{per_delivery(counts[name])}")
print(f"{'all':32s} {total:7d}{per_delivery(total)}")

if args.frames:
    inclusive, leaf = collections.Counter(), collections.Counter()
    for stack in stacks:
        if stack:
            leaf[frame(stack[0])] += 1
        inclusive.update({frame(line) for line in stack})
    print(f"\ntop {args.frames} frames on the most stacks (inclusive)")
    for name, n in [(f, n) for f, n in inclusive.most_common() if any(k in f for k in FRAME_KEYS)][:args.frames]:
        print(f"{n:7d}  {100 * n / max(total, 1):5.1f} %{per_delivery(n)}  {name}")
    print(f"\ntop {args.frames} leaf functions (self)")
    for name, n in leaf.most_common(args.frames):
        print(f"{n:7d}  {100 * n / max(total, 1):5.1f} %{per_delivery(n)}  {name}")

"""Peak memory of each service (with its worker processes) while `newswire up --demo` codes the demo site.

Usage:
  python benchmarks/service_memory.py --duration 120

Samples the resident set size of every process under `newswire up` from /proc twice a second and sums
it per service (the cleaner's parsing pool counts towards the cleaner). The figures size the memory
requests and limits in deploy/k8s/newswire.yaml. Linux only.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

SERVICES = ("fetcher", "cleaner", "extractor")
PAGE = os.sysconf("SC_PAGE_SIZE")


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = defaultdict(list)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        tree[int(fields[1])].append(int(entry.name))
    return tree


def _rss(pid: int) -> int:
    try:
        return int((Path("/proc") / str(pid) / "statm").read_text().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


def _cmdline(pid: int) -> list[str]:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().decode().split("\0")
    except OSError:
        return []


def _descendants(pid: int, tree: dict[int, list[int]]) -> list[int]:
    found, stack = [], [pid]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(tree.get(current, []))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=120.0)
    args = parser.parse_args()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    up = subprocess.Popen(
        [sys.executable, "-m", "newswire", "up", "--demo", "--duration", str(args.duration), "--json"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    peaks: dict[str, int] = defaultdict(int)
    while up.poll() is None:
        tree = _children()
        for pid in _descendants(up.pid, tree):
            command = _cmdline(pid)
            if command[-1:] and command[-1] in SERVICES and "newswire" in command:
                total = sum(_rss(p) for p in _descendants(pid, tree))
                peaks[command[-1]] = max(peaks[command[-1]], total)
            elif any("kafka.Kafka" in part for part in command):
                peaks["broker"] = max(peaks["broker"], _rss(pid))
        time.sleep(0.5)
    events = len([line for line in (up.stdout.read() if up.stdout else b"").splitlines() if line.strip()])
    for name in (*SERVICES, "broker"):
        print(f"{name}: peak RSS {peaks[name] / 2**20:.0f} MiB")
    print(
        f"memory: {events} events over {args.duration:.0f} s; peak RSS "
        + ", ".join(f"{name} {peaks[name] / 2**20:.0f} MiB" for name in SERVICES)
    )
    return up.returncode or 0


if __name__ == "__main__":
    raise SystemExit(main())

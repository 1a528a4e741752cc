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

from chaos import descendants, process_children, rss_bytes

from newswire.common.services import SERVICE_NAMES

SERVICES = SERVICE_NAMES


def _cmdline(pid: int) -> list[str]:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().decode().split("\0")
    except OSError:
        return []


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
        tree = process_children()
        for pid in descendants(up.pid, tree):
            command = _cmdline(pid)
            if command[-1:] and command[-1] in SERVICES and "newswire" in command:
                total = sum(rss_bytes(p) for p in descendants(pid, tree))
                peaks[command[-1]] = max(peaks[command[-1]], total)
            elif any("kafka.Kafka" in part for part in command):
                peaks["broker"] = max(peaks["broker"], rss_bytes(pid))
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

"""Seconds from `LocalBroker.start()` to a broker that answers metadata requests (target: under 20 s).

    python benchmarks/broker_startup.py [--runs N]

Jars are resolved first and not timed (they are cached after the first run). Each run is timed twice: a
cold start on a fresh data dir (includes formatting the storage) and a restart on the same data dir.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from newswire.devtools.broker import LocalBroker, ensure_jars


def timed_start(broker: LocalBroker) -> float:
    began = time.perf_counter()
    broker.start()
    elapsed = time.perf_counter() - began
    broker.stop()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"jars: {ensure_jars()}")
    fresh: list[float] = []
    restart: list[float] = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="newswire-kafka-bench-") as tmp:
            broker = LocalBroker(Path(tmp))
            fresh.append(timed_start(broker))
            restart.append(timed_start(broker))
    for label, values in (("fresh data dir", fresh), ("restart", restart)):
        print(
            f"{label:>15}: median {statistics.median(values):.2f} s, max {max(values):.2f} s "
            f"over {len(values)} runs ({', '.join(f'{v:.2f}' for v in values)})"
        )


if __name__ == "__main__":
    main()

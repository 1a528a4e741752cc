"""Seconds from each service's start to its first 200 on `/readyz` (issue 11's target: within 10 s).

    python benchmarks/service_readiness.py [--rounds 2] [--bootstrap HOST:PORT]

Starts (or reuses) a local broker, creates a topic namespace of its own, then starts each service alone,
one after the other, so no start-up competes with another for the two cores, and stops it once ready. The
extractor starts first with an empty gazetteer folder (it builds the index and writes it) and then again
with the file there (it loads it), which is how every start after the first goes, and how an image's
container starts (the image carries the file). Each round repeats the whole sequence.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from pipeline_latency import wait_ready

from newswire.common.processes import terminate_all
from newswire.demo.server import DemoSite, demo_feeds_yaml
from newswire.devtools.broker import LocalBroker, free_port


def _time_to_ready(service: str, env: dict[str, str], log: Path, timeout_s: float) -> float:
    port = free_port()
    started = time.monotonic()
    with log.open("ab") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "newswire", service],
            env={**env, "NEWSWIRE_WEB__PORT": str(port)},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_ready(port, timeout_s, poll_s=0.1)
            return time.monotonic() - started
        finally:
            terminate_all([process])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bootstrap", help="use this broker instead of starting one")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="newswire-ready-"))
    broker = None
    bootstrap = args.bootstrap
    if not bootstrap:
        broker = LocalBroker(workdir / "kafka")
        bootstrap = broker.start(timeout=60)
    prefix = f"ready{uuid.uuid4().hex[:6]}"
    env = dict(
        os.environ,
        NEWSWIRE_KAFKA__BOOTSTRAP_SERVERS=bootstrap,
        NEWSWIRE_APP_PREFIX=prefix,
        NEWSWIRE_DATA_DIR=str(workdir / "data"),
        NEWSWIRE_TOPICS__FETCH_QUEUE=f"{prefix}.fetcher.urls",
        NEWSWIRE_TOPICS__RAW=f"{prefix}.articles.raw",
        NEWSWIRE_TOPICS__CLEAN=f"{prefix}.articles.clean",
        NEWSWIRE_TOPICS__EVENTS=f"{prefix}.events",
        NEWSWIRE_TOPICS__ENRICHED=f"{prefix}.articles.enriched",
        NEWSWIRE_TOPICS__INCIDENTS=f"{prefix}.incidents",
        NEWSWIRE_TOPICS__DLQ_TEMPLATE=f"{prefix}.{{service}}.dlq",
        NEWSWIRE_FETCHER__POLICY__ALLOW_PRIVATE='["127.0.0.1/32"]',
        HF_HUB_OFFLINE="1",
    )
    figures: dict[str, list[float]] = {}
    try:
        with DemoSite() as site:
            feeds = workdir / "feeds.yaml"
            feeds.write_text(demo_feeds_yaml(site.base_url), encoding="utf-8")
            env["NEWSWIRE_FETCHER__FEEDS_FILE"] = str(feeds)
            subprocess.run([sys.executable, "-m", "newswire", "topics", "create"], env=env, check=True)
            for round_number in range(args.rounds):
                cache = workdir / f"gazetteer-{round_number}"
                runs = [
                    ("fetcher", "fetcher", {}),
                    ("cleaner", "cleaner", {}),
                    ("extractor, gazetteer built (first start)", "extractor", {"GAZETTEER_CACHE_DIR": str(cache)}),
                    ("extractor, gazetteer loaded (later starts)", "extractor", {"GAZETTEER_CACHE_DIR": str(cache)}),
                    ("correlator", "correlator", {}),
                ]
                for label, service, extractor_settings in runs:
                    service_env = env | {f"NEWSWIRE_EXTRACTOR__{k}": v for k, v in extractor_settings.items()}
                    seconds = _time_to_ready(service, service_env, workdir / f"{service}.log", args.timeout)
                    figures.setdefault(label, []).append(seconds)
                    print(f"round {round_number + 1}: {label}: ready after {seconds:.1f} s", flush=True)
    finally:
        if broker is not None:
            broker.stop()
    print(f"start to /readyz, each service alone, {args.rounds} rounds (logs in {workdir}):")
    for label, rounds in figures.items():
        print(f"  {label:45s} {', '.join(f'{s:.1f}' for s in rounds)} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""End-to-end latency of the whole pipeline on the demo site: feed entry queued -> events published.

Starts (or reuses, with --bootstrap) a local Kafka broker, serves the demo site, runs the three services as
child processes in their own topic namespace, waits for every demo article's `articles.enriched` record,
and prints per-stage latencies from the Kafka record timestamps:

    python benchmarks/pipeline_latency.py [--bootstrap HOST:PORT]

The cleaner and extractor are started first and the fetcher only once both report ready, so the
per-article figures are steady-state latency; the cold start (model load) is printed on its own line.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

import orjson
from aiokafka import AIOKafkaConsumer

from newswire.common.processes import terminate_all
from newswire.demo.server import DemoSite, demo_feeds_yaml
from newswire.devtools.broker import LocalBroker, free_port


async def _read_all(bootstrap: str, topic: str, until_count: int, timeout_s: float) -> list[tuple[int, bytes]]:
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False, group_id=None
    )
    await consumer.start()
    records: list[tuple[int, bytes]] = []
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline and len(records) < until_count:
            for batch in (await consumer.getmany(timeout_ms=500)).values():
                records.extend((r.timestamp, r.value or b"") for r in batch)
    finally:
        await consumer.stop()
    return records


def _by_article(records: list[tuple[int, bytes]]) -> dict[str, int]:
    first: dict[str, int] = {}
    for timestamp, value in records:
        article = orjson.loads(value)["article_id"]
        first[article] = min(timestamp, first.get(article, timestamp))
    return first


def wait_ready(port: int, timeout_s: float, poll_s: float = 0.5) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(poll_s)
    raise TimeoutError(f"service on port {port} not ready after {timeout_s:.0f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bootstrap", help="use this broker instead of starting one")
    parser.add_argument("--timeout", type=float, default=300.0)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="newswire-bench-"))
    broker = None
    bootstrap = args.bootstrap
    if not bootstrap:
        broker = LocalBroker(workdir / "kafka")
        started = time.monotonic()
        bootstrap = broker.start(timeout=60)
        print(f"broker start-up: {time.monotonic() - started:.1f} s")
    prefix = f"bench{uuid.uuid4().hex[:6]}"
    topics = {name: f"{prefix}.{name}" for name in ("fetcher.urls", "articles.raw", "articles.clean", "events")}
    topics["articles.enriched"] = f"{prefix}.articles.enriched"
    env = dict(
        os.environ,
        NEWSWIRE_KAFKA__BOOTSTRAP_SERVERS=bootstrap,
        NEWSWIRE_APP_PREFIX=prefix,
        NEWSWIRE_DATA_DIR=str(workdir / "data"),
        NEWSWIRE_TOPICS__FETCH_QUEUE=topics["fetcher.urls"],
        NEWSWIRE_TOPICS__RAW=topics["articles.raw"],
        NEWSWIRE_TOPICS__CLEAN=topics["articles.clean"],
        NEWSWIRE_TOPICS__EVENTS=topics["events"],
        NEWSWIRE_TOPICS__ENRICHED=topics["articles.enriched"],
        NEWSWIRE_TOPICS__DLQ_TEMPLATE=f"{prefix}.{{service}}.dlq",
        NEWSWIRE_FETCHER__POLICY__ALLOW_PRIVATE='["127.0.0.1/32"]',
        NEWSWIRE_FETCHER__POLICY__PER_HOST_DELAY="0.2",
        HF_HUB_OFFLINE="1",
    )
    children: list[subprocess.Popen[bytes]] = []
    try:
        with DemoSite() as site:
            feeds = workdir / "feeds.yaml"
            feeds.write_text(demo_feeds_yaml(site.base_url), encoding="utf-8")
            env["NEWSWIRE_FETCHER__FEEDS_FILE"] = str(feeds)
            articles = len(site.article_urls())
            subprocess.run([sys.executable, "-m", "newswire", "topics", "create"], env=env, check=True)
            started = time.monotonic()
            ports = {service: free_port() for service in ("fetcher", "cleaner", "extractor")}
            for service in ("cleaner", "extractor", "fetcher"):
                if service == "fetcher":  # measure the steady state: the feed is polled once the rest is ready
                    for other in ("cleaner", "extractor"):
                        wait_ready(ports[other], args.timeout)
                    print(f"cleaner and extractor ready after {time.monotonic() - started:.1f} s (cold start)")
                log = (workdir / f"{service}.log").open("wb")
                children.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "newswire", service],
                        env={**env, "NEWSWIRE_WEB__PORT": str(ports[service])},
                        stdout=log,
                        stderr=subprocess.STDOUT,
                    )
                )
            started = time.monotonic()
            enriched = asyncio.run(_read_all(bootstrap, topics["articles.enriched"], articles, args.timeout))
            wall = time.monotonic() - started
            if len(enriched) < articles:
                print(f"only {len(enriched)} of {articles} articles arrived; logs in {workdir}", file=sys.stderr)
                return 1
            stamps = {
                name: _by_article(asyncio.run(_read_all(bootstrap, topic, articles, 30)))
                for name, topic in topics.items()
                if name != "events"
            }
            print(f"articles: {articles}; fetcher start to last enriched article: {wall:.1f} s")
            stages = [
                ("queued -> fetched (articles.raw)", "fetcher.urls", "articles.raw"),
                ("fetched -> cleaned (articles.clean)", "articles.raw", "articles.clean"),
                ("cleaned -> coded (articles.enriched)", "articles.clean", "articles.enriched"),
                ("queued -> coded, end to end", "fetcher.urls", "articles.enriched"),
            ]
            for label, start_topic, end_topic in stages:
                deltas = [
                    (stamps[end_topic][a] - stamps[start_topic][a]) / 1000
                    for a in stamps[end_topic]
                    if a in stamps[start_topic]
                ]
                print(
                    f"{label:40s} median {statistics.median(deltas):6.2f} s   max {max(deltas):6.2f} s"
                    f"   (n={len(deltas)})"
                )
    finally:
        terminate_all(children)
        if broker is not None:
            broker.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The whole pipeline's sustained throughput and latency, end to end on real article pages.

Usage:
  python benchmarks/pipeline_throughput.py ../shared/data --articles 300
  python benchmarks/pipeline_throughput.py ../shared/data --articles 300 --offered-rate 2
  python benchmarks/pipeline_throughput.py ../shared/data --extractors 2 --extractor-threads 1 --partitions 4

Builds the pages from the real news and blog pages in article-extraction/ and article-metadata/ (each
reused under several URLs to reach --articles), serves them on 127.0.0.1 behind five feeds, and runs the
fetcher, cleaner and extractor as separate processes on a broker of their own. The politeness limits
for 127.0.0.1 are raised (no per-host delay, 16 pages at a time). Without --offered-rate every page is
listed at once (throughput); with it, pages are listed at that rate (latency under a given load).
`--extractors` runs that many extractor processes in one consumer group (they split the partitions),
to measure the process layout a host of this size should run.

Prints sustained articles/s from the first fetch to the last enriched record; per-article latency p50
and p99 from Kafka record timestamps (queued on fetcher.urls -> articles.enriched); CPU seconds per
article for each service; peak RSS of each service and of the broker; and the extractor's model-only
ceiling: the same clean texts coded in-process by the extractor and, side by side, only encoded (same
backend and batching), with the ratio of the two. The last line reads
`pipeline: N articles, R articles/s, p50 X s, p99 Y s, extractor/ceiling Z`.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import os
import re
import signal
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import orjson
from chaos import Instance, LocalSite, descendants, read_topic, rss_bytes
from extractor_stages import encode_only

from newswire.devtools.broker import LocalBroker

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
DLQS = ("fetcher.dlq", "cleaner.dlq", "extractor.dlq")
_CANONICAL = re.compile(rb"""rel\s*=\s*["']?canonical["']?""", re.IGNORECASE)
_OG_URL = re.compile(rb"og:url", re.IGNORECASE)


def load_pages(data: Path) -> list[bytes]:
    paths = sorted((data / "article-extraction" / "html").glob("*.html*"))
    paths += sorted((data / "article-metadata").rglob("*.htm*"))
    pages = []
    for path in paths:
        raw = path.read_bytes()
        page = gzip.decompress(raw) if path.suffix == ".gz" else raw
        # Each page is served under several local URLs: a rel=canonical naming its original site would
        # send the fetcher there (and fold the copies into one article).
        pages.append(_OG_URL.sub(b"og:see_also", _CANONICAL.sub(b'rel="bookmark"', page)))
    return pages


class PageSite(LocalSite):
    def __init__(self, pages: list[bytes], count: int, feeds: int, rate: float | None) -> None:
        self.pages, self.count, self.feeds, self.rate = pages, count, feeds, rate
        super().__init__()

    def listed(self) -> int:
        if self.rate is None:
            return self.count
        return min(self.count, int((time.monotonic() - self.started) * self.rate) + 1)

    def route(self, path: str) -> tuple[int, dict[str, str], bytes]:
        if path.startswith("/feed/"):
            feed = int(path.removeprefix("/feed/").removesuffix(".xml"))
            items = "".join(
                f"<item><title>Page {i}</title><link>{self.base}/p/{i}</link></item>"
                for i in range(self.listed())
                if i % self.feeds == feed
            )
            body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>f{feed}</title>{items}</channel></rss>'
            return 200, {"Content-Type": "application/rss+xml"}, body.encode()
        if path.startswith("/p/"):
            index = int(path.removeprefix("/p/"))
            return 200, {"Content-Type": "text/html; charset=utf-8"}, self.pages[index % len(self.pages)]
        return 404, {}, b""


def cpu_seconds(pid: int) -> float:
    total = 0.0
    for child in descendants(pid):
        try:
            fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])) / CLOCK_TICKS
    return total


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def ceiling(texts: list[str], batch_articles: int) -> tuple[float, float, int]:
    """Seconds to code the texts with the extractor, and to only encode their sentences, in-process, both
    built from the same `NEWSWIRE_EXTRACTOR__*` settings as the service (backend, precision, threads)."""
    from newswire.extractor.app import load_extractor
    from newswire.extractor.pipeline import ArticleInput
    from newswire.extractor.sentences import split_sentences
    from newswire.extractor.settings import ExtractorSettings

    extractor = load_extractor(ExtractorSettings().extractor)
    articles = [ArticleInput(article_id=f"{i:064x}", text=text) for i, text in enumerate(texts)]
    extractor.extract(articles[:2])  # warm
    began = time.perf_counter()
    for start in range(0, len(articles), batch_articles):
        extractor.extract(articles[start : start + batch_articles])
    coded_s = time.perf_counter() - began
    sentences = [s.text for text in texts for s in split_sentences(text)]
    return coded_s, encode_only(extractor.analyzer, sentences), len(sentences)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path)
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--feeds", type=int, default=5)
    parser.add_argument("--offered-rate", type=float, default=None, help="pages listed per second")
    parser.add_argument("--timeout-s", type=float, default=1800.0)
    parser.add_argument("--ceiling-articles", type=int, default=60, help="clean texts coded for the ceiling")
    parser.add_argument("--extractors", type=int, default=1, help="extractor processes in one consumer group")
    parser.add_argument("--extractor-threads", type=int, default=None, help="torch intra-op threads of each")
    parser.add_argument("--partitions", type=int, default=None, help="partitions per topic (default: settings)")
    args = parser.parse_args()
    pages = load_pages(args.data)
    workdir = Path(tempfile.mkdtemp(prefix="newswire-throughput-"))
    site = PageSite(pages, args.articles, args.feeds, args.offered_rate)
    broker = LocalBroker(workdir / "kafka")
    bootstrap = broker.start()
    lines = [f"  - {{name: f{k}, url: '{site.base}/feed/{k}.xml', interval: 1}}\n" for k in range(args.feeds)]
    (workdir / "feeds.yaml").write_text("feeds:\n" + "".join(lines))
    env = {
        **os.environ,
        "NEWSWIRE_KAFKA__BOOTSTRAP_SERVERS": bootstrap,
        "NEWSWIRE_APP_PREFIX": "throughput",
        "NEWSWIRE_FETCHER__FEEDS_FILE": str(workdir / "feeds.yaml"),
        "NEWSWIRE_FETCHER__FIRST_POLL_SPREAD_S": "0",
        "NEWSWIRE_FETCHER__MAX_ENTRIES_PER_POLL": str(args.articles),
        "NEWSWIRE_FETCHER__POLICY__ALLOW_PRIVATE": '["127.0.0.1/32"]',
        "NEWSWIRE_FETCHER__POLICY__PER_HOST_DELAY": "0",
        "NEWSWIRE_FETCHER__POLICY__PER_HOST_CONCURRENCY": "16",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
    }
    if args.partitions:
        env["NEWSWIRE_KAFKA__PARTITIONS"] = str(args.partitions)
    if args.extractor_threads:
        env["NEWSWIRE_EXTRACTOR__TORCH_THREADS"] = str(args.extractor_threads)
        os.environ["NEWSWIRE_EXTRACTOR__TORCH_THREADS"] = str(args.extractor_threads)  # the ceiling's too
    extractors = ["extractor"] if args.extractors == 1 else [f"extractor-{k + 1}" for k in range(args.extractors)]
    services = [Instance(name, name, env, workdir) for name in ("fetcher", "cleaner")]
    services += [Instance("extractor", name, env, workdir) for name in extractors]
    broker_peak = 0
    try:
        for service in services:
            service.start()
        deadline = time.monotonic() + args.timeout_s
        enriched: list[Any] = []
        dead: list[Any] = []
        while time.monotonic() < deadline:
            for service in services:
                service.sample_rss()
            pid = broker.pid
            if pid is not None:
                broker_peak = max(broker_peak, rss_bytes(pid))
            enriched = asyncio.run(read_topic(bootstrap, "articles.enriched"))
            dead = [r for name in DLQS for r in asyncio.run(read_topic(bootstrap, name))]
            # A page the cleaner refuses (not an article) is done too: dead-lettered with its reason.
            if len({r.key for r in enriched} | {r.key for r in dead}) >= args.articles:
                break
            time.sleep(2.0)
        cpu = {service.name: cpu_seconds(service.process.pid) for service in services if service.process}
        queued = {r.key: r.timestamp / 1000 for r in asyncio.run(read_topic(bootstrap, "fetcher.urls"))}
        raw = asyncio.run(read_topic(bootstrap, "articles.raw"))
        clean = asyncio.run(read_topic(bootstrap, "articles.clean"))
    finally:
        for service in services:
            service.stop(signal.SIGTERM)
        broker.stop()
    done = {r.key: r.timestamp / 1000 for r in enriched}
    first_fetch = min(r.timestamp / 1000 for r in raw)
    last = max(done.values())
    rate = len(done) / max(1e-9, last - first_fetch)
    latencies = [done[key] - queued[key] for key in done if key in queued]
    texts = [orjson.loads(r.value)["text"] for r in clean[: args.ceiling_articles] if r.value]
    coded_s, encoded_s, sentences = ceiling(texts, int(env.get("NEWSWIRE_EXTRACTOR__BATCH_ARTICLES", "8")))
    ratio = encoded_s / coded_s
    offered = args.offered_rate or "all at once"
    p50, p99 = statistics.median(latencies), percentile(latencies, 0.99)
    per_article = ", ".join(f"{name} {seconds / max(1, len(done)):.3f}" for name, seconds in cpu.items())
    memory = ", ".join(f"{s.name} {s.peak_rss / 2**20:.0f} MiB" for s in services)
    reasons = Counter(orjson.loads(r.value)["error_message"][:50] for r in dead if r.value)
    print(f"{len(done)} of {args.articles} articles enriched; {len(pages)} distinct pages; offered {offered}")
    threads = args.extractor_threads or "as settings"
    partitions = args.partitions or "as settings"
    print(f"layout: {args.extractors} extractor process(es), torch threads {threads}, partitions {partitions}")
    print(f"dead-lettered: {len(dead)} {dict(reasons.most_common(3))}")
    print(f"sustained {rate:.2f} articles/s, first fetch to last enriched record ({last - first_fetch:.0f} s)")
    print(f"latency queued -> enriched: p50 {p50:.2f} s, p99 {p99:.2f} s")
    print(f"CPU seconds per article: {per_article}")
    print(f"peak RSS: {memory}, broker {broker_peak / 2**20:.0f} MiB")
    print(
        f"extractor in-process on {len(texts)} of these clean texts ({sentences} sentences): "
        f"coded {len(texts) / coded_s:.2f} articles/s, encoder alone {len(texts) / encoded_s:.2f} articles/s "
        f"({sentences / encoded_s:.0f} sentences/s)"
    )
    print(
        f"pipeline: {len(done)} articles, {rate:.2f} articles/s, p50 {p50:.2f} s, p99 {p99:.2f} s, "
        f"extractor/ceiling {ratio:.2f}"
    )
    return 0 if len(done) + len(dead) >= args.articles else 1


if __name__ == "__main__":
    sys.exit(main())

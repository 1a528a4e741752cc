"""Bounded under load: thousands of URLs queued at once, every service's memory watched while they drain.

Usage:
  python benchmarks/backlog.py --urls 10000 --hosts 10 --minutes 10   # the full run
  python benchmarks/backlog.py --urls 400 --hosts 3 --minutes 1       # what the integration test runs
  NEWSWIRE_KAFKA__STREAM_BUFFER_MAXSIZE=4096 python benchmarks/backlog.py ...   # Faust's own buffer size

Serves --urls article pages (about --page-kb kB each, mostly boilerplate, like real news pages) spread
over --hosts loopback addresses (127.0.0.2, 127.0.0.3, ...), each a host of its own to the fetcher, in
--feeds-per-host RSS feeds per host that list all of its pages from the start. With 10,000 pages, 10
hosts and 5 feeds each, every feed lists 200 entries, as many as the fetcher takes from one poll, so the
whole backlog is queued at the first polls. Fetcher, cleaner and extractor run as separate processes on a
broker of their own with the fetcher's politeness as shipped (only the loopback range is allowed as a
private network); settings come from the environment. For --minutes it samples each service's RSS every
second. At the end it prints peak RSS, the RSS high-water mark at each quarter of the run (a bounded
service levels off while its backlog stays large), how far the pipeline got (pages fetched, articles
enriched), and what each host's server saw: the most requests at once and the tightest run of
consecutive request starts, against the fetcher's per-host concurrency and delay. Its last line reads
`backlog: N urls, H hosts, peak RSS fetcher F / cleaner C / extractor E MiB, growth in the last half G MiB,
politeness held` (or `broken`).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import signal
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from chaos import ACTIONS, CITIES, Instance, _filler, descendants, process_children, read_topic, rss_bytes

from newswire.devtools.broker import LocalBroker
from newswire.fetcher.policy import FetchPolicy

# The politeness the fetcher ships with: what the servers must see.
DEFAULT_POLICY = FetchPolicy()
# Request starts are stamped by the server's threads, after the fetcher's own clock by a delay that varies
# with the load (a few ms idle, a few hundred on a busy machine): one gap can look short while the fetcher
# kept its delay. So the check is on runs of WINDOW consecutive requests, whose span the jitter of two
# stamps changes by no more than one jitter, not on single gaps (printed too, for information).
WINDOW = 10
JITTER_TOLERANCE_S = 0.3


@dataclass
class HostLog:
    """What one host's server saw: requests at once, and when each request started."""

    in_flight: int = 0
    most_in_flight: int = 0
    starts: list[tuple[float, str]] = field(default_factory=list)
    pages: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def tightest_window_s(self, size: int) -> float | None:
        """The shortest time that `size` consecutive requests spanned, first start to last."""
        ordered = sorted(start for start, _ in self.starts)
        spans = [ordered[i + size - 1] - ordered[i] for i in range(len(ordered) - size + 1)]
        return min(spans) if spans else None

    def shortest_gap(self) -> tuple[float, str, str] | None:
        """The shortest time between two request starts, and the two paths."""
        gaps = [(b[0] - a[0], a[1], b[1]) for a, b in itertools.pairwise(sorted(self.starts))]
        return min(gaps) if gaps else None


class Host:
    """One news site on its own loopback address: a feed listing all of its pages, and the pages."""

    def __init__(self, address: str, pages: Pages, indices: range, feeds: int) -> None:
        self.log = HostLog()
        self.pages = pages
        self.indices = indices
        self.feeds = feeds
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                log = outer.log
                with log.lock:
                    log.in_flight += 1
                    log.most_in_flight = max(log.most_in_flight, log.in_flight)
                    log.starts.append((time.monotonic(), self.path))
                try:
                    status, content_type, body = outer.route(self.path.split("?")[0])
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                finally:
                    with log.lock:
                        log.in_flight -= 1

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer((address, 0), Handler)
        self.base = f"http://{address}:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def route(self, path: str) -> tuple[int, str, bytes]:
        feed = path.removeprefix("/feed/").removesuffix(".xml")
        if path.startswith("/feed/") and feed.isdigit() and int(feed) < self.feeds:
            listed = self.indices[int(feed) :: self.feeds]
            items = "".join(f"<item><title>{i}</title><link>{self.base}/a/{i}</link></item>" for i in listed)
            body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>{self.base}</title>{items}</channel></rss>'
            return 200, "application/rss+xml", body.encode()
        if path.startswith("/a/") and path[3:].isdigit() and int(path[3:]) in self.indices:
            with self.log.lock:
                self.log.pages += 1
            return 200, "text/html; charset=utf-8", self.pages.page(int(path[3:])).encode()
        return 404, "text/plain", b"not found"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Pages:
    """Pages of real news size: 5 to 40 sentences of prose of their own, opening with an event, inside
    about `page_kb` kB of the navigation, scripts and link lists that make up most of a news page. Each
    page is put together when served, so that ten thousand of them do not sit in this process's memory."""

    def __init__(self, count: int, seed: int, page_kb: int) -> None:
        rng = random.Random(seed)
        self.links = "".join(f'<li><a href="/section/{k}">Section {k} {rng.choice(CITIES)}</a></li>' for k in range(40))
        self.script = "<script>var config = {" + ",".join(f'"k{k}": {k}' for k in range(200)) + "};</script>"
        chrome = f"<nav><ul>{self.links}</ul></nav>{self.script}"
        self.chrome = chrome * max(1, page_kb * 1024 // len(chrome))
        self.articles: list[str] = []
        for _ in range(count):
            action = rng.choice(ACTIONS).format(n=rng.randint(2, 400), city=rng.choice(CITIES))
            sentences = [action, *_filler(rng, rng.randint(4, 40)).split(". ")]
            self.articles.append("".join(f"<p>{s.strip().rstrip('.')}.</p>" for s in sentences if s.strip()))

    def __len__(self) -> int:
        return len(self.articles)

    def page(self, index: int) -> str:
        head = f"<html><head><title>Story {index}</title>{self.script}</head>"
        article = f"<article><h1>Story {index}</h1>{self.articles[index]}</article>"
        return f"{head}<body>{self.chrome}{article}<footer>{self.links}</footer></body></html>"


@dataclass
class Report:
    urls: int
    hosts: int
    minutes: float
    peak_rss_mib: dict[str, float] = field(default_factory=dict)
    quarter_rss_mib: dict[str, list[float]] = field(default_factory=dict)
    pages_fetched: int = 0
    pages_per_host: list[int] = field(default_factory=list)
    enriched: int = 0
    most_in_flight: int = 0
    shortest_gap_s: float | None = None
    shortest_gap_between: tuple[str, str] | None = None
    tightest_window_s: float | None = None

    @property
    def growth_last_half_mib(self) -> float:
        """The most any service's RSS grew from the half-way mark to the end."""
        return max((q[-1] - q[1] for q in self.quarter_rss_mib.values() if len(q) == 4), default=0.0)

    @property
    def window_floor_s(self) -> float:
        """What WINDOW consecutive request starts must span at the least under the shipped delay."""
        return (WINDOW - 1) * DEFAULT_POLICY.per_host_delay - JITTER_TOLERANCE_S

    @property
    def politeness_held(self) -> bool:
        concurrency_ok = self.most_in_flight <= DEFAULT_POLICY.per_host_concurrency
        delay_ok = self.tightest_window_s is None or self.tightest_window_s >= self.window_floor_s
        return concurrency_ok and delay_ok


def run(args: argparse.Namespace) -> Report:
    workdir = Path(tempfile.mkdtemp(prefix="newswire-backlog-"))
    pages = Pages(args.urls, args.seed, args.page_kb)
    shares = [range(k, len(pages), args.hosts) for k in range(args.hosts)]
    hosts = [Host(f"127.0.0.{2 + k}", pages, share, args.feeds_per_host) for k, share in enumerate(shares)]
    broker = LocalBroker(workdir / "kafka")
    bootstrap = broker.start()
    feeds_file = workdir / "feeds.yaml"
    listed = (
        f"  - {{name: h{k}f{j}, url: '{host.base}/feed/{j}.xml', interval: 60}}\n"
        for k, host in enumerate(hosts)
        for j in range(args.feeds_per_host)
    )
    feeds_file.write_text("feeds:\n" + "".join(listed))
    env = {
        **os.environ,
        "NEWSWIRE_KAFKA__BOOTSTRAP_SERVERS": bootstrap,
        "NEWSWIRE_KAFKA__PARTITIONS": "3",
        "NEWSWIRE_APP_PREFIX": f"backlog{args.seed}",
        "NEWSWIRE_FETCHER__FEEDS_FILE": str(feeds_file),
        "NEWSWIRE_FETCHER__FIRST_POLL_SPREAD_S": "0",
        "NEWSWIRE_FETCHER__POLICY__ALLOW_PRIVATE": '["127.0.0.0/8"]',
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "PYTHONUNBUFFERED": "1",
    }
    instances = [Instance(service, service, env, workdir) for service in ("fetcher", "cleaner", "extractor")]
    for instance in instances:
        instance.start()
    started = time.monotonic()
    duration_s = args.minutes * 60
    samples: dict[str, list[tuple[float, int]]] = {i.name: [] for i in instances}
    try:
        while (now := time.monotonic() - started) < duration_s:
            tree = process_children()
            for instance in instances:
                assert instance.process is not None
                if instance.process.poll() is not None:
                    raise SystemExit(f"{instance.name} exited ({instance.process.returncode}); logs in {workdir}")
                rss = sum(rss_bytes(pid) for pid in descendants(instance.process.pid, tree))
                samples[instance.name].append((now, rss))
            time.sleep(1.0)
        report = Report(urls=args.urls, hosts=args.hosts, minutes=args.minutes)
        # Counted at the end of the watch: the services go on fetching until they are stopped below.
        report.pages_per_host = [h.log.pages for h in hosts]
        report.pages_fetched = sum(report.pages_per_host)
        report.enriched = len({r.key for r in asyncio.run(read_topic(bootstrap, "articles.enriched")) if r.key})
    finally:
        for instance in instances:
            instance.stop(signal.SIGTERM)
        broker.stop()
        for host in hosts:
            host.close()
    mib = 2**20
    for instance in instances:
        series = samples[instance.name]
        report.peak_rss_mib[instance.name] = round(max((rss for _, rss in series), default=0) / mib, 1)
        report.quarter_rss_mib[instance.name] = [
            round(max((rss for t, rss in series if t <= duration_s * q), default=0) / mib, 1)
            for q in (0.25, 0.5, 0.75, 1.0)
        ]
    report.most_in_flight = max(h.log.most_in_flight for h in hosts)
    windows = [w for h in hosts if (w := h.log.tightest_window_s(WINDOW)) is not None]
    report.tightest_window_s = min(windows) if windows else None
    gaps = [g for h in hosts if (g := h.log.shortest_gap()) is not None]
    if gaps:
        gap, before, after = min(gaps)
        report.shortest_gap_s, report.shortest_gap_between = gap, (before, after)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--urls", type=int, default=10_000)
    parser.add_argument("--hosts", type=int, default=10, help="loopback addresses from 127.0.0.2 up")
    parser.add_argument(
        "--feeds-per-host",
        type=int,
        default=5,
        help="feeds each host lists its pages in (the fetcher reads up to 200 entries a poll, as shipped)",
    )
    parser.add_argument("--minutes", type=float, default=10.0, help="how long to watch the services drain")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--page-kb", type=int, default=80, help="size of each page's boilerplate, kB")
    parser.add_argument("--json", type=Path, help="also write the report as JSON")
    args = parser.parse_args(argv)
    report = run(args)
    print(f"pages fetched {report.pages_fetched} of {report.urls}; articles enriched {report.enriched}")
    print(f"pages fetched per host: {report.pages_per_host} (at most {round(args.minutes * 60)} each by the delay)")
    print("peak RSS (MiB):", report.peak_rss_mib)
    print("RSS high-water at each quarter of the run (MiB):", report.quarter_rss_mib)
    gap = "n/a"
    if report.shortest_gap_s is not None and report.shortest_gap_between is not None:
        gap = f"{report.shortest_gap_s:.3f} s ({' then '.join(report.shortest_gap_between)})"
    window = "n/a" if report.tightest_window_s is None else f"{report.tightest_window_s:.2f} s"
    print(
        f"per host: at most {report.most_in_flight} requests at once (policy {DEFAULT_POLICY.per_host_concurrency}); "
        f"{WINDOW} consecutive request starts spanned at least {window} (policy {DEFAULT_POLICY.per_host_delay:.1f} s "
        f"apart: at least {report.window_floor_s:.1f} s with {JITTER_TOLERANCE_S} s for the server's clock); "
        f"shortest single gap {gap}"
    )
    if args.json:
        payload: dict[str, Any] = {
            **{k: v for k, v in report.__dict__.items()},
            "growth_last_half_mib": report.growth_last_half_mib,
            "politeness_held": report.politeness_held,
            "window_floor_s": report.window_floor_s,
        }
        args.json.write_text(json.dumps(payload, indent=2))
    peaks = report.peak_rss_mib
    print(
        f"backlog: {report.urls} urls, {report.hosts} hosts, peak RSS fetcher {peaks['fetcher']:.0f} / cleaner "
        f"{peaks['cleaner']:.0f} / extractor {peaks['extractor']:.0f} MiB, growth in the last half "
        f"{report.growth_last_half_mib:.0f} MiB, politeness {'held' if report.politeness_held else 'broken'}"
    )
    return 0 if report.politeness_held else 1


if __name__ == "__main__":
    sys.exit(main())

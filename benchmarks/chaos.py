"""Fault injection of every service and the broker: is anything lost, is anything delivered twice?

Usage:
  python benchmarks/chaos.py --articles 1000 --seed 1            # the full run (about 10 minutes here)
  python benchmarks/chaos.py --articles 40 --seed 3 --kills 1    # what the integration test runs

Serves the articles on 127.0.0.1 behind several feeds, releasing them over the run (pages of varied
length; some broken (500 or 404), some slow, some redirecting, some listed twice under a tracking
parameter, some syndicated copies of another page's text). Runs two fetchers, a cleaner and an extractor
as separate processes on a broker of its own, and meanwhile, at moments drawn from --seed: kill -9 of
each service --kills times, SIGTERM once each (--terms), and --broker-restarts stops of the broker (data
kept, same address) for a few seconds. A stopped service is started again at once, on a fresh data
folder (its tables come back from their changelogs). Consumers' session timeout is lowered to 10 s so
that a killed member's partitions move on quickly; the report says so.

At the end it reads every topic and prints articles lost (a page served and not dead-lettered whose
`articles.enriched` record never reaches a `read_committed` consumer), duplicate records per topic and
duplicate event ids, both as a `read_committed` consumer sees them, the records of aborted transactions
per topic (written, never delivered), dead letters by stage, the time to recover after each fault (until the next
`articles.enriched` record), and each service's peak memory. Its last line reads
`chaos: N articles, lost L, duplicate event ids D (read_committed), dlq Q, max recovery S s`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer

from newswire.devtools.broker import LocalBroker, free_port
from newswire.fetcher.urls import article_id, canonicalize_url

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
CITIES = ["Athens", "Lagos", "Karachi", "Quito", "Manila", "Nairobi", "Lima", "Dhaka", "Tunis", "Hanoi"]
ACTIONS = [
    "Police arrested {n} protesters in {city} on Monday after a march against fuel prices, officials said.",
    "Gunmen killed {n} villagers near {city} on Tuesday, the regional governor said.",
    "Thousands of teachers marched through {city} on Wednesday to demand higher pay.",
    "Security forces fired tear gas at {n} demonstrators outside parliament in {city}.",
    "The ministers of both countries met in {city} to discuss a new trade agreement.",
]


@dataclass
class Article:
    index: int
    kind: str  # ok, broken, gone, slow, redirect, listed-twice, syndicated
    feed: int
    release_at: float
    text: str

    @property
    def path(self) -> str:
        return f"/a/{self.index}"


_WORD_LINES = (
    "river market council school bridge harvest festival station clinic factory village mayor budget road",
    "court museum library port airport farm union election drought storm rail hospital police bank teacher",
    "nurse driver fisherman miner student pensioner trader engineer farmer judge reporter doctor soldier",
    "morning evening week month winter summer north south east west new old quiet busy small large local",
)
WORDS = [word for line in _WORD_LINES for word in line.split()]


def _filler(rng: random.Random, sentences: int) -> str:
    """Prose of its own for each page, so that only the syndicated copies look syndicated."""
    return " ".join(
        " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 16))).capitalize() + "." for _ in range(sentences)
    )


def make_articles(count: int, feeds: int, seed: int, duration_s: float) -> list[Article]:
    rng = random.Random(seed)
    kinds = ["ok"] * 80 + ["broken"] * 3 + ["gone"] * 2 + ["slow"] * 5 + ["redirect"] * 4 + ["listed-twice"] * 3
    kinds += ["syndicated"] * 3
    articles: list[Article] = []
    for index in range(count):
        kind = rng.choice(kinds) if index > 0 else "ok"
        action = rng.choice(ACTIONS).format(n=rng.randint(2, 400), city=rng.choice(CITIES))
        text = f"{action} " + _filler(rng, rng.randint(4, 40))
        if kind == "syndicated":
            text = articles[rng.randrange(len(articles))].text
        articles.append(Article(index, kind, index % feeds, duration_s * index / max(1, count), text))
    return articles


class LocalSite:
    """An HTTP server on 127.0.0.1 whose responses come from `route(path)`; the benchmarks' web."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, headers, body = outer.route(self.path)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def route(self, path: str) -> tuple[int, dict[str, str], bytes]:
        raise NotImplementedError

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Site(LocalSite):
    """The feeds and pages; a feed lists every article released so far (nothing falls out of it, so any
    article lost is the pipeline's loss, not the feed's)."""

    def __init__(self, articles: list[Article], feeds: int) -> None:
        self.articles = articles
        self.feeds = feeds
        super().__init__()

    def released(self) -> list[Article]:
        now = time.monotonic() - self.started
        return [a for a in self.articles if a.release_at <= now]

    def route(self, path: str) -> tuple[int, dict[str, str], bytes]:
        clean = path.split("?")[0]
        if clean.startswith("/feed/"):
            feed = int(clean.removeprefix("/feed/").removesuffix(".xml"))
            items = []
            for article in reversed(self.released()):  # newest first, as feeds list them
                if article.feed != feed:
                    continue
                links = [f"{self.base}{article.path}"]
                if article.kind == "listed-twice":
                    links.append(f"{self.base}{article.path}?utm_source=rss")
                items += [f"<item><title>Story {article.index}</title><link>{link}</link></item>" for link in links]
            body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>f{feed}</title>{"".join(items)}'
            return 200, {"Content-Type": "application/rss+xml"}, (body + "</channel></rss>").encode()
        if clean.startswith("/a/") or clean.startswith("/r/"):
            article = self.articles[int(clean.split("/")[2])]
            if clean.startswith("/a/") and article.kind == "redirect":
                return 302, {"Location": f"{self.base}/r/{article.index}"}, b""
            if article.kind == "broken":
                return 500, {}, b"broken"
            if article.kind == "gone":
                return 404, {}, b"gone"
            if article.kind == "slow":
                time.sleep(2.0)
            paragraphs = "".join(f"<p>{s.strip()}.</p>" for s in article.text.split(". ") if s.strip())
            html = f"<html><head><title>Story {article.index}</title></head><body><article>{paragraphs}</article>"
            return 200, {"Content-Type": "text/html; charset=utf-8"}, (html + "</body></html>").encode()
        return 404, {}, b""


@dataclass
class Instance:
    service: str
    name: str
    env: dict[str, str]
    workdir: Path
    generation: int = 0
    process: subprocess.Popen[bytes] | None = None
    peak_rss: int = 0

    def start(self) -> None:
        self.generation += 1
        data = self.workdir / f"{self.name}-{self.generation}"
        data.mkdir(parents=True, exist_ok=True)
        env = {**self.env, "NEWSWIRE_DATA_DIR": str(data), "NEWSWIRE_WEB__PORT": str(free_port())}
        log = (self.workdir / f"{self.name}.log").open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "newswire", self.service], env=env, stdout=log, stderr=subprocess.STDOUT
        )

    def stop(self, how: signal.Signals) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(how)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def sample_rss(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.peak_rss = max(self.peak_rss, sum(rss_bytes(pid) for pid in descendants(self.process.pid)))


def process_children() -> dict[int, list[int]]:
    """Parent pid -> child pids, from /proc (Linux)."""
    children: dict[int, list[int]] = defaultdict(list)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                children[int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])].append(int(entry.name))
            except OSError:
                continue
    return children


def descendants(root: int, children: dict[int, list[int]] | None = None) -> list[int]:
    """`root` and every process under it (pass `children` to reuse one /proc scan for several roots)."""
    tree = children if children is not None else process_children()
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(tree.get(pid, []))
    return found


def rss_bytes(pid: int) -> int:
    """Resident set size of one process, 0 once it is gone."""
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_SIZE
    except (OSError, IndexError, ValueError):
        return 0


@dataclass
class Fault:
    at: float  # seconds into the run
    what: str
    target: str
    wall: float = 0.0  # time.time() when it was done, to compare with Kafka record timestamps
    recovered_s: float | None = None


@dataclass
class Report:
    articles: int
    expected: int
    lost: list[str] = field(default_factory=list)
    lost_trail: dict[str, str] = field(default_factory=dict)  # lost id -> the article and how far it got
    duplicates: dict[str, int] = field(default_factory=dict)
    duplicate_event_ids: int = 0
    aborted: dict[str, int] = field(default_factory=dict)  # records written in transactions that aborted
    dlq: dict[str, int] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    peak_rss_mib: dict[str, float] = field(default_factory=dict)
    elapsed_s: float = 0.0

    @property
    def max_recovery_s(self) -> float:
        return max((f.recovered_s or 0.0 for f in self.faults), default=0.0)


async def read_topic(bootstrap: str, topic: str, isolation: str = "read_uncommitted") -> list[Any]:
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        isolation_level=isolation,
    )
    await consumer.start()
    records: list[Any] = []
    try:
        partitions = consumer.assignment()
        while not partitions:
            await asyncio.sleep(0.1)
            partitions = consumer.assignment()
        ends = await consumer.end_offsets(list(partitions))
        while True:
            batches = await consumer.getmany(timeout_ms=1000)
            for batch in batches.values():
                records.extend(batch)
            positions = {tp: await consumer.position(tp) for tp in partitions}
            if all(positions[tp] >= ends[tp] for tp in partitions) and not batches:
                break
    finally:
        await consumer.stop()
    return records


async def enriched_ids(bootstrap: str, topic: str) -> list[tuple[float, str]]:
    """What a downstream consumer can use: records of aborted transactions are not deliveries."""
    return [(r.timestamp / 1000, r.key.decode()) for r in await read_topic(bootstrap, topic, "read_committed") if r.key]


TRAIL_TOPICS = ("fetcher.urls", "articles.raw", "articles.clean", "events", "articles.enriched")


async def trail(bootstrap: str, lost: list[str], articles: list[Article], base: str) -> dict[str, str]:
    """How far each lost article got: which article it is and, per topic, its records (partition@offset,
    `~` for a record of an aborted transaction), so that a loss points at the stage that dropped it."""
    names = {}
    for article in articles:
        for path in (article.path, f"/r/{article.index}"):
            names[article_id(canonicalize_url(f"{base}{path}"))] = f"article {article.index} ({article.kind}) {path}"
    trails = {key: names.get(key, "unknown") for key in lost}
    for topic in TRAIL_TOPICS:
        committed = {(r.partition, r.offset) for r in await read_topic(bootstrap, topic, "read_committed")}
        found: dict[str, list[str]] = defaultdict(list)
        for record in await read_topic(bootstrap, topic):
            key = record.key.decode() if record.key else ""
            if topic == "events" and record.value:  # events are keyed by event id; their article says whose
                key = orjson.loads(record.value).get("article_id", key)
            if key in trails:
                mark = "" if (record.partition, record.offset) in committed else "~"
                found[key].append(f"{mark}{record.partition}@{record.offset}")
        for key in trails:
            trails[key] += f"; {topic}: {' '.join(found[key]) or '-'}"
    return trails


def run(args: argparse.Namespace) -> Report:
    rng = random.Random(args.seed)
    workdir = Path(tempfile.mkdtemp(prefix="newswire-chaos-"))
    articles = make_articles(args.articles, args.feeds, args.seed, args.release_s)
    site = Site(articles, args.feeds)
    broker = LocalBroker(workdir / "kafka")
    bootstrap = broker.start()
    feeds_file = workdir / "feeds.yaml"
    feeds_file.write_text(
        "feeds:\n"
        + "".join(f"  - {{name: f{k}, url: '{site.base}/feed/{k}.xml', interval: 2}}\n" for k in range(args.feeds))
    )
    prefix = f"chaos{args.seed}"
    env = {
        **os.environ,
        "NEWSWIRE_KAFKA__BOOTSTRAP_SERVERS": bootstrap,
        "NEWSWIRE_KAFKA__PARTITIONS": "4",
        "NEWSWIRE_KAFKA__SESSION_TIMEOUT_S": "10",
        "NEWSWIRE_APP_PREFIX": prefix,
        "NEWSWIRE_FETCHER__FEEDS_FILE": str(feeds_file),
        "NEWSWIRE_FETCHER__FIRST_POLL_SPREAD_S": "0",
        "NEWSWIRE_FETCHER__POLICY__ALLOW_PRIVATE": '["127.0.0.1/32"]',
        "NEWSWIRE_FETCHER__POLICY__PER_HOST_DELAY": "0",  # politeness raised for the local host
        "NEWSWIRE_FETCHER__POLICY__BACKOFF_BASE": "0.2",
        "NEWSWIRE_FETCHER__POLICY__MAX_RETRIES": "1",
        "NEWSWIRE_FETCHER__REOFFER_AFTER_S": str(args.reoffer_after_s),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "PYTHONUNBUFFERED": "1",
    }
    fetcher_env = {**env, "NEWSWIRE_LOG_LEVEL": "debug"} if args.debug_fetchers else env
    instances = [
        Instance("fetcher", "fetcher-a", fetcher_env, workdir),
        Instance("fetcher", "fetcher-b", fetcher_env, workdir),
        Instance("cleaner", "cleaner-a", env, workdir),
        Instance("extractor", "extractor-a", env, workdir),
    ]
    started = time.monotonic()
    for instance in instances:
        instance.start()
    stream_s = args.release_s  # faults fall while articles are still being released, so recovery shows
    faults: list[Fault] = []
    for service in ("fetcher", "cleaner", "extractor"):
        for _ in range(args.kills):
            faults.append(Fault(rng.uniform(0.1, 0.9) * stream_s, "kill -9", service))
        for _ in range(args.terms):
            faults.append(Fault(rng.uniform(0.1, 0.9) * stream_s, "SIGTERM", service))
    faults += [Fault(rng.uniform(0.2, 0.8) * stream_s, "broker restart", "broker") for _ in range(args.broker_restarts)]
    faults.sort(key=lambda f: f.at)
    enriched_topic = "articles.enriched"
    # A redirected page is filed under where it lands (its canonical URL), like any page whose address moved.
    expected = {
        article_id(canonicalize_url(f"{site.base}{'/r/' if a.kind == 'redirect' else '/a/'}{a.index}"))
        for a in articles
        if a.kind not in ("broken", "gone")
    }
    pending = list(faults)
    last_progress, last_count = time.monotonic(), 0
    done_at: float | None = None
    while True:
        now = time.monotonic() - started
        for instance in instances:
            instance.sample_rss()
        if pending and now >= pending[0].at:
            fault = pending.pop(0)
            fault.at, fault.wall = now, time.time()
            if fault.target == "broker":
                broker.stop()
                time.sleep(args.broker_down_s)
                broker.start()
            else:
                victim = rng.choice([i for i in instances if i.service == fault.target])
                victim.stop(signal.SIGKILL if fault.what == "kill -9" else signal.SIGTERM)
                victim.start()
            print(f"{now:6.1f}s {fault.what} {fault.target}", flush=True)
        if not pending and now > args.release_s:
            try:
                seen = {key for _, key in asyncio.run(enriched_ids(bootstrap, enriched_topic))}
            except Exception as exc:  # the broker may be coming back
                print(f"reading {enriched_topic} failed: {exc}", file=sys.stderr)
                seen = set()
            if len(seen) != last_count:
                last_progress, last_count = time.monotonic(), len(seen)
            if expected <= seen or time.monotonic() - last_progress > args.settle_s:
                done_at = time.monotonic()
                break
        for instance in instances:
            if instance.process is not None and instance.process.poll() is not None:
                print(f"{now:6.1f}s {instance.name} exited ({instance.process.returncode}); restarted", flush=True)
                instance.start()
        time.sleep(1.0)
    report = Report(articles=len(articles), expected=len(expected))
    report.elapsed_s = (done_at or time.monotonic()) - started
    timeline = sorted(asyncio.run(enriched_ids(bootstrap, enriched_topic)))
    for fault in faults:
        after = [stamp for stamp, _ in timeline if stamp >= fault.wall]
        fault.recovered_s = after[0] - fault.wall if after else None
    seen_ids = {key for _, key in timeline}
    dead = asyncio.run(read_topic(bootstrap, "fetcher.dlq"))
    dead += asyncio.run(read_topic(bootstrap, "cleaner.dlq")) + asyncio.run(read_topic(bootstrap, "extractor.dlq"))
    dead_keys = {r.key.decode() for r in dead if r.key}
    report.dlq = dict(Counter(orjson.loads(r.value)["stage"] for r in dead if r.value))
    report.lost = sorted(expected - seen_ids - dead_keys)
    if report.lost:
        report.lost_trail = asyncio.run(trail(bootstrap, report.lost, articles, site.base))
    for topic in ("articles.raw", "articles.clean", "events", "articles.enriched"):
        keys = Counter(r.key for r in asyncio.run(read_topic(bootstrap, topic, "read_committed")))
        report.duplicates[topic] = sum(n - 1 for n in keys.values() if n > 1)
        report.aborted[topic] = len(asyncio.run(read_topic(bootstrap, topic))) - sum(keys.values())
    committed = asyncio.run(read_topic(bootstrap, "events", "read_committed"))
    event_ids = Counter(orjson.loads(r.value)["event_id"] for r in committed if r.value)
    report.duplicate_event_ids = sum(n - 1 for n in event_ids.values() if n > 1)
    report.faults = faults
    for instance in instances:
        instance.stop(signal.SIGTERM)
        report.peak_rss_mib[instance.name] = round(instance.peak_rss / 2**20, 1)
    broker.stop()
    site.close()
    if report.lost:
        print(f"logs in {workdir}", file=sys.stderr)
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--feeds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--release-s", type=float, default=None, help="articles are released over this long")
    parser.add_argument("--kills", type=int, default=2, help="kill -9 of each service")
    parser.add_argument("--terms", type=int, default=1, help="SIGTERM of each service")
    parser.add_argument("--broker-restarts", type=int, default=1)
    parser.add_argument("--broker-down-s", type=float, default=5.0)
    parser.add_argument("--settle-s", type=float, default=120.0, help="give up when nothing new arrives this long")
    parser.add_argument("--json", type=Path, help="also write the report as JSON")
    parser.add_argument("--reoffer-after-s", type=float, default=20.0, help="the fetcher's re-offer period")
    parser.add_argument("--debug-fetchers", action="store_true", help="the fetchers log at debug level")
    args = parser.parse_args()
    if args.release_s is None:
        args.release_s = max(20.0, args.articles / 3.0)
    report = run(args)
    for topic, count in report.duplicates.items():
        print(f"duplicate records in {topic} (read_committed): {count}, aborted records: {report.aborted[topic]}")
    print(f"dead letters by stage: {report.dlq}")
    for fault in report.faults:
        recovered = f"{fault.recovered_s:.1f} s" if fault.recovered_s is not None else "never"
        print(f"fault at {fault.at:.0f}s: {fault.what} {fault.target}, next enriched record after {recovered}")
    print(f"peak RSS (MiB): {report.peak_rss_mib}")
    if report.lost:
        print(f"lost: {report.lost[:10]}{' ...' if len(report.lost) > 10 else ''}")
        for key, where in list(report.lost_trail.items())[:10]:
            print(f"  {key[:12]}: {where}")
    print(
        f"consumer session timeout lowered to 10 s; politeness delay for 127.0.0.1 set to 0; entries still listed "
        f"are offered again after {args.reoffer_after_s:.0f} s (default 900)"
    )
    if args.json is not None:
        record = {
            "articles": report.articles,
            "expected": report.expected,
            "lost": report.lost,
            "lost_trail": report.lost_trail,
            "duplicates": report.duplicates,
            "aborted": report.aborted,
            "duplicate_event_ids": report.duplicate_event_ids,
            "dlq": report.dlq,
            "faults": [vars(f) for f in report.faults],
            "peak_rss_mib": report.peak_rss_mib,
            "elapsed_s": report.elapsed_s,
        }
        args.json.write_text(json.dumps(record, indent=2))
    print(
        f"chaos: {report.articles} articles, lost {len(report.lost)}, duplicate event ids "
        f"{report.duplicate_event_ids} (read_committed), dlq {sum(report.dlq.values())}, "
        f"max recovery {report.max_recovery_s:.1f} s"
    )
    return 0 if not report.lost else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""The fetcher on the real broker against real HTTP servers on 127.0.0.1: a broken feed does not stop the
others and is dead-lettered once; two instances and restarts never emit an article twice; a new poller
goes on from the feed state the last one left."""

from __future__ import annotations

import asyncio
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from newswire.fetcher.cli import main as feeds_main
from newswire.fetcher.urls import article_id, canonicalize_url
from tests.integration.harness import Namespace, collect, running_service, schema_errors, service_log
from tests.support.http import LocalHttpServer, Reply, Request, Route


def rss(title: str, links: list[str]) -> bytes:
    stamp = format_datetime(datetime(2026, 11, 24, 10, 0, tzinfo=UTC), usegmt=True)
    items = "".join(
        f"<item><title>Story {link.rsplit('/', 1)[-1]}</title><link>{link}</link><pubDate>{stamp}</pubDate></item>"
        for link in links
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>{items}</channel></rss>'.encode()


def article_page(title: str, canonical: str | None = None) -> bytes:
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    body = f"<p>{title} happened today, officials said, in a report published this morning.</p>" * 5
    return f"<!doctype html><html><head><title>{title}</title>{link}</head><body>{body}</body></html>".encode()


class Site(LocalHttpServer):
    """The shared test server (tests/support/http.py): routes are plain functions of the request ("/a/*"
    answers every article path), `hits` counts every request per path, and an unknown path is a 404."""

    def __init__(self, routes: dict[str, Route]) -> None:
        super().__init__(routes, fallback=(404, {"Content-Type": "text/plain"}, b"no"))


HTML = {"Content-Type": "text/html; charset=utf-8"}
XML = {"Content-Type": "application/rss+xml"}


def article_route(request: Request) -> Reply:
    return 200, HTML, article_page(request.path.rsplit("/", 1)[-1])


def fetcher_env(feeds_file: Path, **extra: str) -> dict[str, str]:
    return {
        "NEWSWIRE_FETCHER__FEEDS_FILE": str(feeds_file),
        "NEWSWIRE_FETCHER__POLICY__ALLOW_PRIVATE": '["127.0.0.1/32"]',
        "NEWSWIRE_FETCHER__POLICY__PER_HOST_DELAY": "0",
        "NEWSWIRE_FETCHER__POLICY__BACKOFF_BASE": "0.2",
        **extra,
    }


def ids_of(values: list[bytes]) -> list[str]:
    return [str(orjson.loads(value)["article_id"]) for value in values]


async def get_json(url: str, timeout_s: float, ready: Callable[[dict[str, object]], bool]) -> dict[str, object]:
    """Poll a JSON endpoint of a service until `ready(body)`; the last body either way."""
    body: dict[str, object] = {}
    deadline = time.monotonic() + timeout_s
    async with httpx.AsyncClient(timeout=5, trust_env=False) as client:
        while time.monotonic() < deadline:
            try:
                response = await client.get(url)
                if response.status_code == 200:
                    body = response.json()
                    if ready(body):
                        return body
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.5)
    return body


def _feed(body: dict[str, object], name: str) -> dict[str, Any]:
    feeds = body.get("feeds")
    assert isinstance(feeds, list)
    return next((feed for feed in feeds if feed["name"] == name), {})


async def test_a_malformed_feed_is_dead_lettered_once_and_the_other_feeds_go_on(
    kafka_bootstrap: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ns = Namespace(kafka_bootstrap, tmp_path)
    good_links: list[str] = []
    site_links: list[str] = []

    def good_feed(request: Request) -> Reply:
        if request.headers.get("If-None-Match") == '"v1"':
            return 304, {"ETag": '"v1"'}, b""
        return 200, {**XML, "ETag": '"v1"'}, rss("Good", good_links)

    routes: dict[str, Route] = {
        "/good.xml": good_feed,
        "/broken.xml": lambda h: (200, XML, b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><<'),
        "/site/": lambda h: (
            200,
            HTML,
            b'<html><head><link rel="alternate" type="application/rss+xml" href="feed.xml"></head></html>',
        ),
        "/site/feed.xml": lambda h: (200, XML, rss("Site", site_links)),
        "/a/*": article_route,
    }
    with Site(routes) as site:
        good_links += [f"{site.base}/a/good-{n}" for n in range(3)]
        site_links += [f"{site.base}/a/site-{n}" for n in range(2)]
        feeds_file = tmp_path / "feeds.yaml"
        feeds_file.write_text(
            "feeds:\n"
            f"  - {{name: good, url: '{site.base}/good.xml', interval: 1}}\n"
            f"  - {{name: broken, url: '{site.base}/broken.xml', interval: 1}}\n"
            f"  - {{name: site, url: '{site.base}/site/', interval: 1}}\n",
            encoding="utf-8",
        )
        with running_service("fetcher", ns, **fetcher_env(feeds_file)) as fetcher:

            def alive() -> bool:
                return fetcher.poll() is None

            raw = await collect(kafka_bootstrap, ns.topic("articles.raw"), lambda v: len(v) >= 5, 60, alive)
            log = service_log(ns, "fetcher")
            assert sorted(orjson.loads(v)["url"] for v in raw) == sorted(good_links + site_links), log
            assert schema_errors("articles.raw", raw) == []

            base = f"http://127.0.0.1:{ns.ports['fetcher']}"
            # Let the broken feed fail a few polls in a row (1 s, 2 s, 4 s back-off) and the good one 304.
            health = await get_json(
                f"{base}/feeds",
                30,
                lambda b: (
                    int(_feed(b, "broken").get("consecutive_failures", 0)) >= 3
                    and int(_feed(b, "good").get("not_modified", 0)) >= 2
                ),
            )
            broken, good, discovered = _feed(health, "broken"), _feed(health, "good"), _feed(health, "site")
            assert int(broken["consecutive_failures"]) >= 3, (health, log)
            assert "malformed feed" in str(broken["last_error"]) and broken["last_error_permanent"]
            assert int(good["not_modified"]) >= 2 and good["consecutive_failures"] == 0 and good["last_success"]
            assert discovered["feed_url"] == f"{site.base}/site/feed.xml"
            assert site.hits["/site/"] == 1, "the discovered feed is remembered, the page is not read again"

            dead = await collect(kafka_bootstrap, ns.dlq("fetcher"), lambda v: False, 3, alive)
            assert schema_errors("dlq", dead) == []
            records = [orjson.loads(value) for value in dead]
            assert [(r["key"], r["stage"]) for r in records] == [("broken", "feed-parse")], records
            assert f"{site.base}/broken.xml" in records[0]["error_message"]
            assert "malformed feed" in records[0]["error_message"]

            async with httpx.AsyncClient(trust_env=False) as client:
                metrics = (await client.get(f"{base}/metrics")).text
            assert 'newswire_feed_polls_total{feed="good"}' in metrics
            assert 'newswire_feed_consecutive_failures{feed="broken"}' in metrics
            assert 'newswire_feed_last_success_timestamp_seconds{feed="site"}' in metrics
            assert await asyncio.to_thread(feeds_main, ["status", "--url", base]) == 0
            table = capsys.readouterr().out
            assert [line.split()[0] for line in table.splitlines()[1:]] == ["good", "broken", "site"], table
            assert "malformed feed" in table
            assert alive(), log


@contextmanager
def moving_feed_site(
    total: int, window: int, step: int, late: int
) -> Iterator[tuple[Site, threading.Event, threading.Event]]:
    """A feed whose window of entries moves on by `step` at every GET; besides the moving window it always
    lists the same article under a tracking parameter, an alias page whose rel=canonical is /a/0, and a
    page that is gone (404). A second feed is empty until `late_switch` is set, then lists the first `late`
    articles again (an outlet's second feed that carries old stories) and sets `late_served`."""
    polls = Counter[str]()
    late_switch, late_served = threading.Event(), threading.Event()
    site_holder: list[Site] = []

    def moving(request: Request) -> Reply:
        base = site_holder[0].base
        polls["feed"] += 1
        start = min((polls["feed"] - 1) * step, total - window)
        links = [f"{base}/a/{n}" for n in range(start, start + window)]
        links += [f"{base}/a/dup?utm_source=rss", f"{base}/alias", f"{base}/gone"]
        return 200, XML, rss("Moving", links)

    def late_feed(request: Request) -> Reply:
        base = site_holder[0].base
        links = [f"{base}/a/{n}?utm_medium=late" for n in range(late)] if late_switch.is_set() else []
        if links:
            late_served.set()
        return 200, XML, rss("Late", links)

    routes: dict[str, Route] = {
        "/moving.xml": moving,
        "/late.xml": late_feed,
        "/alias": lambda h: (200, HTML, article_page("alias", canonical="/a/0")),
        "/a/*": article_route,
    }
    with Site(routes) as site:
        site_holder.append(site)
        yield site, late_switch, late_served


async def polling_instance(*namespaces: Namespace) -> int:
    """Index of the instance that polls the feeds (the group's leader), asked through its /feeds page."""
    deadline = time.monotonic() + 30
    async with httpx.AsyncClient(timeout=5, trust_env=False) as client:
        while time.monotonic() < deadline:
            for index, ns in enumerate(namespaces):
                try:
                    response = await client.get(f"http://127.0.0.1:{ns.ports['fetcher']}/feeds")
                except httpx.TransportError:
                    continue
                if response.status_code == 200 and response.json()["polling"]:
                    return index
            await asyncio.sleep(0.5)
    raise AssertionError("no fetcher instance is polling")


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "kill-9"])
async def test_b_two_instances_and_restarts_never_emit_an_article_twice(
    kafka_bootstrap: str, tmp_path: Path, stop: signal.Signals
) -> None:
    total = 30
    ns_a = Namespace(kafka_bootstrap, tmp_path / "a")
    ns_b = Namespace(kafka_bootstrap, tmp_path / "b", prefix=ns_a.prefix)  # one consumer group
    ns_c = Namespace(kafka_bootstrap, tmp_path / "c", prefix=ns_a.prefix)  # the stopped one, restarted
    for ns in (ns_a, ns_b, ns_c):
        ns.workdir.mkdir()
    with moving_feed_site(total=total, window=6, step=2, late=12) as (site, late_switch, late_served):
        feeds_file = tmp_path / "feeds.yaml"
        feeds_file.write_text(
            "feeds:\n"
            f"  - {{name: moving, url: '{site.base}/moving.xml', interval: 1}}\n"
            f"  - {{name: late, url: '{site.base}/late.xml', interval: 1}}\n"
        )
        env = fetcher_env(feeds_file, NEWSWIRE_KAFKA__PARTITIONS="4")
        expected = {article_id(canonicalize_url(f"{site.base}/a/{n}")) for n in range(total)}
        expected.add(article_id(canonicalize_url(f"{site.base}/a/dup")))
        raw_topic = ns_a.topic("articles.raw")

        def logs() -> str:
            return "\n".join(f"--- {n.workdir.name}\n{service_log(n, 'fetcher')}" for n in (ns_a, ns_b, ns_c))

        async def until(count: int, timeout_s: float) -> list[bytes]:
            return await collect(kafka_bootstrap, raw_topic, lambda v: len(set(ids_of(v))) >= count, timeout_s)

        started = time.monotonic()
        with running_service("fetcher", ns_a, **env) as first:
            await until(4, 45)
            with running_service("fetcher", ns_b, **env) as second:
                # Both instances must have fetched pages (the group has split the partitions) before one goes.
                health = await get_json(
                    f"http://127.0.0.1:{ns_b.ports['fetcher']}/healthz",
                    45,
                    lambda b: int(str(b.get("completed", 0))) > 0,
                )
                assert int(str(health.get("completed", 0))) > 0, logs()
                await until(10, 40)
                # Stop the instance that polls, so that polling moves over and the new poller queues the
                # entries already fetched once more: the seen-table must catch every one of them.
                processes = [first, second]
                leader = await polling_instance(ns_a, ns_b)
                processes[leader].send_signal(stop)
                processes[leader].wait(timeout=30)
                with running_service("fetcher", ns_c, **env) as restarted:
                    # After a kill -9 the dead member holds its partitions until the session times out (60 s).
                    # Once the restarted instance owns partitions (recovered from the changelog), old articles
                    # are queued again: the owners must know them from the seen-table alone.
                    status = await get_json(
                        f"http://127.0.0.1:{ns_c.ports['fetcher']}/feeds",
                        120 if stop == signal.SIGKILL else 60,
                        lambda b: bool(b.get("partitions")),
                    )
                    assert status.get("partitions"), logs()
                    late_switch.set()
                    raw = await until(len(expected), 60)
                    # An idle feed is polled less often (up to 8 intervals apart).
                    assert await asyncio.to_thread(late_served.wait, 30), logs()
                    await asyncio.sleep(4)  # time for a second copy, if there were one, to show up
                    raw = await collect(kafka_bootstrap, raw_topic, lambda v: False, 2)
                    assert restarted.poll() is None and processes[1 - leader].poll() is None, logs()
        elapsed = time.monotonic() - started
        ids = ids_of(raw)
        duplicates = {key: n for key, n in Counter(ids).items() if n > 1}
        assert duplicates == {}, logs()
        assert set(ids) == expected, (len(set(ids)), len(expected), logs())
        assert schema_errors("articles.raw", raw) == []
        queued = ids_of(await collect(kafka_bootstrap, ns_a.topic("fetcher.urls"), lambda v: False, 2))
        assert len(queued) > len(set(queued)), "the test must have sent some article to the fetchers twice"
        dead = await collect(kafka_bootstrap, ns_a.dlq("fetcher"), lambda v: False, 2)
        records = [orjson.loads(value) for value in dead]
        gone = article_id(canonicalize_url(f"{site.base}/gone"))
        assert [(r["key"], r["stage"]) for r in records] == [(gone, "page-fetch")], records
        assert "HTTP 404" in records[0]["error_message"]
        assert site.hits["/gone"] == 1 and site.hits["/alias"] == 1, site.hits
        if stop == signal.SIGTERM:  # a graceful stop finishes what it fetched: no page is fetched twice
            assert max(hits for path, hits in site.hits.items() if path.startswith("/a/")) == 1, site.hits
        print(
            f"{stop.name}: {len(ids)} articles from {len(queued)} requests ({len(set(queued))} distinct), "
            f"no duplicates, {elapsed:.0f}s"
        )


async def test_c_after_a_sigterm_the_next_poller_goes_on_from_the_feed_state_at_once(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    """The feed's interval (300 s) is far longer than the test: the new leader's poll is the hand-over
    poll, and it is conditional because the ETag the last leader got survived the hand-over."""
    ns_a = Namespace(kafka_bootstrap, tmp_path / "a")
    ns_b = Namespace(kafka_bootstrap, tmp_path / "b", prefix=ns_a.prefix)
    for ns in (ns_a, ns_b):
        ns.workdir.mkdir()
    feed_requests: list[tuple[float, str | None]] = []

    def feed(request: Request) -> Reply:
        validator = request.headers.get("If-None-Match")
        feed_requests.append((time.monotonic(), validator))
        if validator == '"v1"':
            return 304, {}, b""
        return 200, {**XML, "ETag": '"v1"'}, rss("Etag", [f"{site.base}/a/{n}" for n in range(3)])

    with Site({"/feed.xml": feed, "/a/*": article_route}) as site:
        feeds_file = tmp_path / "feeds.yaml"
        feeds_file.write_text(f"feeds:\n  - {{name: etag, url: '{site.base}/feed.xml', interval: 300}}\n")
        env = fetcher_env(feeds_file, NEWSWIRE_FETCHER__FIRST_POLL_SPREAD_S="0")
        raw_topic = ns_a.topic("articles.raw")

        def logs() -> str:
            return "\n".join(f"--- {n.workdir.name}\n{service_log(n, 'fetcher')}" for n in (ns_a, ns_b))

        with running_service("fetcher", ns_a, **env) as first:
            await collect(kafka_bootstrap, raw_topic, lambda v: len(set(ids_of(v))) >= 3, 45)
            polled = await get_json(
                f"http://127.0.0.1:{ns_a.ports['fetcher']}/feeds", 20, lambda b: _feed(b, "etag").get("successes") == 1
            )
            assert _feed(polled, "etag").get("successes") == 1, logs()
            first.send_signal(signal.SIGTERM)
            first.wait(timeout=30)
        assert len(feed_requests) == 1, feed_requests
        with running_service("fetcher", ns_b, **env) as second:
            started = time.monotonic()
            status = await get_json(
                f"http://127.0.0.1:{ns_b.ports['fetcher']}/feeds", 60, lambda b: _feed(b, "etag").get("polls") == 2
            )
            assert second.poll() is None, logs()
        record = _feed(status, "etag")
        assert len(feed_requests) == 2, (feed_requests, logs())
        (_, first_validator), (second_at, second_validator) = feed_requests
        assert (first_validator, second_validator) == (None, '"v1"'), "the hand-over poll is conditional"
        assert second_at - started < 60, "the new leader polls at once, not an interval later"
        assert (record["polls"], record["successes"], record["not_modified"], record["items_total"]) == (2, 2, 1, 3)
        raw = await collect(kafka_bootstrap, raw_topic, lambda v: False, 2)
        assert sorted(ids_of(raw)) == sorted({*ids_of(raw)}) and len(raw) == 3, "nothing fetched twice"

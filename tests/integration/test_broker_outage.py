"""A broker that goes away: the fetcher stays alive and says why it is not ready, its liveness probe does
not kill a process that is only waiting, and work resumes by itself once the broker is back on the same
address, with nothing in flight dropped."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx

from newswire.devtools.broker import LocalBroker
from newswire.fetcher.urls import article_id, canonicalize_url
from tests.integration.harness import Namespace, collect, running_service, service_log
from tests.integration.test_fetcher_resilience import XML, Site, article_route, fetcher_env, ids_of, rss


async def _probe(port: int, path: str) -> tuple[int, dict[str, object]]:
    async with httpx.AsyncClient(timeout=15, trust_env=False) as client:
        response = await client.get(f"http://127.0.0.1:{port}{path}")
        return response.status_code, response.json()


async def test_the_fetcher_waits_out_a_broker_outage_and_resumes_by_itself(tmp_path: Path) -> None:
    broker = LocalBroker(tmp_path / "kafka")
    bootstrap = broker.start()
    links: list[str] = []
    try:
        with Site({"/feed.xml": lambda h: (200, XML, rss("Outage", list(links))), "/a/*": article_route}) as site:
            links.append(f"{site.base}/a/before")
            feeds_file = tmp_path / "feeds.yaml"
            feeds_file.write_text(f"feeds:\n  - {{name: outage, url: '{site.base}/feed.xml', interval: 1}}\n")
            ns = Namespace(bootstrap, tmp_path / "svc")
            ns.workdir.mkdir()
            raw_topic = ns.topic("articles.raw")
            env = fetcher_env(feeds_file, NEWSWIRE_FETCHER__FIRST_POLL_SPREAD_S="0", NEWSWIRE_STALL_TIMEOUT_S="20")
            with running_service("fetcher", ns, **env) as fetcher:
                port = ns.ports["fetcher"]
                first = await collect(bootstrap, raw_topic, lambda v: len(v) >= 1, 60)
                assert len(first) == 1, service_log(ns, "fetcher")

                broker.stop()
                links.append(f"{site.base}/a/during")  # published while the broker is away
                await asyncio.sleep(30)  # longer than the stall timeout: waiting is not stalling
                assert fetcher.poll() is None, service_log(ns, "fetcher")
                ready_status, ready = await _probe(port, "/readyz")
                health_status, health = await _probe(port, "/healthz")
                assert ready_status == 503 and ready["checks"]["broker"], ready  # type: ignore[index]
                assert health_status == 200, (health, service_log(ns, "fetcher"))

                broker.start()
                assert broker.bootstrap == bootstrap, "the broker is back on the same address"
                back = time.monotonic()
                raw = await collect(bootstrap, raw_topic, lambda v: len(set(ids_of(v))) >= 2, 60)
                resumed_s = time.monotonic() - back
                assert fetcher.poll() is None, service_log(ns, "fetcher")
            expected = {article_id(canonicalize_url(link)) for link in links}
            assert set(ids_of(raw)) == expected, service_log(ns, "fetcher")
            assert resumed_s < 30, f"work resumed {resumed_s:.0f}s after the broker came back"
            print(f"outage: resumed {resumed_s:.1f}s after the broker's return; {len(raw)} articles")
    finally:
        broker.stop()


async def test_a_service_started_while_the_broker_is_away_waits_for_it(tmp_path: Path) -> None:
    broker = LocalBroker(tmp_path / "kafka")
    bootstrap = broker.start()
    broker.stop()  # the address is known; nothing answers on it
    try:
        with Site(
            {"/feed.xml": lambda h: (200, XML, rss("Late", [f"{site.base}/a/late"])), "/a/*": article_route}
        ) as site:
            feeds_file = tmp_path / "feeds.yaml"
            feeds_file.write_text(f"feeds:\n  - {{name: late, url: '{site.base}/feed.xml', interval: 1}}\n")
            ns = Namespace(bootstrap, tmp_path / "svc")
            ns.workdir.mkdir()
            env = fetcher_env(feeds_file, NEWSWIRE_FETCHER__FIRST_POLL_SPREAD_S="0")
            with running_service("fetcher", ns, **env) as fetcher:
                await asyncio.sleep(12)
                assert fetcher.poll() is None, service_log(ns, "fetcher")
                assert "waiting for the broker" in service_log(ns, "fetcher")
                broker.start()
                raw = await collect(bootstrap, ns.topic("articles.raw"), lambda v: len(v) >= 1, 60)
                assert fetcher.poll() is None, service_log(ns, "fetcher")
            assert ids_of(raw) == [article_id(canonicalize_url(f"{site.base}/a/late"))], service_log(ns, "fetcher")
    finally:
        broker.stop()

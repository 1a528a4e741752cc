from __future__ import annotations

import asyncio

import pytest

from newswire.fetcher.robots import RobotsCache, RobotsFetchFailed
from newswire.fetcher.ssrf import BlockedAddress, SsrfGuard


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://localhost:8080/",
        "http://10.1.2.3/",
        "http://172.16.0.1/",
        "http://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://0.0.0.0/",
        "http://224.0.0.1/",
        "http://240.0.0.1/",
        "http://100.64.0.1/",
        "http://[::1]/",
        "http://[fe80::1]/",
        "http://[fc00::1]/",
        "http://[::ffff:10.0.0.1]/",
        "http://2130706433/",
    ],
)
async def test_non_public_addresses_are_blocked(url: str) -> None:
    with pytest.raises(BlockedAddress):
        await SsrfGuard([]).check(url)


async def test_allow_list_admits_addresses_and_networks() -> None:
    await SsrfGuard(["127.0.0.1"]).check("http://127.0.0.1:9999/x")
    await SsrfGuard(["10.0.0.0/8"]).check("http://10.20.30.40/")
    with pytest.raises(BlockedAddress):
        await SsrfGuard(["127.0.0.1"]).check("http://10.0.0.1/")


async def test_public_literal_is_allowed_without_dns() -> None:
    await SsrfGuard([]).check("https://93.184.216.34/")
    await SsrfGuard([]).check("https://[2606:4700:4700::1111]/")


async def test_robots_cache_fetches_once_and_applies_rules() -> None:
    calls: list[str] = []

    async def fetch(url: str) -> tuple[int, bytes]:
        calls.append(url)
        return 200, b"User-agent: newswire\nDisallow: /no/\nCrawl-delay: 3\n\nUser-agent: *\nDisallow: /\n"

    cache = RobotsCache(fetch, "newswire/0.1 (+https://example.org)")
    assert await cache.allowed("https://site.example/yes/1")
    assert not await cache.allowed("https://site.example/no/1")
    assert await cache.crawl_delay("https://site.example/") == 3.0
    assert calls == ["https://site.example/robots.txt"]


async def test_robots_cache_status_semantics_and_ttl() -> None:
    now = [0.0]
    status = {"code": 404}

    async def fetch(url: str) -> tuple[int, bytes]:
        if status["code"] == 0:
            raise RobotsFetchFailed("timeout")
        return status["code"], b""

    cache = RobotsCache(fetch, "newswire", ttl=100.0, error_ttl=10.0, clock=lambda: now[0])
    assert await cache.allowed("https://a.example/x")  # 404: allow all
    status["code"] = 0
    now[0] = 101.0  # expired: refetch, which now times out
    assert not await cache.allowed("https://a.example/x")
    status["code"] = 503
    assert not await cache.allowed("https://b.example/x")
    status["code"] = 404
    now[0] = 112.0  # error entries expire sooner
    assert await cache.allowed("https://a.example/x")


async def test_robots_cache_single_flight_per_origin() -> None:
    calls: list[str] = []
    release = asyncio.Event()

    async def fetch(url: str) -> tuple[int, bytes]:
        calls.append(url)
        await release.wait()
        return 200, b"User-agent: *\nDisallow: /x\n"

    cache = RobotsCache(fetch, "newswire")
    waiters = [asyncio.create_task(cache.allowed(f"https://s.example/{path}")) for path in ("a", "x", "b")]
    await asyncio.sleep(0.01)
    release.set()
    assert await asyncio.gather(*waiters) == [True, False, True]
    assert calls == ["https://s.example/robots.txt"]
    assert cache.fetches == 1

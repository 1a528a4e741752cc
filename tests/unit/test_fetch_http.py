"""PoliteFetcher against real HTTP servers on 127.0.0.1 (aiohttp.web), no mocked transport."""

from __future__ import annotations

import asyncio
import gzip
import itertools
import time
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from aiohttp import web

from newswire.fetcher.client import PoliteFetcher, parse_retry_after
from newswire.fetcher.errors import FetchError
from newswire.fetcher.feeds import FeedError, parse_feed
from newswire.fetcher.policy import FetchPolicy
from newswire.fetcher.ssrf import BlockedAddress

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
ARABIC = "أعلنت وزارة الصحة في العاصمة أن عدد القتلى ارتفع إلى اثني عشر شخصا بعد انفجار في سوق مزدحم. "
JAPANESE = (
    "東京で大規模な抗議活動が行われ、数千人が政府の新しい政策に反対して行進した。警察によると、けが人はいなかった。"
)


class LocalServer:
    """An aiohttp app on 127.0.0.1 with a route table and a log of (path, monotonic start) per request."""

    def __init__(self) -> None:
        self.routes: dict[str, Handler] = {}
        self.hits: list[tuple[str, float]] = []
        self.headers_seen: list[dict[str, str]] = []
        self._runner: web.AppRunner | None = None
        self.port = 0

    def route(self, path: str) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.routes[path] = handler
            return handler

        return register

    def count(self, path: str) -> int:
        return sum(1 for hit, _ in self.hits if hit == path)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        self.hits.append((request.path, time.monotonic()))
        self.headers_seen.append(dict(request.headers))
        handler = self.routes.get(request.path)
        if handler is None:
            return web.Response(status=404, text="not found")
        return await handler(request)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("GET", "/{tail:.*}", self._dispatch)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


@pytest.fixture
async def server() -> AsyncIterator[LocalServer]:
    local = LocalServer()
    await local.start()
    yield local
    await local.stop()


def make_policy(**overrides: object) -> FetchPolicy:
    settings: dict[str, object] = {
        "allow_private": ["127.0.0.1"],
        "per_host_delay": 0.0,
        "backoff_base": 0.01,
        "backoff_max": 0.05,
        "connect_timeout": 2.0,
        "read_timeout": 2.0,
        "total_timeout": 5.0,
        "respect_robots": False,
        "max_bytes": 64 * 1024,
    }
    settings.update(overrides)
    return FetchPolicy.model_validate(settings)


@pytest.fixture
async def fetcher() -> AsyncIterator[PoliteFetcher]:
    async with PoliteFetcher(make_policy()) as polite:
        yield polite


def html_page(body: str, head: str = "") -> str:
    return f"<!doctype html><html><head>{head}<title>t</title></head><body><p>{body}</p></body></html>"


async def test_fetch_page_decodes_html_and_sends_our_user_agent(server: LocalServer, fetcher: PoliteFetcher) -> None:
    @server.route("/article")
    async def article(request: web.Request) -> web.Response:
        return web.Response(text=html_page("Café crème"), content_type="text/html", charset="utf-8")

    page = await fetcher.fetch_page(server.url("/article"))
    assert page.status == 200
    assert "Café crème" in page.text
    assert page.charset == "utf-8"
    assert page.final_url == server.url("/article")
    assert not page.truncated
    assert page.bytes == len(page.body) > 0
    agent = server.headers_seen[-1]["User-Agent"]
    assert "newswire" in agent
    assert "https://" in agent


async def test_feed_conditional_get_304(server: LocalServer, fetcher: PoliteFetcher) -> None:
    feed_body = b"<rss version='2.0'><channel><title>x</title></channel></rss>"

    @server.route("/feed.xml")
    async def feed(request: web.Request) -> web.Response:
        if request.headers.get("If-None-Match") == '"v1"':
            return web.Response(status=304, headers={"ETag": '"v1"'})
        return web.Response(
            body=feed_body,
            content_type="application/rss+xml",
            headers={"ETag": '"v1"', "Last-Modified": "Tue, 10 Nov 2026 10:00:00 GMT"},
        )

    first = await fetcher.fetch_feed(server.url("/feed.xml"))
    assert first.status == 200
    assert not first.not_modified
    assert first.body == feed_body
    assert first.etag == '"v1"'
    second = await fetcher.fetch_feed(server.url("/feed.xml"), etag=first.etag, last_modified=first.last_modified)
    assert second.status == 304
    assert second.not_modified
    assert second.body == b""
    assert second.etag == '"v1"'
    assert server.headers_seen[-1]["If-Modified-Since"] == "Tue, 10 Nov 2026 10:00:00 GMT"


async def test_robots_disallow_is_honoured_and_cached(server: LocalServer) -> None:
    @server.route("/robots.txt")
    async def robots(request: web.Request) -> web.Response:
        return web.Response(text="User-agent: *\nDisallow: /private/\n", content_type="text/plain")

    @server.route("/public/a")
    async def public(request: web.Request) -> web.Response:
        return web.Response(text=html_page("ok"), content_type="text/html")

    @server.route("/private/a")
    async def private(request: web.Request) -> web.Response:
        return web.Response(text=html_page("secret"), content_type="text/html")

    async with PoliteFetcher(make_policy(respect_robots=True)) as polite:
        page = await polite.fetch_page(server.url("/public/a"))
        assert "ok" in page.text
        with pytest.raises(FetchError) as caught:
            await polite.fetch_page(server.url("/private/a"))
        assert caught.value.permanent
        assert "robots" in caught.value.reason
    assert server.count("/private/a") == 0
    assert server.count("/robots.txt") == 1


async def test_robots_server_error_disallows_and_404_allows(server: LocalServer) -> None:
    @server.route("/robots.txt")
    async def robots(request: web.Request) -> web.Response:
        return web.Response(status=500)

    @server.route("/page")
    async def page(request: web.Request) -> web.Response:
        return web.Response(text=html_page("x"), content_type="text/html")

    async with PoliteFetcher(make_policy(respect_robots=True, max_retries=0)) as polite:
        with pytest.raises(FetchError, match="robots"):
            await polite.fetch_page(server.url("/page"))
    assert server.count("/page") == 0

    del server.routes["/robots.txt"]  # now a 404: no rules, everything allowed
    async with PoliteFetcher(make_policy(respect_robots=True)) as polite:
        assert "x" in (await polite.fetch_page(server.url("/page"))).text


async def test_per_host_delay_is_measured_from_request_starts(server: LocalServer) -> None:
    @server.route("/p")
    async def page(request: web.Request) -> web.Response:
        return web.Response(text=html_page("x"), content_type="text/html")

    delay = 0.25
    async with PoliteFetcher(make_policy(per_host_delay=delay, per_host_concurrency=4)) as polite:
        await asyncio.gather(*(polite.fetch_page(server.url("/p")) for _ in range(4)))
    starts = sorted(at for path, at in server.hits if path == "/p")
    gaps = [later - earlier for earlier, later in itertools.pairwise(starts)]
    assert len(gaps) == 3
    assert min(gaps) >= delay * 0.9, gaps


async def test_per_host_delay_holds_while_requests_wait_for_a_global_slot(server: LocalServer) -> None:
    """A request that waits for a global slot starts later than it was let through its host's gate; the
    host's next request must count its delay from the real start. (Under a 10,000-URL backlog the global
    limit is always full, and two requests to one host went out 0.43 s apart against a 1 s delay.)"""

    @server.route("/p")
    async def page(request: web.Request) -> web.Response:
        return web.Response(text=html_page("x"), content_type="text/html")

    @server.route("/slow")
    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(0.3)
        return web.Response(text=html_page("slow"), content_type="text/html")

    delay = 0.3
    other_host = server.url("/slow").replace("127.0.0.1", "localhost")
    policy = make_policy(per_host_delay=delay, per_host_concurrency=2, global_concurrency=1)
    async with PoliteFetcher(policy) as polite:
        blocker = asyncio.create_task(polite.fetch_page(other_host))  # holds the one global slot
        await asyncio.sleep(0.05)
        await asyncio.gather(*(polite.fetch_page(server.url("/p")) for _ in range(3)))
        await blocker
    starts = sorted(at for path, at in server.hits if path == "/p")
    gaps = [later - earlier for earlier, later in itertools.pairwise(starts)]
    assert len(gaps) == 2
    assert min(gaps) >= delay * 0.9, gaps


async def test_retry_after_is_honoured_and_retries_counted(server: LocalServer, fetcher: PoliteFetcher) -> None:
    state = {"calls": 0}

    @server.route("/busy")
    async def busy(request: web.Request) -> web.Response:
        state["calls"] += 1
        if state["calls"] == 1:
            return web.Response(status=429, headers={"Retry-After": "1"})
        return web.Response(text=html_page("finally"), content_type="text/html")

    started = time.monotonic()
    page = await fetcher.fetch_page(server.url("/busy"))
    waited = time.monotonic() - started
    assert "finally" in page.text
    assert waited >= 0.95, waited  # backoff alone would be <= 0.05 s
    assert page.retries == 1
    assert fetcher.stats.retries == 1
    assert fetcher.stats.retries_by_host[f"127.0.0.1:{server.port}"] == 1
    starts = [at for path, at in server.hits if path == "/busy"]
    assert starts[1] - starts[0] >= 0.95


async def test_retry_after_beyond_limit_fails_transiently(server: LocalServer) -> None:
    @server.route("/later")
    async def later(request: web.Request) -> web.Response:
        when = datetime.now(UTC) + timedelta(hours=2)
        return web.Response(status=503, headers={"Retry-After": format_datetime(when, usegmt=True)})

    async with PoliteFetcher(make_policy(retry_after_max=60)) as polite:
        with pytest.raises(FetchError) as caught:
            await polite.fetch_page(server.url("/later"))
    error = caught.value
    assert not error.permanent
    assert error.status == 503
    assert error.retry_after is not None
    assert error.retry_after > 7000
    assert server.count("/later") == 1


async def test_transient_5xx_is_retried_then_reported(server: LocalServer) -> None:
    @server.route("/down")
    async def down(request: web.Request) -> web.Response:
        return web.Response(status=502)

    async with PoliteFetcher(make_policy(max_retries=2)) as polite:
        with pytest.raises(FetchError) as caught:
            await polite.fetch_page(server.url("/down"))
        assert polite.stats.retries == 2
    assert not caught.value.permanent
    assert caught.value.status == 502
    assert caught.value.retries == 2
    assert server.count("/down") == 3


async def test_404_is_permanent_and_not_retried(server: LocalServer, fetcher: PoliteFetcher) -> None:
    with pytest.raises(FetchError) as caught:
        await fetcher.fetch_page(server.url("/missing"))
    assert caught.value.permanent
    assert caught.value.status == 404
    assert server.count("/missing") == 1


async def test_redirects_are_followed_and_loops_refused(server: LocalServer, fetcher: PoliteFetcher) -> None:
    @server.route("/old")
    async def old(request: web.Request) -> web.Response:
        raise web.HTTPMovedPermanently("/new")

    @server.route("/new")
    async def new(request: web.Request) -> web.Response:
        return web.Response(text=html_page("moved"), content_type="text/html")

    @server.route("/loop-a")
    async def loop_a(request: web.Request) -> web.Response:
        raise web.HTTPFound("/loop-b")

    @server.route("/loop-b")
    async def loop_b(request: web.Request) -> web.Response:
        raise web.HTTPFound("/loop-a")

    page = await fetcher.fetch_page(server.url("/old"))
    assert page.final_url == server.url("/new")
    assert page.redirects == 1
    with pytest.raises(FetchError, match="redirect loop") as caught:
        await fetcher.fetch_page(server.url("/loop-a"))
    assert caught.value.permanent


async def test_redirect_limit(server: LocalServer) -> None:
    @server.route("/hop")
    async def hop(request: web.Request) -> web.Response:
        step = int(request.query.get("n", "0"))
        raise web.HTTPFound(f"/hop?n={step + 1}")

    async with PoliteFetcher(make_policy(max_redirects=3)) as polite:
        with pytest.raises(FetchError, match="too many redirects"):
            await polite.fetch_page(server.url("/hop"))
    assert server.count("/hop") == 4


@pytest.mark.parametrize("target", ["http://10.0.0.1/internal", "http://169.254.169.254/latest/meta-data/"])
async def test_redirect_to_private_address_is_refused(server: LocalServer, fetcher: PoliteFetcher, target: str) -> None:
    @server.route("/bounce")
    async def bounce(request: web.Request) -> web.Response:
        raise web.HTTPFound(target)

    started = time.monotonic()
    with pytest.raises(FetchError, match="blocked address") as caught:
        await fetcher.fetch_page(server.url("/bounce"))
    assert caught.value.permanent
    assert time.monotonic() - started < 1.0  # refused before any connection attempt could time out


async def test_loopback_refused_without_allow_list(server: LocalServer) -> None:
    async with PoliteFetcher(make_policy(allow_private=[])) as polite:
        with pytest.raises(FetchError, match="loopback"):
            await polite.fetch_page(server.url("/anything"))
    assert server.hits == []


async def test_gzip_bomb_is_refused(server: LocalServer, fetcher: PoliteFetcher) -> None:
    bomb = gzip.compress(b"<html>" + b"\0" * (20 * 1024 * 1024), compresslevel=9)

    @server.route("/bomb")
    async def serve(request: web.Request) -> web.Response:
        return web.Response(body=bomb, headers={"Content-Type": "text/html", "Content-Encoding": "gzip"})

    with pytest.raises(FetchError, match="decompression bomb") as caught:
        await fetcher.fetch_page(server.url("/bomb"))
    assert caught.value.permanent


async def test_gzip_page_within_cap_is_decoded(server: LocalServer, fetcher: PoliteFetcher) -> None:
    body = html_page("compressed news " * 100).encode()

    @server.route("/gz")
    async def serve(request: web.Request) -> web.Response:
        return web.Response(body=gzip.compress(body), headers={"Content-Type": "text/html", "Content-Encoding": "gzip"})

    page = await fetcher.fetch_page(server.url("/gz"))
    assert page.body == body
    assert page.wire_bytes < len(body)


async def test_oversized_page_is_truncated_or_refused(server: LocalServer) -> None:
    big = html_page("word " * 60_000).encode()  # ~300 KB, cap is 64 KiB

    @server.route("/big")
    async def serve(request: web.Request) -> web.Response:
        return web.Response(body=big, content_type="text/html")

    async with PoliteFetcher(make_policy()) as polite:
        page = await polite.fetch_page(server.url("/big"))
    assert page.truncated
    assert page.bytes == 64 * 1024
    assert page.body == big[: 64 * 1024]

    async with PoliteFetcher(make_policy(oversize="refuse")) as polite:
        with pytest.raises(FetchError, match="too large") as caught:
            await polite.fetch_page(server.url("/big"))
    assert caught.value.permanent


async def test_oversized_feed_is_refused(server: LocalServer, fetcher: PoliteFetcher) -> None:
    @server.route("/huge.xml")
    async def serve(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
        await response.prepare(request)
        for _ in range(200):
            await response.write(b"<item>" + b"x" * 1024 + b"</item>")
        return response

    with pytest.raises(FetchError, match="too large"):
        await fetcher.fetch_feed(server.url("/huge.xml"))


async def test_slow_drip_is_cut_off_by_total_timeout(server: LocalServer) -> None:
    @server.route("/drip")
    async def drip(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/html"})
        await response.prepare(request)
        await response.write(b"<html><body>")
        for _ in range(100):
            await asyncio.sleep(0.1)  # each byte beats the read timeout; only the total timeout can stop it
            await response.write(b"x")
        return response

    async with PoliteFetcher(make_policy(total_timeout=0.6, read_timeout=1.0, max_retries=0)) as polite:
        started = time.monotonic()
        with pytest.raises(FetchError, match="total timeout") as caught:
            await polite.fetch_page(server.url("/drip"))
        elapsed = time.monotonic() - started
    assert not caught.value.permanent
    assert 0.5 < elapsed < 1.5, elapsed


async def test_non_html_page_is_a_permanent_error(server: LocalServer, fetcher: PoliteFetcher) -> None:
    @server.route("/doc.pdf")
    async def pdf(request: web.Request) -> web.Response:
        return web.Response(body=b"%PDF-1.4 ...", content_type="application/pdf")

    with pytest.raises(FetchError, match="not HTML") as caught:
        await fetcher.fetch_page(server.url("/doc.pdf"))
    assert caught.value.permanent


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        pytest.param(html_page(ARABIC * 3).encode("cp1256"), "text/html", ARABIC.strip(), id="windows-1256-no-charset"),
        pytest.param(
            html_page(ARABIC * 3).encode("cp1256"),
            "text/html; charset=iso-8859-1",
            ARABIC.strip(),
            id="windows-1256-labelled-latin1",
        ),
        pytest.param(
            html_page(JAPANESE * 2).encode("shift_jis"),
            "text/html; charset=Shift_JIS",
            JAPANESE,
            id="shift-jis-declared",
        ),
        pytest.param(
            html_page(JAPANESE * 2, head='<meta charset="shift_jis">').encode("shift_jis"),
            "text/html",
            JAPANESE,
            id="shift-jis-meta-only",
        ),
        pytest.param(
            html_page("Zürich, São Paulo, Kraków — “quoted” " * 3).encode("utf-8"),
            "text/html; charset=ISO-8859-1",
            "Zürich, São Paulo, Kraków — “quoted”",
            id="utf8-served-as-latin1",
        ),
        pytest.param(
            html_page("Une manifestation à Besançon a réuni des élèves et des ouvriers. " * 3).encode("cp1252"),
            "text/html; charset=ISO-8859-1",
            "Une manifestation à Besançon a réuni des élèves",
            id="real-latin1",
        ),
        pytest.param(
            html_page("Власти сообщили, что при взрыве на рынке погибли двенадцать человек. " * 3).encode("cp1251"),
            "text/html",
            "Власти сообщили, что при взрыве на рынке погибли",
            id="windows-1251-no-charset",
        ),
        pytest.param(
            html_page("Le gouvernement a annoncé que douze personnes étaient mortes à Paris. " * 40).encode("cp1252"),
            "text/html",
            "étaient mortes à Paris",
            id="windows-1252-no-charset",
        ),
    ],
)
async def test_charsets_never_arrive_as_mojibake(
    server: LocalServer, fetcher: PoliteFetcher, body: bytes, content_type: str, expected: str
) -> None:
    @server.route("/enc")
    async def serve(request: web.Request) -> web.Response:
        return web.Response(body=body, headers={"Content-Type": content_type})

    page = await fetcher.fetch_page(server.url("/enc"))
    assert expected in page.text
    assert "\ufffd" not in page.text


def test_parse_retry_after_forms() -> None:
    assert parse_retry_after("120") == 120.0
    now = time.time()
    when = format_datetime(datetime.fromtimestamp(now + 90, UTC), usegmt=True)
    assert parse_retry_after(when, now=now) == pytest.approx(90, abs=1.5)
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


async def test_connect_time_guard_refuses_even_if_precheck_is_bypassed(server: LocalServer) -> None:
    """The transport itself re-resolves and refuses, which is what defeats DNS rebinding."""
    async with PoliteFetcher(make_policy(allow_private=[])) as polite:
        with pytest.raises(BlockedAddress):
            await polite._client.get(server.url("/anything"))
    assert server.hits == []


async def test_per_host_concurrency_limit(server: LocalServer) -> None:
    state = {"now": 0, "peak": 0}

    @server.route("/slow")
    async def slow(request: web.Request) -> web.Response:
        state["now"] += 1
        state["peak"] = max(state["peak"], state["now"])
        await asyncio.sleep(0.1)
        state["now"] -= 1
        return web.Response(text=html_page("x"), content_type="text/html")

    async with PoliteFetcher(make_policy(per_host_concurrency=2)) as polite:
        await asyncio.gather(*(polite.fetch_page(server.url("/slow")) for _ in range(6)))
    assert state["peak"] == 2


async def test_robots_crawl_delay_raises_the_per_host_delay(server: LocalServer) -> None:
    @server.route("/robots.txt")
    async def robots(request: web.Request) -> web.Response:
        return web.Response(text="User-agent: *\nCrawl-delay: 0.3\n", content_type="text/plain")

    @server.route("/p")
    async def page(request: web.Request) -> web.Response:
        return web.Response(text=html_page("x"), content_type="text/html")

    async with PoliteFetcher(make_policy(respect_robots=True, per_host_delay=0.0)) as polite:
        await polite.fetch_page(server.url("/p"))
        await polite.fetch_page(server.url("/p"))
    starts = [at for path, at in server.hits if path == "/p"]
    assert starts[1] - starts[0] >= 0.27


async def test_deflate_encoding_both_flavours(server: LocalServer, fetcher: PoliteFetcher) -> None:
    body = html_page("deflated " * 50).encode()
    raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    raw_deflate = raw.compress(body) + raw.flush()

    @server.route("/zlib")
    async def zlib_wrapped(request: web.Request) -> web.Response:
        return web.Response(
            body=zlib.compress(body), headers={"Content-Type": "text/html", "Content-Encoding": "deflate"}
        )

    @server.route("/raw")
    async def raw_deflated(request: web.Request) -> web.Response:
        return web.Response(body=raw_deflate, headers={"Content-Type": "text/html", "Content-Encoding": "deflate"})

    assert (await fetcher.fetch_page(server.url("/zlib"))).body == body
    assert (await fetcher.fetch_page(server.url("/raw"))).body == body


async def test_feed_discovery_and_parse_over_http(server: LocalServer, fetcher: PoliteFetcher) -> None:
    atom = (FIXTURES / "atom.xml").read_bytes()

    @server.route("/")
    async def home(request: web.Request) -> web.Response:
        head = '<link rel="alternate" type="application/atom+xml" title="Atom" href="/feeds/all.atom">'
        return web.Response(text=html_page("home", head=head), content_type="text/html")

    @server.route("/feeds/all.atom")
    async def feed(request: web.Request) -> web.Response:
        return web.Response(body=atom, content_type="application/atom+xml")

    home_result = await fetcher.fetch_feed(server.url("/"))
    with pytest.raises(FeedError) as caught:
        parse_feed(home_result.body, url=home_result.final_url, content_type=home_result.content_type)
    assert caught.value.html_page
    found = await fetcher.discover_feed_urls(server.url("/"))
    assert found == [server.url("/feeds/all.atom")]
    result = await fetcher.fetch_feed(found[0])
    parsed = parse_feed(result.body, url=result.final_url, content_type=result.content_type)
    assert [entry.title for entry in parsed.entries] == ["Protest in the capital", "Only updated date"]


async def test_failure_categories_are_counted(server: LocalServer, fetcher: PoliteFetcher) -> None:
    with pytest.raises(FetchError):
        await fetcher.fetch_page(server.url("/nope"))
    with pytest.raises(FetchError):
        await fetcher.fetch_page("ftp://example.org/file")
    assert fetcher.stats.failures_by_reason == {"HTTP 404": 1, "unsupported URL": 1}


def test_the_user_agent_carries_the_contact_url_from_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from newswire.fetcher.settings import FetcherSettings

    monkeypatch.setenv("NEWSWIRE_FETCHER__POLICY__CONTACT_URL", "https://ops.example.org/newswire")
    agent = FetcherSettings().fetcher.policy.user_agent
    assert agent.startswith("newswire/")
    assert "(+https://ops.example.org/newswire;" in agent
    with pytest.raises(ValueError, match="must name newswire"):
        FetchPolicy(user_agent="curl/8.0")

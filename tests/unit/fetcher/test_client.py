"""PoliteFetcher against a real HTTP server on 127.0.0.1 (tests/support/http.py), no mocked transport."""

from __future__ import annotations

import asyncio
import gzip
import itertools
import threading
import time
import zlib
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from newswire.fetcher.client import PoliteFetcher, parse_retry_after
from newswire.fetcher.errors import FetchError
from newswire.fetcher.feeds import FeedError, parse_feed
from newswire.fetcher.policy import FetchPolicy
from newswire.fetcher.ssrf import BlockedAddress
from tests.support import paths
from tests.support.http import LocalHttpServer, Reply, Request, redirect, text

FIXTURES = paths.FIXTURES / "feeds"
ARABIC = "أعلنت وزارة الصحة في العاصمة أن عدد القتلى ارتفع إلى اثني عشر شخصا بعد انفجار في سوق مزدحم. "
JAPANESE = (
    "東京で大規模な抗議活動が行われ、数千人が政府の新しい政策に反対して行進した。警察によると、けが人はいなかった。"
)


@pytest.fixture
def server(http_server: LocalHttpServer) -> LocalHttpServer:
    return http_server


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


async def test_fetch_page_decodes_html_and_sends_our_user_agent(
    server: LocalHttpServer, fetcher: PoliteFetcher
) -> None:
    @server.route("/article")
    def article(request: Request) -> Reply:
        return text(html_page("Café crème"), "text/html")

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


async def test_feed_conditional_get_304(server: LocalHttpServer, fetcher: PoliteFetcher) -> None:
    feed_body = b"<rss version='2.0'><channel><title>x</title></channel></rss>"

    @server.route("/feed.xml")
    def feed(request: Request) -> Reply:
        if request.headers.get("If-None-Match") == '"v1"':
            return (304, {"ETag": '"v1"'}, b"")
        return (
            200,
            {"Content-Type": "application/rss+xml", "ETag": '"v1"', "Last-Modified": "Tue, 10 Nov 2026 10:00:00 GMT"},
            feed_body,
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


async def test_robots_disallow_is_honoured_and_cached(server: LocalHttpServer) -> None:
    @server.route("/robots.txt")
    def robots(request: Request) -> Reply:
        return text("User-agent: *\nDisallow: /private/\n", "text/plain")

    @server.route("/public/a")
    def public(request: Request) -> Reply:
        return text(html_page("ok"), "text/html")

    @server.route("/private/a")
    def private(request: Request) -> Reply:
        return text(html_page("secret"), "text/html")

    async with PoliteFetcher(make_policy(respect_robots=True)) as polite:
        page = await polite.fetch_page(server.url("/public/a"))
        assert "ok" in page.text
        with pytest.raises(FetchError) as caught:
            await polite.fetch_page(server.url("/private/a"))
        assert caught.value.permanent
        assert "robots" in caught.value.reason
    assert server.count("/private/a") == 0
    assert server.count("/robots.txt") == 1


async def test_robots_server_error_disallows_and_404_allows(server: LocalHttpServer) -> None:
    @server.route("/robots.txt")
    def robots(request: Request) -> Reply:
        return (500, {}, b"")

    @server.route("/page")
    def page(request: Request) -> Reply:
        return text(html_page("x"), "text/html")

    async with PoliteFetcher(make_policy(respect_robots=True, max_retries=0)) as polite:
        with pytest.raises(FetchError, match="robots"):
            await polite.fetch_page(server.url("/page"))
    assert server.count("/page") == 0

    del server.routes["/robots.txt"]  # now a 404: no rules, everything allowed
    async with PoliteFetcher(make_policy(respect_robots=True)) as polite:
        assert "x" in (await polite.fetch_page(server.url("/page"))).text


async def test_per_host_delay_is_measured_from_request_starts(server: LocalHttpServer) -> None:
    @server.route("/p")
    def page(request: Request) -> Reply:
        return text(html_page("x"), "text/html")

    delay = 0.25
    async with PoliteFetcher(make_policy(per_host_delay=delay, per_host_concurrency=4)) as polite:
        await asyncio.gather(*(polite.fetch_page(server.url("/p")) for _ in range(4)))
    starts = sorted(hit.at for hit in server.requests_to("/p"))
    gaps = [later - earlier for earlier, later in itertools.pairwise(starts)]
    assert len(gaps) == 3
    assert min(gaps) >= delay * 0.9, gaps


async def test_per_host_delay_holds_while_requests_wait_for_a_global_slot(server: LocalHttpServer) -> None:
    """A request that waits for a global slot starts later than it was let through its host's gate; the
    host's next request must count its delay from the real start. (Under a 10,000-URL backlog the global
    limit is always full, and two requests to one host went out 0.43 s apart against a 1 s delay.)"""

    @server.route("/p")
    def page(request: Request) -> Reply:
        return text(html_page("x"), "text/html")

    @server.route("/slow")
    def slow(request: Request) -> Reply:
        time.sleep(0.3)
        return text(html_page("slow"), "text/html")

    delay = 0.3
    other_host = server.url("/slow").replace("127.0.0.1", "localhost")
    policy = make_policy(per_host_delay=delay, per_host_concurrency=2, global_concurrency=1)
    async with PoliteFetcher(policy) as polite:
        blocker = asyncio.create_task(polite.fetch_page(other_host))  # holds the one global slot
        await asyncio.sleep(0.05)
        await asyncio.gather(*(polite.fetch_page(server.url("/p")) for _ in range(3)))
        await blocker
    starts = sorted(hit.at for hit in server.requests_to("/p"))
    gaps = [later - earlier for earlier, later in itertools.pairwise(starts)]
    assert len(gaps) == 2
    assert min(gaps) >= delay * 0.9, gaps


async def test_retry_after_is_honoured_and_retries_counted(server: LocalHttpServer, fetcher: PoliteFetcher) -> None:
    state = {"calls": 0}

    @server.route("/busy")
    def busy(request: Request) -> Reply:
        state["calls"] += 1
        if state["calls"] == 1:
            return (429, {"Retry-After": "1"}, b"")
        return text(html_page("finally"), "text/html")

    started = time.monotonic()
    page = await fetcher.fetch_page(server.url("/busy"))
    waited = time.monotonic() - started
    assert "finally" in page.text
    assert waited >= 0.95, waited  # backoff alone would be <= 0.05 s
    assert page.retries == 1
    assert fetcher.stats.retries == 1
    assert fetcher.stats.retries_by_host[f"127.0.0.1:{server.port}"] == 1
    starts = [hit.at for hit in server.requests_to("/busy")]
    assert starts[1] - starts[0] >= 0.95


async def test_retry_after_beyond_limit_fails_transiently(server: LocalHttpServer) -> None:
    @server.route("/later")
    def later(request: Request) -> Reply:
        when = datetime.now(UTC) + timedelta(hours=2)
        return (503, {"Retry-After": format_datetime(when, usegmt=True)}, b"")

    async with PoliteFetcher(make_policy(retry_after_max=60)) as polite:
        with pytest.raises(FetchError) as caught:
            await polite.fetch_page(server.url("/later"))
    error = caught.value
    assert not error.permanent
    assert error.status == 503
    assert error.retry_after is not None
    assert error.retry_after > 7000
    assert server.count("/later") == 1


async def test_transient_5xx_is_retried_then_reported(server: LocalHttpServer) -> None:
    @server.route("/down")
    def down(request: Request) -> Reply:
        return (502, {}, b"")

    async with PoliteFetcher(make_policy(max_retries=2)) as polite:
        with pytest.raises(FetchError) as caught:
            await polite.fetch_page(server.url("/down"))
        assert polite.stats.retries == 2
    assert not caught.value.permanent
    assert caught.value.status == 502
    assert caught.value.retries == 2
    assert server.count("/down") == 3


async def test_404_is_permanent_and_not_retried(server: LocalHttpServer, fetcher: PoliteFetcher) -> None:
    with pytest.raises(FetchError) as caught:
        await fetcher.fetch_page(server.url("/missing"))
    assert caught.value.permanent
    assert caught.value.status == 404
    assert server.count("/missing") == 1


async def test_redirects_are_followed_and_loops_refused(server: LocalHttpServer, fetcher: PoliteFetcher) -> None:
    @server.route("/old")
    def old(request: Request) -> Reply:
        return redirect("/new", 301)

    @server.route("/new")
    def new(request: Request) -> Reply:
        return text(html_page("moved"), "text/html")

    @server.route("/loop-a")
    def loop_a(request: Request) -> Reply:
        return redirect("/loop-b")

    @server.route("/loop-b")
    def loop_b(request: Request) -> Reply:
        return redirect("/loop-a")

    page = await fetcher.fetch_page(server.url("/old"))
    assert page.final_url == server.url("/new")
    assert page.redirects == 1
    with pytest.raises(FetchError, match="redirect loop") as caught:
        await fetcher.fetch_page(server.url("/loop-a"))
    assert caught.value.permanent


async def test_redirect_limit(server: LocalHttpServer) -> None:
    @server.route("/hop")
    def hop(request: Request) -> Reply:
        step = int(request.query.get("n", "0"))
        return redirect(f"/hop?n={step + 1}")

    async with PoliteFetcher(make_policy(max_redirects=3)) as polite:
        with pytest.raises(FetchError, match="too many redirects"):
            await polite.fetch_page(server.url("/hop"))
    assert server.count("/hop") == 4


@pytest.mark.parametrize("target", ["http://10.0.0.1/internal", "http://169.254.169.254/latest/meta-data/"])
async def test_redirect_to_private_address_is_refused(
    server: LocalHttpServer, fetcher: PoliteFetcher, target: str
) -> None:
    @server.route("/bounce")
    def bounce(request: Request) -> Reply:
        return redirect(target)

    started = time.monotonic()
    with pytest.raises(FetchError, match="blocked address") as caught:
        await fetcher.fetch_page(server.url("/bounce"))
    assert caught.value.permanent
    assert time.monotonic() - started < 1.0  # refused before any connection attempt could time out


async def test_loopback_refused_without_allow_list(server: LocalHttpServer) -> None:
    async with PoliteFetcher(make_policy(allow_private=[])) as polite:
        with pytest.raises(FetchError, match="loopback"):
            await polite.fetch_page(server.url("/anything"))
    assert server.requests == []


async def test_gzip_bomb_is_refused(server: LocalHttpServer, fetcher: PoliteFetcher) -> None:
    bomb = gzip.compress(b"<html>" + b"\0" * (20 * 1024 * 1024), compresslevel=9)

    @server.route("/bomb")
    def serve(request: Request) -> Reply:
        return (200, {"Content-Type": "text/html", "Content-Encoding": "gzip"}, bomb)

    with pytest.raises(FetchError, match="decompression bomb") as caught:
        await fetcher.fetch_page(server.url("/bomb"))
    assert caught.value.permanent


async def test_gzip_page_within_cap_is_decoded(server: LocalHttpServer, fetcher: PoliteFetcher) -> None:
    body = html_page("compressed news " * 100).encode()

    @server.route("/gz")
    def serve(request: Request) -> Reply:
        return (200, {"Content-Type": "text/html", "Content-Encoding": "gzip"}, gzip.compress(body))

    page = await fetcher.fetch_page(server.url("/gz"))
    assert page.body == body
    assert page.wire_bytes < len(body)


async def test_oversized_page_is_truncated_or_refused(server: LocalHttpServer) -> None:
    big = html_page("word " * 60_000).encode()  # ~300 KB, cap is 64 KiB

    @server.route("/big")
    def serve(request: Request) -> Reply:
        return (200, {"Content-Type": "text/html"}, big)

    async with PoliteFetcher(make_policy()) as polite:
        page = await polite.fetch_page(server.url("/big"))
    assert page.truncated
    assert page.bytes == 64 * 1024
    assert page.body == big[: 64 * 1024]

    async with PoliteFetcher(make_policy(oversize="refuse")) as polite:
        with pytest.raises(FetchError, match="too large") as caught:
            await polite.fetch_page(server.url("/big"))
    assert caught.value.permanent


async def test_oversized_feed_is_refused(server: LocalHttpServer, fetcher: PoliteFetcher) -> None:
    @server.route("/huge.xml")
    def serve(request: Request) -> Reply:
        pieces = (b"<item>" + b"x" * 1024 + b"</item>" for _ in range(200))  # chunked: no length announced
        return (200, {"Content-Type": "application/rss+xml"}, pieces)

    with pytest.raises(FetchError, match="too large"):
        await fetcher.fetch_feed(server.url("/huge.xml"))


async def test_slow_drip_is_cut_off_by_total_timeout(server: LocalHttpServer) -> None:
    @server.route("/drip")
    def drip(request: Request) -> Reply:
        def pieces() -> Iterator[bytes]:
            yield b"<html><body>"
            for _ in range(100):
                time.sleep(0.1)  # each byte beats the read timeout; only the total timeout can stop it
                yield b"x"

        return (200, {"Content-Type": "text/html"}, pieces())

    async with PoliteFetcher(make_policy(total_timeout=0.6, read_timeout=1.0, max_retries=0)) as polite:
        started = time.monotonic()
        with pytest.raises(FetchError, match="total timeout") as caught:
            await polite.fetch_page(server.url("/drip"))
        elapsed = time.monotonic() - started
    assert not caught.value.permanent
    assert 0.5 < elapsed < 1.5, elapsed


async def test_non_html_page_is_a_permanent_error(server: LocalHttpServer, fetcher: PoliteFetcher) -> None:
    @server.route("/doc.pdf")
    def pdf(request: Request) -> Reply:
        return (200, {"Content-Type": "application/pdf"}, b"%PDF-1.4 ...")

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
    server: LocalHttpServer, fetcher: PoliteFetcher, body: bytes, content_type: str, expected: str
) -> None:
    @server.route("/enc")
    def serve(request: Request) -> Reply:
        return (200, {"Content-Type": content_type}, body)

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


async def test_connect_time_guard_refuses_even_if_precheck_is_bypassed(server: LocalHttpServer) -> None:
    """The transport itself re-resolves and refuses, which is what defeats DNS rebinding."""
    async with PoliteFetcher(make_policy(allow_private=[])) as polite:
        with pytest.raises(BlockedAddress):
            await polite._client.get(server.url("/anything"))
    assert server.requests == []


async def test_per_host_concurrency_limit(server: LocalHttpServer) -> None:
    state = {"now": 0, "peak": 0}
    lock = threading.Lock()  # the server answers each connection in a thread of its own

    @server.route("/slow")
    def slow(request: Request) -> Reply:
        with lock:
            state["now"] += 1
            state["peak"] = max(state["peak"], state["now"])
        time.sleep(0.1)
        with lock:
            state["now"] -= 1
        return text(html_page("x"), "text/html")

    async with PoliteFetcher(make_policy(per_host_concurrency=2)) as polite:
        await asyncio.gather(*(polite.fetch_page(server.url("/slow")) for _ in range(6)))
    assert state["peak"] == 2


async def test_robots_crawl_delay_raises_the_per_host_delay(server: LocalHttpServer) -> None:
    @server.route("/robots.txt")
    def robots(request: Request) -> Reply:
        return text("User-agent: *\nCrawl-delay: 0.3\n", "text/plain")

    @server.route("/p")
    def page(request: Request) -> Reply:
        return text(html_page("x"), "text/html")

    async with PoliteFetcher(make_policy(respect_robots=True, per_host_delay=0.0)) as polite:
        await polite.fetch_page(server.url("/p"))
        await polite.fetch_page(server.url("/p"))
    starts = [hit.at for hit in server.requests_to("/p")]
    assert starts[1] - starts[0] >= 0.27


async def test_deflate_encoding_both_flavours(server: LocalHttpServer, fetcher: PoliteFetcher) -> None:
    body = html_page("deflated " * 50).encode()
    raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    raw_deflate = raw.compress(body) + raw.flush()

    @server.route("/zlib")
    def zlib_wrapped(request: Request) -> Reply:
        return (200, {"Content-Type": "text/html", "Content-Encoding": "deflate"}, zlib.compress(body))

    @server.route("/raw")
    def raw_deflated(request: Request) -> Reply:
        return (200, {"Content-Type": "text/html", "Content-Encoding": "deflate"}, raw_deflate)

    assert (await fetcher.fetch_page(server.url("/zlib"))).body == body
    assert (await fetcher.fetch_page(server.url("/raw"))).body == body


async def test_feed_discovery_and_parse_over_http(server: LocalHttpServer, fetcher: PoliteFetcher) -> None:
    atom = (FIXTURES / "atom.xml").read_bytes()

    @server.route("/")
    def home(request: Request) -> Reply:
        head = '<link rel="alternate" type="application/atom+xml" title="Atom" href="/feeds/all.atom">'
        return text(html_page("home", head=head), "text/html")

    @server.route("/feeds/all.atom")
    def feed(request: Request) -> Reply:
        return (200, {"Content-Type": "application/atom+xml"}, atom)

    home_result = await fetcher.fetch_feed(server.url("/"))
    with pytest.raises(FeedError) as caught:
        parse_feed(home_result.body, url=home_result.final_url, content_type=home_result.content_type)
    assert caught.value.html_page
    found = await fetcher.discover_feed_urls(server.url("/"))
    assert found == [server.url("/feeds/all.atom")]
    result = await fetcher.fetch_feed(found[0])
    parsed = parse_feed(result.body, url=result.final_url, content_type=result.content_type)
    assert [entry.title for entry in parsed.entries] == ["Protest in the capital", "Only updated date"]


async def test_failure_categories_are_counted(server: LocalHttpServer, fetcher: PoliteFetcher) -> None:
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

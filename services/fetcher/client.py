"""The polite, safe HTTP client of the fetcher: one shared httpx.AsyncClient behind every guard we owe.

Politeness: a global and a per-host concurrency limit, a minimum delay between request starts to one
host (raised by robots.txt Crawl-delay), robots.txt, a User-Agent naming us and a contact URL, and
retries that honour Retry-After with bounded exponential back-off and jitter.
Safety: the SSRF guard on every redirect hop and again at connect time, a redirect limit, connect/read/
total timeouts, a byte cap on the wire and after decompression (`decoding.BodyDecoder`, so a gzip bomb is
stopped after `max_bytes`, never inflated in memory), and only HTML reaches the pipeline, decoded with
the right charset. The limits themselves are the `FetchPolicy` (policy.py).
"""

from __future__ import annotations

import asyncio
import email.utils
import math
import random
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal
from urllib.parse import urljoin, urlsplit

import httpx

from ..common.charsets import decode_html
from .decoding import BodyDecoder
from .errors import FetchError, PermanentFetchError, RetryableFetchError
from .feeds import discover_feeds
from .policy import FetchPolicy
from .robots import ROBOTS_MAX_BYTES, RobotsCache, RobotsFetchFailed
from .ssrf import BlockedAddress, GuardedNetworkBackend, SsrfGuard, UnresolvableHost
from .urls import host_of

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
_RETRY_AFTER_STATUSES = frozenset({429, 503})

Kind = Literal["page", "feed", "robots"]


@dataclass(frozen=True, slots=True)
class PageResult:
    url: str
    final_url: str
    status: int
    content_type: str | None
    charset: str
    etag: str | None
    last_modified: str | None
    text: str
    body: bytes
    n_bytes: int
    wire_bytes: int
    truncated: bool
    elapsed_s: float
    fetched_at: datetime
    retries: int
    redirects: int

    @property
    def bytes(self) -> int:
        """Decoded body size (after Content-Encoding), what the byte cap counts."""
        return self.n_bytes


@dataclass(frozen=True, slots=True)
class FeedResult:
    url: str
    final_url: str
    status: int
    not_modified: bool
    body: bytes
    content_type: str | None
    etag: str | None
    last_modified: str | None
    n_bytes: int
    elapsed_s: float
    fetched_at: datetime
    retries: int


@dataclass(slots=True)
class FetchStats:
    """Counters for /metrics; `retries_by_host` is what issue 3 asks to see."""

    requests: int = 0
    retries: int = 0
    bytes_in: int = 0
    retries_by_host: Counter[str] = field(default_factory=Counter)
    failures_by_reason: Counter[str] = field(default_factory=Counter)


@dataclass(slots=True)
class _Raw:
    status: int
    headers: httpx.Headers
    body: bytes
    wire_bytes: int
    truncated: bool


@dataclass(slots=True)
class _HostState:
    semaphore: asyncio.Semaphore
    lock: asyncio.Lock
    delay: float
    last_start: float = -math.inf
    not_before: float = -math.inf


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    reference = time.time() if now is None else now
    return max(0.0, when.timestamp() - reference)


def _mime(content_type: str | None) -> str | None:
    if not content_type:
        return None
    return content_type.split(";")[0].strip().lower() or None


class PoliteFetcher:
    """Fetches pages and feeds; one instance per process, shared by all feeds."""

    def __init__(
        self,
        policy: FetchPolicy | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        self.policy = policy or FetchPolicy()
        self.guard = SsrfGuard(self.policy.allow_private)
        self.stats = FetchStats()
        self._clock = clock
        self._rng = rng or random.Random()
        self._hosts: dict[str, _HostState] = {}
        self._global = asyncio.Semaphore(self.policy.global_concurrency)
        p = self.policy
        if transport is None:
            http_transport = httpx.AsyncHTTPTransport(
                limits=httpx.Limits(max_connections=p.global_concurrency, max_keepalive_connections=32),
                trust_env=False,
            )
            # Re-point the pool at our guarded backend: httpx has no public hook for it.
            http_transport._pool._network_backend = GuardedNetworkBackend(self.guard)
            transport = http_transport
        self._client = httpx.AsyncClient(
            transport=transport,
            follow_redirects=False,
            trust_env=False,
            timeout=httpx.Timeout(
                connect=p.connect_timeout, read=p.read_timeout, write=p.read_timeout, pool=p.total_timeout
            ),
            headers={"User-Agent": p.user_agent, "Accept-Encoding": "gzip, deflate"},
        )
        self.robots = RobotsCache(
            self._fetch_robots,
            p.user_agent,
            ttl=p.robots_ttl,
            error_ttl=p.robots_error_ttl,
            clock=clock,
        )

    async def __aenter__(self) -> PoliteFetcher:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    # -- public API ---------------------------------------------------------------------------------

    async def fetch_page(self, url: str) -> PageResult:
        """An HTML page, decoded; anything else is a permanent FetchError."""
        headers = {"Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"}
        started, fetched_at = self._clock(), datetime.now(UTC)
        try:
            raw, final_url, retries, redirects = await self._fetch(url, headers, "page")
            content_type = raw.headers.get("content-type")
            if _mime(content_type) is None and not _sniff_html(raw.body):
                reason = "not HTML: no content-type and the body does not look like HTML"
                raise PermanentFetchError(reason, raw.status, url=url)
        except FetchError as exc:
            self._count_failure(exc)
            raise
        text, charset = decode_html(raw.body, content_type)
        return PageResult(
            url=url,
            final_url=final_url,
            status=raw.status,
            content_type=content_type,
            charset=charset,
            etag=raw.headers.get("etag"),
            last_modified=raw.headers.get("last-modified"),
            text=text,
            body=raw.body,
            n_bytes=len(raw.body),
            wire_bytes=raw.wire_bytes,
            truncated=raw.truncated,
            elapsed_s=self._clock() - started,
            fetched_at=fetched_at,
            retries=retries,
            redirects=redirects,
        )

    async def fetch_feed(self, url: str, etag: str | None = None, last_modified: str | None = None) -> FeedResult:
        """A feed document as bytes (feedparser sniffs its encoding); a 304 comes back without a body."""
        headers = {
            "Accept": "application/rss+xml, application/atom+xml, application/feed+json, "
            "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
        }
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        started, fetched_at = self._clock(), datetime.now(UTC)
        try:
            raw, final_url, retries, _ = await self._fetch(url, headers, "feed")
        except FetchError as exc:
            self._count_failure(exc)
            raise
        not_modified = raw.status == 304
        return FeedResult(
            url=url,
            final_url=final_url,
            status=raw.status,
            not_modified=not_modified,
            body=b"" if not_modified else raw.body,
            content_type=raw.headers.get("content-type"),
            etag=raw.headers.get("etag") or (etag if not_modified else None),
            last_modified=raw.headers.get("last-modified") or (last_modified if not_modified else None),
            n_bytes=len(raw.body),
            elapsed_s=self._clock() - started,
            fetched_at=fetched_at,
            retries=retries,
        )

    async def discover_feed_urls(self, page_url: str) -> list[str]:
        """Feeds a site's page advertises, for a feeds file that names a page instead of a feed."""
        page = await self.fetch_page(page_url)
        return discover_feeds(page.text, page.final_url)

    # -- redirects, SSRF and robots, hop by hop ------------------------------------------------------

    def _count_failure(self, error: FetchError) -> None:
        self.stats.failures_by_reason[error.category] += 1

    async def _fetch(self, url: str, headers: dict[str, str], kind: Kind) -> tuple[_Raw, str, int, int]:
        current = url
        visited: set[str] = set()
        retries = 0
        for hop in range(self.policy.max_redirects + 1):
            parts = urlsplit(current)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise PermanentFetchError(f"unsupported URL: {current!r}", url=url)
            visited.add(current)
            try:
                await self.guard.check(current)
            except BlockedAddress as exc:
                raise PermanentFetchError(f"blocked address: {exc}", url=url) from None
            except UnresolvableHost as exc:
                raise RetryableFetchError(f"dns: {exc}", url=url) from None
            if kind == "page" or (kind == "feed" and self.policy.robots_for_feeds):
                await self._obey_robots(current, url)
            try:
                raw, hop_retries = await self._send(current, headers, kind)
            except FetchError as exc:
                exc.retries += retries
                exc.url = url
                raise
            retries += hop_retries
            location = raw.headers.get("location")
            if raw.status in _REDIRECTS and location:
                target = urljoin(current, location.strip())
                if target in visited:
                    loop = PermanentFetchError(f"redirect loop: back to {target}", raw.status, url=url)
                    raise loop
                current = target
                continue
            if raw.status in _REDIRECTS:
                error = PermanentFetchError("redirect without Location: nowhere to go", raw.status, url=url)
                raise error
            return raw, current, retries, hop
        limit = self.policy.max_redirects
        raise PermanentFetchError(f"too many redirects: more than {limit}", url=url)

    async def _obey_robots(self, current: str, url: str) -> None:
        if not self.policy.respect_robots:
            return
        if not await self.robots.allowed(current):
            raise PermanentFetchError("disallowed by robots.txt", url=url)
        delay = await self.robots.crawl_delay(current)
        if delay:
            state = self._host(current)
            state.delay = max(self.policy.per_host_delay, min(delay, self.policy.max_crawl_delay))

    async def _fetch_robots(self, robots_url: str) -> tuple[int, bytes]:
        try:
            raw, _, _, _ = await self._fetch(robots_url, {"Accept": "text/plain,*/*;q=0.5"}, "robots")
        except FetchError as exc:
            raise RobotsFetchFailed(exc.reason, exc.status) from None
        return raw.status, raw.body

    # -- one hop: retries and back-off -------------------------------------------------------------

    def _host(self, url: str) -> _HostState:
        key = host_of(url)
        state = self._hosts.get(key)
        if state is None:
            if len(self._hosts) > 50_000:
                self._prune_hosts()
            limit = asyncio.Semaphore(self.policy.per_host_concurrency)
            state = _HostState(limit, asyncio.Lock(), self.policy.per_host_delay)
            self._hosts[key] = state
        return state

    def _prune_hosts(self) -> None:
        horizon = self._clock() - max(600.0, self.policy.retry_after_max)
        for key, state in list(self._hosts.items()):
            idle = not state.lock.locked() and not state.semaphore.locked()
            if idle and state.last_start < horizon and state.not_before < horizon:
                del self._hosts[key]

    @asynccontextmanager
    async def _slot(self, url: str) -> AsyncIterator[None]:
        """Per-host slot, then the per-host delay counted from the previous request start, then global.

        The global slot is taken inside the host's gate and the start stamped once it is held: stamped
        before, a request that then waited for a global slot went out later than its stamp, and the host's
        next request, timed from the stamp, followed it too soon (0.43 s apart against a 1 s delay under a
        10,000-URL backlog, where the global limit is always full). Waiting for the global slot inside
        the gate holds up only this host's next request, which has to wait for this one anyway; no global
        slot is held while a host's delay runs."""
        state = self._host(url)
        async with state.semaphore:
            async with state.lock:
                wait = max(state.last_start + state.delay, state.not_before) - self._clock()
                if wait > 0:
                    await asyncio.sleep(wait)
                await self._global.acquire()
                state.last_start = self._clock()
            try:
                yield
            finally:
                self._global.release()

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        p = self.policy
        exponential: float = min(p.backoff_max, p.backoff_base * 2.0**attempt)
        jittered = exponential * (0.5 + self._rng.random() / 2)
        return max(jittered, retry_after) if retry_after is not None else jittered

    async def _send(self, url: str, headers: dict[str, str], kind: Kind) -> tuple[_Raw, int]:
        attempt = 0
        host = host_of(url)
        while True:
            try:
                return await self._attempt(url, headers, kind), attempt
            except RetryableFetchError as exc:
                too_long = exc.retry_after is not None and exc.retry_after > self.policy.retry_after_max
                if attempt >= self.policy.max_retries or too_long:
                    reason = f"{exc.reason}: Retry-After {exc.retry_after:.0f}s" if too_long else exc.reason
                    raise RetryableFetchError(
                        reason, exc.status, retry_after=exc.retry_after, retries=attempt
                    ) from None
                delay = self._backoff(attempt, exc.retry_after)
                if exc.retry_after is not None:  # the whole host asked for quiet, not just this URL
                    state = self._host(url)
                    state.not_before = max(state.not_before, self._clock() + delay)
                attempt += 1
                self.stats.retries += 1
                self.stats.retries_by_host[host] += 1
                await asyncio.sleep(delay)

    async def _attempt(self, url: str, headers: dict[str, str], kind: Kind) -> _Raw:
        async with self._slot(url):
            self.stats.requests += 1
            try:
                async with asyncio.timeout(self.policy.total_timeout):
                    return await self._exchange(url, headers, kind)
            except TimeoutError:
                raise RetryableFetchError(f"total timeout: {self.policy.total_timeout:g}s exceeded") from None
            except httpx.TimeoutException as exc:
                raise RetryableFetchError(f"timeout: {type(exc).__name__}") from None
            except httpx.UnsupportedProtocol as exc:
                raise PermanentFetchError(f"unsupported URL: {exc}") from None
            except httpx.TransportError as exc:
                raise RetryableFetchError(f"connection error: {type(exc).__name__} {exc}".strip()) from None
            except BlockedAddress as exc:
                raise PermanentFetchError(f"blocked address: {exc}") from None
            except UnresolvableHost as exc:
                raise RetryableFetchError(f"dns: {exc}") from None

    async def _exchange(self, url: str, headers: dict[str, str], kind: Kind) -> _Raw:
        async with self._client.stream("GET", url, headers=headers) as response:
            status = response.status_code
            if status in _REDIRECTS or status == 304:
                return _Raw(status, response.headers, b"", 0, False)
            if status in _RETRY_STATUSES:
                retry_after = None
                if status in _RETRY_AFTER_STATUSES:
                    retry_after = parse_retry_after(response.headers.get("retry-after"))
                raise RetryableFetchError(f"HTTP {status}", status, retry_after=retry_after)
            if status >= 400 or status < 200:
                raise PermanentFetchError(f"HTTP {status}", status)
            mime = _mime(response.headers.get("content-type"))
            if kind == "page" and mime is not None and mime not in HTML_TYPES:
                raise PermanentFetchError(f"not HTML: content-type {mime}", status)
            limit = ROBOTS_MAX_BYTES if kind == "robots" else self.policy.max_bytes
            may_truncate = kind == "robots" or (kind == "page" and self.policy.oversize == "truncate")
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit and not may_truncate:
                raise PermanentFetchError(f"too large: content-length {declared} > {limit} bytes", status)
            body, wire, truncated = await self._read_body(response, limit, may_truncate)
            self.stats.bytes_in += wire
            return _Raw(status, response.headers, body, wire, truncated)

    async def _read_body(self, response: httpx.Response, limit: int, may_truncate: bool) -> tuple[bytes, int, bool]:
        coding = response.headers.get("content-encoding", "identity").strip().lower()
        decoder = BodyDecoder(coding)
        out = bytearray()
        wire = 0
        async for chunk in response.aiter_raw():
            wire += len(chunk)
            out += decoder.decode(chunk, limit - len(out) + 1)
            if len(out) > limit or wire > limit:
                ratio = len(out) / max(decoder.consumed, 1)
                if decoder.compressed and ratio > self.policy.max_compression_ratio:
                    reason = f"decompression bomb: {len(out)} bytes from {decoder.consumed} ({coding})"
                    raise PermanentFetchError(reason)
                if not may_truncate:
                    raise PermanentFetchError(f"too large: body over {limit} bytes")
                return bytes(out[:limit]), wire, True
        return bytes(out), wire, False


def _sniff_html(body: bytes) -> bool:
    head = body[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<html" in head or b"<head" in head

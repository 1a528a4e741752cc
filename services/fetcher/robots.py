"""robots.txt, fetched once per origin and cached.

RFC 9309 semantics: a 4xx robots.txt means "no rules" (allow all); a 5xx, a timeout or a network error
means the site is unwell, so we stay away (disallow all) for `error_ttl` and then ask again.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from protego import Protego

from ..errors import RetryableError

ROBOTS_MAX_BYTES = 500 * 1024  # what Google reads of a robots.txt; the rest is ignored


class RobotsFetchFailed(RetryableError):
    """The robots.txt could not be fetched; `status` is the HTTP status when one came back. Retryable: the
    cache asks again once its entry expires."""

    def __init__(self, reason: str, status: int | None = None) -> None:
        super().__init__(reason)
        self.status = status


# (url) -> (status, body); raises RobotsFetchFailed on network errors or blocked hosts.
RobotsFetch = Callable[[str], Awaitable[tuple[int, bytes]]]


@dataclass(slots=True)
class _Entry:
    rules: Protego | None  # None: allow everything
    disallow_all: bool
    expires: float


def robots_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))


class RobotsCache:
    def __init__(
        self,
        fetch: RobotsFetch,
        user_agent: str,
        *,
        ttl: float = 3600.0,
        error_ttl: float = 600.0,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self._agent = user_agent.split("/")[0].strip() or user_agent
        self._ttl = ttl
        self._error_ttl = error_ttl
        self._max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._pending: dict[str, asyncio.Future[_Entry]] = {}
        self.fetches = 0

    async def _entry(self, url: str) -> _Entry:
        key = robots_url(url)
        now = self._clock()
        entry = self._entries.get(key)
        if entry is not None and entry.expires > now:
            self._entries.move_to_end(key)
            return entry
        pending = self._pending.get(key)
        if pending is not None:  # one fetch per origin, however many pages wait for it
            return await asyncio.shield(pending)
        future: asyncio.Future[_Entry] = asyncio.get_running_loop().create_future()
        self._pending[key] = future
        try:
            entry = await self._load(key)
            future.set_result(entry)
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # mark retrieved: waiters (if any) re-raise it
            raise
        finally:
            del self._pending[key]
        self._entries[key] = entry
        self._entries.move_to_end(key)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)
        return entry

    async def _load(self, key: str) -> _Entry:
        self.fetches += 1
        try:
            status, body = await self._fetch(key)
        except RobotsFetchFailed as exc:
            status = exc.status if exc.status is not None else 599
            body = b""
        now = self._clock()
        if 200 <= status < 300:
            text = body[:ROBOTS_MAX_BYTES].decode("utf-8", errors="replace")
            return _Entry(Protego.parse(text), False, now + self._ttl)
        if 400 <= status < 500:
            return _Entry(None, False, now + self._ttl)
        return _Entry(None, True, now + self._error_ttl)

    async def allowed(self, url: str) -> bool:
        entry = await self._entry(url)
        if entry.disallow_all:
            return False
        if entry.rules is None:
            return True
        return bool(entry.rules.can_fetch(url, self._agent))

    async def crawl_delay(self, url: str) -> float | None:
        entry = await self._entry(url)
        if entry.rules is None:
            return None
        delay = entry.rules.crawl_delay(self._agent)
        return float(delay) if delay is not None else None

"""When to poll each feed next, and how each feed is doing: pure state, the caller supplies `now`.

A feed that has had nothing new for a while is polled less often (up to `max_idle_factor` times its
interval), and a feed that keeps failing backs off exponentially (up to `max_failure_delay`); one poll
with new items puts it straight back on its configured interval. Jitter spreads polls so that
hundreds of feeds configured with the same interval do not all fire in the same second.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any


@dataclass(slots=True)
class FeedHealth:
    """What `/metrics` and `newswire feeds status` show for one feed."""

    name: str
    url: str
    polls: int = 0
    successes: int = 0
    failures: int = 0
    not_modified: int = 0
    items_last_poll: int = 0
    new_items_last_poll: int = 0
    items_total: int = 0
    retries: int = 0
    consecutive_failures: int = 0
    consecutive_idle: int = 0
    last_poll: float | None = None
    last_success: float | None = None
    last_error: str | None = None
    last_error_at: float | None = None
    last_error_permanent: bool = False

    @property
    def not_modified_share(self) -> float:
        return self.not_modified / self.polls if self.polls else 0.0

    def to_dict(self) -> dict[str, Any]:
        record = asdict(self)
        record["not_modified_share"] = self.not_modified_share
        return record

    @classmethod
    def from_dict(cls, record: Mapping[str, Any]) -> FeedHealth:
        """The inverse of `to_dict` (derived keys ignored); ValueError for a record of another shape."""
        if not isinstance(record, Mapping):
            raise ValueError("feed health record is not an object")
        known = {f.name for f in fields(cls)}
        try:
            health = cls(**{key: value for key, value in record.items() if key in known})
        except TypeError as exc:
            raise ValueError(f"not a feed health record: {exc}") from None
        if not isinstance(health.name, str) or not isinstance(health.polls, int):
            raise ValueError("feed health record has fields of the wrong type")
        return health


@dataclass(slots=True)
class _FeedState:
    interval: float
    next_due: float
    health: FeedHealth
    current_delay: float = 0.0
    etag: str | None = None
    last_modified: str | None = None


@dataclass
class PollSchedule:
    jitter: float = 0.1
    idle_grace_polls: int = 3
    max_idle_factor: float = 8.0
    max_failure_delay: float = 6 * 3600.0
    initial_spread: float = 60.0
    rng: random.Random = field(default_factory=random.Random)
    _feeds: dict[str, _FeedState] = field(default_factory=dict, init=False)

    def add(self, name: str, url: str, interval: float, *, now: float) -> None:
        """Register a feed; first polls are spread over `initial_spread` so a restart is not a stampede."""
        first = now + self.rng.uniform(0.0, min(interval, self.initial_spread))
        self._feeds[name] = _FeedState(interval, first, FeedHealth(name, url), interval)

    def add_all(self, feeds: Iterable[tuple[str, str, float]], *, now: float) -> None:
        for name, url, interval in feeds:
            self.add(name, url, interval, now=now)

    def remove(self, name: str) -> None:
        self._feeds.pop(name, None)

    def __contains__(self, name: object) -> bool:
        return name in self._feeds

    def __len__(self) -> int:
        return len(self._feeds)

    def due(self, now: float) -> list[str]:
        """Feeds whose poll is due, most overdue first."""
        ready = [(state.next_due, name) for name, state in self._feeds.items() if state.next_due <= now]
        return [name for _, name in sorted(ready)]

    def claim_due(self, now: float) -> list[str]:
        """Like due(), but the feeds returned are in flight until record_success/record_failure,
        so a slow poll is never started twice by the next tick."""
        names = self.due(now)
        for name in names:
            self._feeds[name].next_due = math.inf
        return names

    def next_due(self, name: str) -> float:
        return self._feeds[name].next_due

    def seconds_until_next(self, now: float) -> float | None:
        if not self._feeds:
            return None
        soonest = min(state.next_due for state in self._feeds.values())
        return None if math.isinf(soonest) else max(0.0, soonest - now)

    def health(self, name: str) -> FeedHealth:
        return self._feeds[name].health

    def all_health(self) -> list[FeedHealth]:
        return [state.health for state in self._feeds.values()]

    def export(self, name: str) -> dict[str, Any]:
        """What a new leader needs to go on polling this feed where the last one stopped (see `restore`)."""
        state = self._feeds[name]
        return {
            "health": asdict(state.health),
            "etag": state.etag,
            "last_modified": state.last_modified,
            "current_delay": state.current_delay,
        }

    def restore(self, name: str, exported: Mapping[str, Any], *, due: float) -> None:
        """Take over another instance's `export` of a registered feed, due at `due`; ValueError for a
        record of another shape, which leaves the feed as it was."""
        state = self._feeds[name]
        health = FeedHealth.from_dict(exported.get("health") or {})
        etag, last_modified = exported.get("etag"), exported.get("last_modified")
        delay = exported.get("current_delay")
        if not all(value is None or isinstance(value, str) for value in (etag, last_modified)):
            raise ValueError("feed validators are not strings")
        if not isinstance(delay, int | float) or delay < 0:
            raise ValueError("feed delay is not a non-negative number")
        health.name, health.url = name, state.health.url
        state.health, state.etag, state.last_modified = health, etag, last_modified
        state.current_delay = float(delay)
        state.next_due = due

    def in_flight(self, name: str) -> bool:
        """Claimed by `claim_due` and not yet recorded."""
        return math.isinf(self._feeds[name].next_due)

    def validators(self, name: str) -> tuple[str | None, str | None]:
        """(ETag, Last-Modified) to send on the next conditional GET."""
        state = self._feeds[name]
        return state.etag, state.last_modified

    def current_delay(self, name: str) -> float:
        return self._feeds[name].current_delay

    def _jittered(self, delay: float) -> float:
        return max(0.0, delay * (1.0 + self.rng.uniform(-self.jitter, self.jitter)))

    def record_success(
        self,
        name: str,
        *,
        now: float,
        items: int,
        new_items: int,
        not_modified: bool = False,
        retries: int = 0,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> float:
        """Account for a poll that worked; returns when the feed is due next."""
        state = self._feeds[name]
        health = state.health
        health.polls += 1
        health.successes += 1
        health.retries += retries
        health.last_poll = now
        health.last_success = now
        health.consecutive_failures = 0
        if not_modified:
            health.not_modified += 1
            health.items_last_poll = 0
            health.new_items_last_poll = 0
        else:
            health.items_last_poll = items
            health.new_items_last_poll = new_items
            health.items_total += new_items
            if etag is not None or last_modified is not None:
                state.etag, state.last_modified = etag, last_modified
        if new_items > 0:
            health.consecutive_idle = 0
        else:
            health.consecutive_idle += 1
        idle_steps = max(0, health.consecutive_idle - self.idle_grace_polls)
        factor = min(self.max_idle_factor, 1.5**idle_steps)
        state.current_delay = state.interval * factor
        state.next_due = now + self._jittered(state.current_delay)
        return state.next_due

    def record_failure(
        self,
        name: str,
        *,
        now: float,
        reason: str,
        permanent: bool = False,
        retries: int = 0,
        retry_after: float | None = None,
    ) -> float:
        """Account for a failed poll; returns when the feed is due next (later and later)."""
        state = self._feeds[name]
        health = state.health
        health.polls += 1
        health.failures += 1
        health.retries += retries
        health.last_poll = now
        health.last_error = reason
        health.last_error_at = now
        health.last_error_permanent = permanent
        health.consecutive_failures += 1
        backoff = state.interval * 2 ** (health.consecutive_failures - 1)
        delay = min(self.max_failure_delay, max(state.interval, backoff))
        if retry_after is not None:
            delay = max(delay, retry_after)
        state.current_delay = delay
        state.next_due = now + self._jittered(delay)
        return state.next_due

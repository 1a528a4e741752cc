"""The set of article keys already emitted, with expiry so that it does not grow for months.

Pure state: the caller passes `now` (wall-clock seconds, since state moves between processes) and
persists `to_state()` wherever it likes (the fetcher keeps it in a Kafka-backed table so that it
survives restarts and is shared). A key seen again while remembered has its clock refreshed, so an
entry that stays in a feed for weeks is never fetched twice; it is forgotten `ttl` after it was last
seen.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

STATE_VERSION = 1


class SeenSet:
    def __init__(self, ttl: float = 14 * 86400.0, max_size: int = 1_000_000, *, refresh: bool = True) -> None:
        if ttl <= 0 or max_size <= 0:
            raise ValueError("ttl and max_size must be positive")
        self.ttl = ttl
        self.max_size = max_size
        self.refresh = refresh
        self._last_seen: OrderedDict[str, float] = OrderedDict()  # oldest first
        self.evicted = 0

    def __len__(self) -> int:
        return len(self._last_seen)

    def __contains__(self, key: object) -> bool:
        return key in self._last_seen

    def seen(self, key: str, now: float) -> bool:
        stamp = self._last_seen.get(key)
        return stamp is not None and now - stamp < self.ttl

    def add_if_new(self, key: str, now: float) -> bool:
        """True when `key` was not remembered (the caller should emit it); remembers it either way."""
        new = not self.seen(key, now)
        if new or self.refresh:
            self._last_seen[key] = max(now, self._last_seen.get(key, now))
            self._last_seen.move_to_end(key)
        while len(self._last_seen) > self.max_size:
            self._last_seen.popitem(last=False)
            self.evicted += 1
        return new

    def remember(self, key: str, stamp: float) -> None:
        """Merge one entry from a shared store (e.g. a changelog-backed table); the later sighting wins."""
        previous = self._last_seen.get(key)
        if previous is not None and previous >= stamp:
            return
        self._last_seen[key] = stamp
        self._last_seen.move_to_end(key)
        while len(self._last_seen) > self.max_size:
            self._last_seen.popitem(last=False)
            self.evicted += 1

    def last_seen(self, key: str) -> float | None:
        return self._last_seen.get(key)

    def forget(self, key: str) -> None:
        """Undo an add, e.g. when the article could not be emitted and should be tried again."""
        self._last_seen.pop(key, None)

    def expire(self, now: float) -> int:
        """Drop keys not seen for `ttl`; returns how many went."""
        dropped = 0
        while self._last_seen:
            key, stamp = next(iter(self._last_seen.items()))
            if now - stamp < self.ttl:
                break
            del self._last_seen[key]
            dropped += 1
        return dropped

    def to_state(self) -> dict[str, Any]:
        return {
            "version": STATE_VERSION,
            "ttl": self.ttl,
            "max_size": self.max_size,
            "entries": [[key, stamp] for key, stamp in self._last_seen.items()],
        }

    @classmethod
    def from_state(cls, state: dict[str, Any], *, ttl: float | None = None, max_size: int | None = None) -> SeenSet:
        if state.get("version") != STATE_VERSION:
            raise ValueError(f"unsupported seen-set state version {state.get('version')!r}")
        restored = cls(
            ttl=float(ttl if ttl is not None else state["ttl"]),
            max_size=int(max_size if max_size is not None else state["max_size"]),
        )
        for key, stamp in sorted(state.get("entries", []), key=lambda pair: float(pair[1])):
            restored._last_seen[str(key)] = float(stamp)
        while len(restored._last_seen) > restored.max_size:
            restored._last_seen.popitem(last=False)
        return restored

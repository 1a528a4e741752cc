"""Liveness, readiness and Prometheus metrics owned by one service instance.

Liveness means *progress*, not a live process: a worker whose agent hangs on one message is as useless as
a dead one, so `/healthz` fails when a message has been in flight longer than the stall timeout, or when
a background loop stopped ticking.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

Clock = Callable[[], float]
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)


class ServiceMetrics:
    """One registry per service instance: no process-global metric state, so tests can build many apps."""

    def __init__(self, service: str) -> None:
        self.service = service
        self.registry = CollectorRegistry(auto_describe=True)
        reg = self.registry
        self.messages_in = Counter("newswire_messages_in_total", "Messages consumed", ["topic"], registry=reg)
        self.messages_out = Counter(
            "newswire_messages_out_total", "Messages produced and acknowledged", ["topic"], registry=reg
        )
        self.errors = Counter(
            "newswire_errors_total",
            "Failures by stage and error class",
            ["stage", "error_class"],
            registry=reg,
        )
        self.dead_letters = Counter(
            "newswire_dead_letters_total", "Messages sent to the dead-letter topic", ["stage"], registry=reg
        )
        self.retries = Counter("newswire_retries_total", "Transient failures retried", ["stage"], registry=reg)
        self.latency = Histogram(
            "newswire_stage_seconds", "Time spent per stage", ["stage"], buckets=LATENCY_BUCKETS, registry=reg
        )
        self.batch_size = Histogram(
            "newswire_batch_size",
            "Messages per processing batch",
            ["stage"],
            buckets=(1, 2, 4, 8, 16, 32, 64, 128),
            registry=reg,
        )
        self.lag = Gauge(
            "newswire_consumer_lag",
            "Messages behind the end of the partition",
            ["topic", "partition"],
            registry=reg,
        )
        self.up = Gauge("newswire_up", "1 while the service is running", ["service"], registry=reg)
        self.up.labels(service).set(1)

    @contextmanager
    def timed(self, stage: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.latency.labels(stage).observe(time.perf_counter() - start)


class Progress:
    """Tracks in-flight work and loop heartbeats to tell a stalled worker from an idle one."""

    def __init__(self, clock: Clock = time.monotonic) -> None:
        self._clock = clock
        self._inflight: dict[int, float] = {}
        self._tokens = itertools.count()
        self._heartbeats: dict[str, tuple[float, float]] = {}
        self.completed = 0
        self.last_progress = clock()

    @contextmanager
    def track(self) -> Iterator[None]:
        token = next(self._tokens)
        self._inflight[token] = self._clock()
        try:
            yield
        finally:
            del self._inflight[token]
            self.completed += 1
            self.last_progress = self._clock()

    def heartbeat(self, loop_name: str, max_silence_s: float) -> None:
        """A periodic loop says it is alive; silence longer than `max_silence_s` means it is stuck."""
        self._heartbeats[loop_name] = (self._clock(), max_silence_s)

    def stall_reason(self, stall_timeout_s: float) -> str | None:
        now = self._clock()
        if self._inflight:
            oldest = now - min(self._inflight.values())
            if oldest > stall_timeout_s:
                return f"a message has been in flight for {oldest:.0f}s (limit {stall_timeout_s:.0f}s)"
        for name, (beat, max_silence) in self._heartbeats.items():
            if now - beat > max_silence:
                return f"loop {name!r} silent for {now - beat:.0f}s (limit {max_silence:.0f}s)"
        return None

    @property
    def inflight(self) -> int:
        return len(self._inflight)


ReadinessCheck = Callable[[], Awaitable[str | None]]


@dataclass
class Readiness:
    """Named checks; each returns None when fine or a reason. A check that asks the broker is `cached`
    briefly, so that a probe storm does not hammer it; the others read a flag in memory and are asked
    every time, so a service reports ready the moment its model or index is loaded (with the whole
    answer cached, a service ready after 2.5 s had said "loading" until 7.5 s)."""

    cache_s: float = 5.0
    clock: Clock = time.monotonic
    checks: dict[str, tuple[ReadinessCheck, bool]] = field(default_factory=dict)
    _cached: dict[str, tuple[float, str | None]] = field(default_factory=dict)

    def add(self, name: str, check: ReadinessCheck, *, cached: bool = False) -> None:
        self.checks[name] = (check, cached)
        self._cached.pop(name, None)

    async def evaluate(self) -> dict[str, str | None]:
        results: dict[str, str | None] = {}
        for name, (check, cached) in self.checks.items():
            now = self.clock()
            remembered = self._cached.get(name)
            if cached and remembered is not None and now - remembered[0] < self.cache_s:
                results[name] = remembered[1]
                continue
            try:
                results[name] = await asyncio.wait_for(check(), timeout=10)
            except Exception as exc:  # a failing probe is a reason, never a crash
                results[name] = f"{type(exc).__name__}: {exc}"
            if cached:
                self._cached[name] = (now, results[name])
        return results


class Flag:
    """A readiness condition that the service sets once (e.g. "model loaded")."""

    def __init__(self, waiting_reason: str) -> None:
        self.reason: str | None = waiting_reason

    def set(self) -> None:
        self.reason = None

    def fail(self, reason: str) -> None:
        self.reason = reason

    async def check(self) -> str | None:
        return self.reason

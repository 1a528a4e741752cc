"""Readiness: a service is ready the moment its own flags say so; only the broker's answer is cached."""

from __future__ import annotations

from newswire.common.health import Flag, Readiness


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_a_flag_set_is_seen_at_the_next_probe_not_after_the_cache() -> None:
    clock = _Clock()
    readiness = Readiness(cache_s=5.0, clock=clock)
    model = Flag("model loading")
    readiness.add("model", model.check)
    assert await readiness.evaluate() == {"model": "model loading"}
    model.set()
    clock.now += 0.1
    assert await readiness.evaluate() == {"model": None}


async def test_a_cached_check_is_asked_once_per_period() -> None:
    clock = _Clock()
    readiness = Readiness(cache_s=5.0, clock=clock)
    asked: list[float] = []
    answers = iter(["topics missing: events", None, None])

    async def broker() -> str | None:
        asked.append(clock.now)
        return next(answers)

    readiness.add("broker", broker, cached=True)
    for _ in range(20):  # a probe storm within one period reaches the broker once
        assert await readiness.evaluate() == {"broker": "topics missing: events"}
    clock.now += 5.0
    assert await readiness.evaluate() == {"broker": None}
    assert asked == [100.0, 105.0]


async def test_a_failing_check_is_a_reason_not_a_crash() -> None:
    readiness = Readiness()

    async def broken() -> str | None:
        raise ConnectionError("no route to broker")

    readiness.add("broker", broken, cached=True)
    assert await readiness.evaluate() == {"broker": "ConnectionError: no route to broker"}

from __future__ import annotations

import json
import random

import pytest

from newswire.fetcher.schedule import PollSchedule
from newswire.fetcher.seen import SeenSet


def schedule_with(interval: float = 300.0, jitter: float = 0.1) -> PollSchedule:
    schedule = PollSchedule(jitter=jitter, rng=random.Random(7))
    schedule.add("feed", "https://f.example/rss", interval, now=0.0)
    return schedule


def test_first_polls_are_spread_and_due_in_order() -> None:
    schedule = PollSchedule(rng=random.Random(1), initial_spread=60.0)
    for index in range(20):
        schedule.add(f"f{index}", f"https://f{index}.example/", 300.0, now=1000.0)
    firsts = sorted(schedule.next_due(f"f{index}") for index in range(20))
    assert firsts[0] >= 1000.0
    assert firsts[-1] <= 1060.0
    assert firsts[-1] - firsts[0] > 10  # spread out, not one burst
    assert schedule.due(999.0) == []
    assert len(schedule.due(1060.0)) == 20
    due = schedule.due(1060.0)
    assert [schedule.next_due(name) for name in due] == firsts


def test_next_due_has_bounded_jitter() -> None:
    schedule = schedule_with(jitter=0.1)
    dues = [schedule.record_success("feed", now=0.0, items=5, new_items=1) for _ in range(50)]
    assert all(270.0 <= due <= 330.0 for due in dues)
    assert len({round(due, 3) for due in dues}) > 10


def test_idle_feed_backs_off_and_new_items_reset() -> None:
    schedule = schedule_with(jitter=0.0)
    delays = []
    now = 0.0
    for _ in range(12):
        due = schedule.record_success("feed", now=now, items=0, new_items=0, not_modified=True)
        delays.append(due - now)
        now = due
    assert delays[0] == 300.0  # grace polls keep the configured interval
    assert delays == sorted(delays)
    assert delays[-1] == 300.0 * schedule.max_idle_factor
    health = schedule.health("feed")
    assert health.not_modified == 12
    assert health.not_modified_share == 1.0
    due = schedule.record_success("feed", now=now, items=10, new_items=3)
    assert due - now == 300.0
    assert schedule.health("feed").consecutive_idle == 0
    assert schedule.health("feed").items_last_poll == 10


def test_failing_feed_backs_off_exponentially_capped_and_recovers() -> None:
    schedule = schedule_with(jitter=0.0)
    schedule.max_failure_delay = 3600.0
    delays = [schedule.record_failure("feed", now=0.0, reason="HTTP 500", retries=2) for _ in range(6)]
    assert delays[:5] == [300.0, 600.0, 1200.0, 2400.0, 3600.0]
    assert delays[5] == 3600.0
    health = schedule.health("feed")
    assert health.consecutive_failures == 6
    assert health.retries == 12
    assert health.last_error == "HTTP 500"
    assert schedule.record_failure("feed", now=0.0, reason="429", retry_after=7200.0) == 7200.0
    schedule.record_success("feed", now=10.0, items=1, new_items=1, etag='"e"', last_modified="x")
    assert schedule.health("feed").consecutive_failures == 0
    assert schedule.health("feed").last_success == 10.0
    assert schedule.validators("feed") == ('"e"', "x")


def test_health_record_is_json_serialisable() -> None:
    schedule = schedule_with()
    schedule.record_success("feed", now=5.0, items=3, new_items=3)
    schedule.record_success("feed", now=9.0, items=0, new_items=0, not_modified=True)
    record = json.loads(json.dumps(schedule.health("feed").to_dict()))
    assert record["polls"] == 2
    assert record["not_modified_share"] == 0.5
    assert record["items_total"] == 3


def test_seen_set_dedupes_and_expires() -> None:
    seen = SeenSet(ttl=100.0)
    assert seen.add_if_new("a", now=0.0)
    assert not seen.add_if_new("a", now=50.0)  # refreshes: last seen at 50
    assert not seen.add_if_new("a", now=140.0)  # still within 100 s of the last sighting
    assert seen.add_if_new("b", now=145.0)
    assert seen.expire(now=241.0) == 1  # "a" last seen at 140
    assert "a" not in seen
    assert "b" in seen
    assert seen.add_if_new("a", now=242.0)


def test_seen_set_without_refresh_forgets_after_ttl() -> None:
    seen = SeenSet(ttl=100.0, refresh=False)
    assert seen.add_if_new("a", now=0.0)
    assert not seen.add_if_new("a", now=99.0)
    assert seen.add_if_new("a", now=100.0)


def test_seen_set_is_bounded() -> None:
    seen = SeenSet(ttl=1e9, max_size=3)
    for index in range(5):
        seen.add_if_new(f"k{index}", now=float(index))
    assert len(seen) == 3
    assert seen.evicted == 2
    assert "k0" not in seen
    assert "k4" in seen


def test_seen_set_state_round_trip() -> None:
    seen = SeenSet(ttl=100.0, max_size=10)
    for index, key in enumerate(["x", "y", "z"]):
        seen.add_if_new(key, now=float(index))
    restored = SeenSet.from_state(json.loads(json.dumps(seen.to_state())))
    assert restored.ttl == 100.0
    assert len(restored) == 3
    assert not restored.add_if_new("y", now=50.0)
    assert restored.expire(now=100.5) == 1  # "x" (t=0) goes, refreshed "y" stays
    with pytest.raises(ValueError, match="version"):
        SeenSet.from_state({"version": 99})


def test_claimed_feeds_are_not_due_again_until_recorded() -> None:
    schedule = schedule_with(jitter=0.0)
    first_due = schedule.next_due("feed")
    assert schedule.claim_due(first_due) == ["feed"]
    assert schedule.due(first_due + 10_000) == []
    assert schedule.seconds_until_next(first_due) is None
    schedule.record_failure("feed", now=first_due + 5, reason="timeout")
    assert schedule.next_due("feed") == first_due + 5 + 300.0


def test_seen_set_merges_shared_entries() -> None:
    seen = SeenSet(ttl=100.0)
    seen.remember("a", 10.0)
    seen.remember("a", 5.0)  # an older sighting from another instance does not move it back
    assert seen.last_seen("a") == 10.0
    assert not seen.add_if_new("a", now=20.0)
    assert seen.expire(now=125.0) == 1  # "a" last seen at 20 < 125 - 100

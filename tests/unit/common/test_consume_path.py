"""The one consume path: handlers raise (or, from a batch, return) `Unprocessable`, and the runtime alone
dead-letters it, counts it and goes on; a retryable failure is retried and never dead-lettered; a handled
message counts once toward the failure ratio."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

from newswire.cleaner.extract import CleaningError, CleanResult
from newswire.cleaner.handlers import CleanerHandler
from newswire.common.dlq import DeadLetterRateExceeded
from newswire.common.models import DeadLetter, HttpFacts, RawArticle
from newswire.common.runtime import TRACE_HEADER, BatchResults, Outcome, one_by_one
from newswire.common.serde import PoisonMessage, dumps
from newswire.errors import RetryableError, Unprocessable
from newswire.fetcher.errors import RetryableFetchError
from tests.support.runtime import RecordingRuntime, Sent


@dataclass(frozen=True)
class FakeMessage:
    topic: str
    partition: int
    offset: int
    headers: list[tuple[str, bytes]] = field(default_factory=list)

    @property
    def tp(self) -> tuple[str, int]:
        return self.topic, self.partition


@dataclass(frozen=True)
class FakeEvent:
    key: bytes
    value: bytes
    message: FakeMessage


def events(*names: str) -> list[FakeEvent]:
    return [
        FakeEvent(name.encode(), f'{{"name": "{name}"}}'.encode(), FakeMessage("in", 0, offset, [(TRACE_HEADER, b"t")]))
        for offset, name in enumerate(names, start=40)
    ]


class Stream:
    """noack_take over fixed batches; a live stream afterwards (more may come)."""

    def __init__(self, *batches: list[FakeEvent]) -> None:
        self.batches = batches
        self.acked: list[bytes] = []

    async def noack_take(self, size: int, within: float) -> AsyncIterator[list[FakeEvent]]:
        for batch in self.batches:
            yield batch
        await asyncio.Event().wait()

    async def ack(self, event: FakeEvent) -> bool:
        self.acked.append(event.key)
        return True


@pytest.fixture
def runtime(recording_runtime: RecordingRuntime, monkeypatch: pytest.MonkeyPatch) -> RecordingRuntime:
    real_sleep = asyncio.sleep
    monkeypatch.setattr("newswire.common.runtime.asyncio.sleep", lambda _s: real_sleep(0))
    return recording_runtime


def dead_letters(runtime: RecordingRuntime) -> list[Sent]:
    return runtime.dead_lettered


def outcomes(runtime: RecordingRuntime) -> list[bool]:
    return runtime.outcomes()


async def until(condition: Any, seconds: float = 1.0) -> None:
    for _ in range(int(seconds / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)


async def consume_concurrently(runtime: RecordingRuntime, stream: Stream, handle: Any, expected_acks: int) -> None:
    consuming = asyncio.create_task(runtime.consume_concurrently(stream, 4, handle))
    await until(lambda: len(stream.acked) == expected_acks)
    consuming.cancel()
    with pytest.raises(asyncio.CancelledError):
        await consuming


async def test_a_permanent_failure_is_dead_lettered_once_with_its_facts_and_the_stream_goes_on(
    runtime: RecordingRuntime,
) -> None:
    stream = Stream(events("good", "bad", "after"))
    handled: list[bytes] = []

    async def handle(event: FakeEvent) -> None:
        if event.key == b"bad":
            raise Unprocessable("clean", CleaningError("no text in the page"), attempts=2)
        handled.append(event.key)

    await consume_concurrently(runtime, stream, handle, 3)
    assert stream.acked == [b"good", b"bad", b"after"]
    assert handled == [b"good", b"after"]
    [sent] = dead_letters(runtime)
    record = sent.message
    assert isinstance(record, DeadLetter)
    assert (record.stage, record.error_class, record.error_message) == ("clean", "CleaningError", "no text in the page")
    assert (record.key, record.payload, record.attempts) == ("bad", '{"name": "bad"}', 2)
    assert (record.source_topic, record.source_partition, record.source_offset) == ("in", 0, 41)
    assert sent.key == "bad" and sent.trace_id == "t"
    assert runtime.metrics.registry.get_sample_value("newswire_dead_letters_total", {"stage": "clean"}) == 1
    assert sorted(outcomes(runtime)) == [False, False, True]  # each message counted once


async def test_a_retryable_failure_is_retried_and_never_dead_lettered(runtime: RecordingRuntime) -> None:
    stream = Stream(events("flaky"))
    attempts: list[bytes] = []

    async def handle(event: FakeEvent) -> None:
        attempts.append(event.key)
        if len(attempts) == 1:
            raise RetryableFetchError("503 from the host", retries=3)

    await consume_concurrently(runtime, stream, handle, 1)
    assert attempts == [b"flaky", b"flaky"]
    assert dead_letters(runtime) == []
    assert runtime.metrics.registry.get_sample_value("newswire_retries_total", {"stage": "message"}) == 1
    assert outcomes(runtime) == [False]  # the handled message counts once, not once per try


async def test_a_skipped_message_counts_toward_neither_side_of_the_ratio(runtime: RecordingRuntime) -> None:
    stream = Stream(events("new", "duplicate"))

    async def handle(event: FakeEvent) -> Outcome:
        return Outcome.SKIPPED if event.key == b"duplicate" else Outcome.HANDLED

    await consume_concurrently(runtime, stream, handle, 2)
    assert outcomes(runtime) == [False]


async def test_a_bare_permanent_error_is_dead_lettered_under_the_handle_stage(runtime: RecordingRuntime) -> None:
    stream = Stream(events("poison"))

    async def handle(event: FakeEvent) -> None:
        raise PoisonMessage("not JSON")

    await consume_concurrently(runtime, stream, handle, 1)
    [sent] = dead_letters(runtime)
    assert isinstance(sent.message, DeadLetter)
    assert (sent.message.stage, sent.message.error_class) == ("handle", "PoisonMessage")


async def test_what_the_handler_still_owes_runs_only_once_the_dead_letter_is_on_the_broker(
    runtime: RecordingRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    stream = Stream(events("gone"))
    owed: list[int] = []
    publish, tries = runtime.publish, []

    async def flaky_publish(*args: Any, **kwargs: Any) -> None:
        tries.append(1)
        if len(tries) == 1:
            raise ConnectionError("broker unreachable")
        await publish(*args, **kwargs)

    monkeypatch.setattr(runtime, "publish", flaky_publish)

    async def mark_seen() -> None:
        owed.append(len(dead_letters(runtime)))

    async def handle(event: FakeEvent) -> None:
        raise Unprocessable("page-fetch", RetryableFetchError("timed out", retries=2), attempts=3, then=mark_seen)

    await consume_concurrently(runtime, stream, handle, 1)
    assert owed == [1]  # not after the failed publish; after the one that reached the broker
    [sent] = dead_letters(runtime)
    assert isinstance(sent.message, DeadLetter)
    assert (sent.message.stage, sent.message.error_class, sent.message.attempts) == (
        "page-fetch",
        "RetryableFetchError",
        3,
    )


async def test_only_the_bad_message_of_a_batch_is_dead_lettered(runtime: RecordingRuntime) -> None:
    stream = Stream(events("a", "bad", "c"))
    handled: list[bytes] = []

    async def handle(event: Any) -> None:
        if event.key == b"bad":
            raise Unprocessable("decode", PoisonMessage("not JSON"))
        handled.append(event.key)

    async def handle_batch(batch: Sequence[Any]) -> BatchResults:
        return await one_by_one(batch, handle)

    consuming = asyncio.create_task(runtime.consume_batches(stream, 3, 0.1, handle_batch))
    await until(lambda: len(stream.acked) == 3)
    consuming.cancel()
    with pytest.raises(asyncio.CancelledError):
        await consuming
    assert handled == [b"a", b"c"]
    assert stream.acked == [b"a", b"bad", b"c"]
    [sent] = dead_letters(runtime)
    assert isinstance(sent.message, DeadLetter)
    assert (sent.message.stage, sent.message.key, sent.message.source_offset) == ("decode", "bad", 41)
    assert outcomes(runtime) == [False, True, False]


async def test_a_retryable_result_in_a_batch_retries_the_whole_batch_before_anything_counts(
    runtime: RecordingRuntime,
) -> None:
    stream = Stream(events("a", "bad", "flaky"))
    calls: list[int] = []

    async def handle_batch(batch: Sequence[Any]) -> BatchResults:
        calls.append(len(batch))
        flaky: BaseException | None = RetryableError("broker away") if len(calls) == 1 else None
        return [None, Unprocessable("extract", ValueError("model broke")), flaky]

    consuming = asyncio.create_task(runtime.consume_batches(stream, 3, 0.1, handle_batch))
    await until(lambda: len(stream.acked) == 3)
    consuming.cancel()
    with pytest.raises(asyncio.CancelledError):
        await consuming
    assert calls == [3, 3]
    assert len(dead_letters(runtime)) == 1  # not once per try
    assert outcomes(runtime) == [False, True, False]


async def test_the_ratio_limit_still_stops_the_service(
    runtime: RecordingRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    crashed: list[BaseException] = []
    monkeypatch.setattr(runtime.app, "_crash", crashed.append)
    runtime.failures._settings = runtime.settings.dlq.model_copy(update={"min_failures": 2, "max_ratio": 0.5})
    stream = Stream(events("bad1", "bad2"))

    async def handle_batch(batch: Sequence[Any]) -> BatchResults:
        return [Unprocessable("decode", PoisonMessage("not JSON")) for _ in batch]

    consuming = asyncio.create_task(runtime.consume_batches(stream, 2, 0.1, handle_batch))
    await until(lambda: bool(crashed))
    consuming.cancel()
    with pytest.raises(asyncio.CancelledError):
        await consuming
    assert isinstance(crashed[0], DeadLetterRateExceeded)


class FakePool:
    async def clean(self, html: str, url: str, feed_entry: Any) -> CleanResult:
        if html == "<broken>":
            raise CleaningError("no text in the page")
        return CleanResult("", [], None, [], None, "none", None, None, None, 0, empty=True)


class NoDuplicates:
    async def add(self, article_id: str, text: str, at: datetime) -> str | None:
        return None


def raw_event(name: str, offset: int, html: str) -> FakeEvent:
    article = RawArticle(
        article_id=name * 64,
        url=f"https://example.com/{name}",
        final_url=f"https://example.com/{name}",
        canonical_url=f"https://example.com/{name}",
        http=HttpFacts(status=200, fetched_at=datetime.now(UTC), elapsed_ms=1, bytes=len(html)),
        html=html,
    )
    return FakeEvent(name.encode(), dumps(article), FakeMessage("articles.raw", 0, offset, [(TRACE_HEADER, b"t")]))


async def test_the_cleaner_hands_its_bad_pages_to_the_runtime_and_cleans_the_rest(runtime: RecordingRuntime) -> None:
    batch = [
        raw_event("a", 0, "<p>fine</p>"),
        FakeEvent(b"poison", b"\xff not json", FakeMessage("articles.raw", 0, 1)),
        raw_event("b", 2, "<broken>"),
        raw_event("c", 3, "<p>fine too</p>"),
    ]
    stream = Stream(batch)
    handler = CleanerHandler(runtime, FakePool(), runtime.topic("articles.clean"), NoDuplicates())  # type: ignore[arg-type]
    consuming = asyncio.create_task(runtime.consume_batches(stream, 4, 0.1, handler.handle_batch))
    await until(lambda: len(stream.acked) == 4)
    consuming.cancel()
    with pytest.raises(asyncio.CancelledError):
        await consuming
    published = runtime.published
    assert sorted(sent.key for sent in published if sent.topic == "articles.clean") == ["a" * 64, "c" * 64]
    records = [sent.message for sent in dead_letters(runtime)]
    assert [(r.stage, r.error_class, r.source_offset) for r in records if isinstance(r, DeadLetter)] == [
        ("decode", "PoisonMessage", 1),
        ("clean", "CleaningError", 2),
    ]
    assert outcomes(runtime) == [False, True, True, False]

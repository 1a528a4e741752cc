"""The fingerprint store's pure parts: entry encoding, the expiry ledger, folding topic records into the index."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from aiokafka import ConsumerRecord

from newswire.cleaner.dedup import NearDuplicateIndex
from newswire.cleaner.dedup_store import (
    LOADING_REASON,
    ExpiryLedger,
    FingerprintStore,
    decode_entry,
    encode_entry,
    entry_time,
    fingerprint_topic_config,
    fingerprint_topic_spec,
    packed_entry,
)
from newswire.cleaner.extract import clean_html
from tests.support import paths

FIXTURES = paths.FIXTURES / "cleaner"
DAY = datetime(2011, 11, 15, 9, 0, tzinfo=UTC)
TOPIC = "t.cleaner.fingerprints"


@pytest.fixture(scope="module")
def seed_texts() -> tuple[str, str]:
    original = clean_html((FIXTURES / "seed-commondreams.html").read_text(encoding="utf-8")).text
    copy = clean_html((FIXTURES / "seed-syndicated.html").read_text(encoding="utf-8")).text
    return original, copy


def record(key: str | None, value: bytes | None, offset: int = 0) -> ConsumerRecord[bytes, bytes]:
    return ConsumerRecord(
        topic=TOPIC,
        partition=0,
        offset=offset,
        timestamp=0,
        timestamp_type=0,
        key=key.encode() if key is not None else None,
        value=value,
        checksum=None,
        serialized_key_size=len(key or ""),
        serialized_value_size=len(value or b""),
        headers=[],
    )


def store_for(index: NearDuplicateIndex) -> FingerprintStore:
    return FingerprintStore(index, "127.0.0.1:9", fingerprint_topic_spec(TOPIC, 2, 1, 3.0))


def entry_of(text: str, article_id: str, at: datetime) -> list[object]:
    """The packed entry another instance would have written for this article."""
    writer = NearDuplicateIndex(max_age_days=3)
    writer.add(article_id, text, at)
    packed = packed_entry(writer, article_id)
    assert packed is not None
    return packed


def test_entry_round_trips_and_is_compact(seed_texts: tuple[str, str]) -> None:
    packed = entry_of(seed_texts[0], "a", DAY)
    value = encode_entry(packed)
    assert len(value) < 500
    assert decode_entry(value) == packed
    assert entry_time(packed) == DAY


@pytest.mark.parametrize(
    "value",
    [b"{not json", b"{}", b"[1, 2, 3]", b'["x", "sig", null, 4]', b'[1.0, "sig", 7, 4]', b'[1.0, "sig", null, "4"]'],
)
def test_malformed_entries_are_refused(value: bytes) -> None:
    with pytest.raises(ValueError, match="fingerprint entry"):
        decode_entry(value)


def test_packed_entry_of_an_unknown_or_empty_article_is_none() -> None:
    index = NearDuplicateIndex()
    index.add("empty", "", DAY)
    assert packed_entry(index, "empty") is None
    assert packed_entry(index, "never-seen") is None


def test_topic_is_compacted_and_kept_a_day_longer_than_the_window() -> None:
    config = fingerprint_topic_config(3.0)
    assert config["cleanup.policy"] == "compact,delete"
    assert int(config["retention.ms"]) == 4 * 24 * 3600 * 1000
    assert int(config["segment.ms"]) <= int(config["retention.ms"])
    short = fingerprint_topic_config(0.01)
    assert int(short["segment.ms"]) <= int(short["retention.ms"])


def test_ledger_expires_by_the_newest_time_seen_like_the_index() -> None:
    ledger = ExpiryLedger(timedelta(days=3))
    ledger.note("old", DAY)
    ledger.note("recent", DAY + timedelta(days=2))
    assert ledger.take_expired() == []
    ledger.note("newest", DAY + timedelta(days=4))
    assert ledger.take_expired() == ["old"]
    assert "old" not in ledger and len(ledger) == 2
    assert ledger.take_expired() == []
    ledger.forget("recent")
    assert len(ledger) == 1


def test_records_of_other_instances_mark_later_copies(seed_texts: tuple[str, str]) -> None:
    original, copy = seed_texts
    index = NearDuplicateIndex(max_age_days=3)
    store = store_for(index)
    store.apply([record("original", encode_entry(entry_of(original, "original", DAY)))])
    assert "original" in index and "original" in store.ledger
    assert index.add("copy", copy, DAY + timedelta(hours=3)) == "original"


def test_tombstones_bad_records_and_expired_entries_are_skipped(seed_texts: tuple[str, str]) -> None:
    original, copy = seed_texts
    index = NearDuplicateIndex(max_age_days=3)
    store = store_for(index)
    store.apply(
        [
            record("fresh", encode_entry(entry_of(copy, "fresh", DAY + timedelta(days=10))), 0),
            record("stale", encode_entry(entry_of(original, "stale", DAY)), 1),
            record("garbage", b"[1, 2]", 2),
            record(None, b"keyless", 3),
        ]
    )
    assert "fresh" in index
    assert "stale" not in index and "garbage" not in index
    assert store.skipped_entries == 1 and store.loaded_entries == 1
    assert store._pending_tombstones == ["stale"]
    store.apply([record("fresh", None, 4)])
    assert "fresh" not in store.ledger


def test_own_entries_coming_back_change_nothing(seed_texts: tuple[str, str]) -> None:
    original, copy = seed_texts
    index = NearDuplicateIndex(max_age_days=3)
    store = store_for(index)
    index.add("original", original, DAY)
    assert index.add("copy", copy, DAY + timedelta(hours=1)) == "original"
    own = packed_entry(index, "copy")
    assert own is not None
    store.apply([record("copy", encode_entry(own)), record("original", encode_entry(entry_of(original, "x", DAY)))])
    assert len(index) == 2
    assert index.add("copy", copy, DAY) == "original"


async def test_not_ready_until_loaded() -> None:
    store = store_for(NearDuplicateIndex())
    assert await store.readiness() == LOADING_REASON
    assert not store.loaded

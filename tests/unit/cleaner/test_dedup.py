"""Near-duplicate detection: a syndicated copy is recognised, a different report on the same events is not."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from newswire.cleaner.dedup import NearDuplicateIndex, fingerprint
from newswire.cleaner.extract import clean_html
from tests.support import paths

FIXTURES = paths.FIXTURES / "cleaner"
DAY = datetime(2011, 11, 15, 9, 0, tzinfo=UTC)

# Another agency's report on the same day's events, written independently: same facts, other words.
OTHER_REPORT = """Syrian forces and army defectors fought fierce battles in the south of the country on Tuesday,
leaving dozens dead in what rights activists described as one of the deadliest days of the revolt.

Activists in Deraa province said an ambush by deserters near the town of Hirak was followed by a
wave of arrests, and that tanks were deployed around several villages overnight.

In Amman, Jordan's King Abdullah became the first Arab head of state to publicly urge President Bashar
al-Assad to quit, telling the BBC that he would step down if he were in Assad's position.

Turkey's prime minister Tayyip Erdogan also hardened his tone, saying Ankara had lost faith in Damascus
after crowds attacked Turkish diplomatic missions in Aleppo and Latakia over the weekend.

Arab League foreign ministers are due to meet in the Moroccan capital on Wednesday, days after the
group voted to suspend Damascus, a decision Syrian officials called illegal.

Russia, a long-time ally of Syria, has said it opposes any outside intervention and has urged the
opposition to enter a dialogue with the government rather than seek sanctions at the United Nations."""


@pytest.fixture(scope="module")
def seed_texts() -> tuple[str, str]:
    original = clean_html((FIXTURES / "seed-commondreams.html").read_text(encoding="utf-8")).text
    copy = clean_html((FIXTURES / "seed-syndicated.html").read_text(encoding="utf-8")).text
    return original, copy


def test_syndicated_copy_is_recognised(seed_texts: tuple[str, str]) -> None:
    original, copy = seed_texts
    assert original != copy
    index = NearDuplicateIndex()
    assert index.add("original", original, DAY) is None
    assert index.add("copy", copy, DAY + timedelta(hours=5)) == "original"


def test_copy_cut_to_its_first_half_is_recognised(seed_texts: tuple[str, str]) -> None:
    original, copy = seed_texts
    paragraphs = copy.split("\n\n")
    cut = "\n\n".join([*paragraphs[: len(paragraphs) // 2], "Read the full story at Al Jazeera."])
    index = NearDuplicateIndex()
    index.add("original", original, DAY)
    assert index.add("cut", cut, DAY + timedelta(hours=1)) == "original"


def test_different_report_on_the_same_events_is_not_a_copy(seed_texts: tuple[str, str]) -> None:
    original, _ = seed_texts
    index = NearDuplicateIndex()
    assert index.add("original", original, DAY) is None
    assert index.add("other", OTHER_REPORT, DAY + timedelta(hours=2)) is None


def test_copy_of_a_copy_points_at_the_first_article(seed_texts: tuple[str, str]) -> None:
    original, copy = seed_texts
    index = NearDuplicateIndex()
    index.add("original", original, DAY)
    index.add("copy", copy, DAY + timedelta(hours=1))
    assert index.add("third", copy + "\n\nThis story was updated.", DAY + timedelta(hours=2)) == "original"


def test_adding_again_returns_the_first_answer(seed_texts: tuple[str, str]) -> None:
    original, copy = seed_texts
    index = NearDuplicateIndex()
    index.add("original", original, DAY)
    assert index.add("copy", copy, DAY) == "original"
    assert index.add("copy", copy, DAY) == "original"
    assert index.add("original", original, DAY) is None
    assert len(index) == 2


def test_entries_older_than_the_window_expire(seed_texts: tuple[str, str]) -> None:
    original, copy = seed_texts
    index = NearDuplicateIndex(max_age_days=3)
    index.add("original", original, DAY)
    index.add("unrelated", OTHER_REPORT, DAY + timedelta(days=4))
    assert "original" not in index
    assert index.add("late-copy", copy, DAY + timedelta(days=4)) is None


def test_a_future_date_does_not_expire_the_window(seed_texts: tuple[str, str]) -> None:
    original, copy = seed_texts
    index = NearDuplicateIndex(max_age_days=3)
    now = datetime.now(UTC)
    index.add("original", original, now)
    index.add("misdated", OTHER_REPORT, now + timedelta(days=3650))
    assert index.add("copy", copy, now) == "original"


def test_state_round_trips_through_json(seed_texts: tuple[str, str]) -> None:
    original, copy = seed_texts
    index = NearDuplicateIndex(max_age_days=5)
    index.add("original", original, DAY)
    index.add("other", OTHER_REPORT, DAY)
    encoded = json.dumps(index.to_state())
    assert len(encoded) < 1500  # compact: a few hundred bytes per article
    restored = NearDuplicateIndex.from_state(json.loads(encoded))
    assert len(restored) == 2
    assert restored.add("copy", copy, DAY + timedelta(hours=1)) == "original"
    assert restored.to_state()["max_age_days"] == 5


def test_empty_text_is_never_a_duplicate() -> None:
    index = NearDuplicateIndex()
    assert index.add("a", "", DAY) is None
    assert index.add("b", "", DAY) is None


def test_fingerprint_is_stable_and_close_for_copies(seed_texts: tuple[str, str]) -> None:
    original, copy = seed_texts
    assert fingerprint(original) == fingerprint(original)
    assert len(fingerprint(original)) == 16
    close = bin(int(fingerprint(original), 16) ^ int(fingerprint(copy), 16)).count("1")
    far = bin(int(fingerprint(original), 16) ^ int(fingerprint(OTHER_REPORT), 16)).count("1")
    assert close <= 8 < far

"""Sentence splitting: exact spans, abbreviations, quotes and line breaks."""

from __future__ import annotations

import time

from newswire.extractor.sentences import split_sentences


def _texts(text: str) -> list[str]:
    sentences = split_sentences(text)
    for sentence in sentences:
        assert text[sentence.start : sentence.end] == sentence.text
    return [s.text for s in sentences]


def test_abbreviations_do_not_end_sentences() -> None:
    text = "Mr. Smith met U.S. officials on Nov. 13 in Washington. They talked for an hour."
    assert _texts(text) == ["Mr. Smith met U.S. officials on Nov. 13 in Washington.", "They talked for an hour."]


def test_plural_titles_do_not_end_sentences() -> None:
    text = "Sens. Robert C. Byrd and Jay Rockefeller called him a friend. Messrs. Smith and Jones did not."
    assert _texts(text) == [
        "Sens. Robert C. Byrd and Jay Rockefeller called him a friend.",
        "Messrs. Smith and Jones did not.",
    ]


def test_closing_quote_stays_with_its_sentence() -> None:
    text = '"I would step down," Abdullah said on Monday. "I would step down and go."'
    assert _texts(text) == ['"I would step down," Abdullah said on Monday.', '"I would step down and go."']


def test_newlines_always_split_and_offsets_survive_blank_lines() -> None:
    text = (
        "Published on\nAl Jazeera English\n\n\nSyria's 'Bloodiest Day' Leaves Scores Dead\n\nIt rose 3.5 percent. Next!"
    )
    assert _texts(text) == [
        "Published on",
        "Al Jazeera English",
        "Syria's 'Bloodiest Day' Leaves Scores Dead",
        "It rose 3.5 percent.",
        "Next!",
    ]


def test_non_breaking_spaces_count_as_whitespace() -> None:
    text = "Four were killed.\xa0Police said so."
    assert _texts(text) == ["Four were killed.", "Police said so."]


def test_splitting_is_fast() -> None:
    text = ("Security forces killed 12 people in Homs on Nov. 13, activists said. " * 20 + "\n") * 250
    started = time.perf_counter()
    sentences = split_sentences(text)
    elapsed = time.perf_counter() - started
    assert len(sentences) == 5000
    assert elapsed < 2.0  # generous on a shared 2-core machine; typically ~50 ms

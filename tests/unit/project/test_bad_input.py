"""Bad input never kills a worker: property-based tests of the feed parser, the cleaner, the extractor's
assembly and the message decoder on random and mutated input.

Every function here either returns its result or raises the one error its handler dead-letters with a
reason (FeedError, CleaningError, PoisonMessage); anything else would crash the worker's batch.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newswire.cleaner.extract import CleaningError, clean_html
from newswire.common.models import TOPIC_MODELS, Event, ModelInfo
from newswire.common.serde import PoisonMessage, loads
from newswire.extractor.assembly import assemble_events
from newswire.extractor.assembly.counts import find_count_mentions
from newswire.extractor.assembly.dates import resolve_date
from newswire.extractor.sentences import split_sentences
from newswire.extractor.types import EntitySpan, SentenceAnalysis
from newswire.fetcher.feeds import FeedError, parse_feed

# What real pages and feeds throw at a parser: numbers and dates that do not exist, invisible and
# direction-changing characters, invalid UTF-8, entities out of range, markup that never closes.
NASTY = [
    "1e309",
    "-0",
    "9" * 400,
    "February 30",
    "31/02/2024",
    "0000-00-00",
    "\u200b",
    "\u200f",
    "\u202e",
    "\ufeff",
    "\ufffd",
    "\x00",
    "&#x110000;",
    "&#0;",
    "&nbsp;" * 50,
    "<![CDATA[",
    "&lt;![CDATAx ",
    "]]>",
    "<!--",
    "<script>",
    "</",
    "killed 1,000,000,000,000,000 people",
    "at least -5 were arrested",
    "شهد",
    "𝕏",
]
nasty_text = st.lists(st.one_of(st.sampled_from(NASTY), st.text(max_size=40)), max_size=12).map("".join)
invalid_utf8 = st.sampled_from([b"\xff\xfe\xfd", b"\xc3\x28", b"\xe2\x82", b"\xf0\x28\x8c\xbc", b"\xed\xa0\x80"])
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _rss(title: str, link: str, when: str, body: str) -> bytes:
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>'
        f"<item><title>{title}</title><link>{link}</link><pubDate>{when}</pubDate>"
        f"<description>{body}</description></item></channel></rss>"
    ).encode("utf-8", "surrogatepass")


@st.composite
def mutated(draw: st.DrawFn, base: bytes) -> bytes:
    """`base` with slices cut, repeated, or replaced by nasty bytes."""
    data = bytearray(base)
    for _ in range(draw(st.integers(0, 6))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        choice = draw(st.integers(0, 3))
        if choice == 0:
            del data[at : at + draw(st.integers(1, 40))]
        elif choice == 1:
            data[at:at] = draw(invalid_utf8)
        elif choice == 2:
            data[at:at] = draw(st.sampled_from(NASTY)).encode("utf-8", "surrogatepass")
        else:
            data[at:at] = data[at : at + draw(st.integers(1, 60))] * draw(st.integers(2, 20))
    return bytes(data)


def _parse_or_reject(body: bytes) -> None:
    try:
        feed = parse_feed(body, url="https://news.example/feed.xml", content_type=None)
    except FeedError as exc:
        reason = str(exc)
        assert reason.strip(), "a rejection says why"
        return
    for entry in feed.entries:
        assert entry.url.startswith(("http://", "https://")) or "://" not in entry.url


@FAST
@given(st.binary(max_size=3000))
def test_the_feed_parser_parses_or_rejects_random_bytes(body: bytes) -> None:
    _parse_or_reject(body)


@FAST
@given(nasty_text, nasty_text, nasty_text, st.data())
def test_the_feed_parser_parses_or_rejects_mutated_feeds(title: str, when: str, body: str, data: st.DataObject) -> None:
    feed = _rss(title, "https://news.example/a/1", when, body)
    _parse_or_reject(data.draw(mutated(feed)))
    json_feed = (
        b'{"version": "https://jsonfeed.org/version/1.1", '
        b'"items": [{"url": "https://n.example/1", "date_published": "%s"}]}'
    )
    _parse_or_reject(data.draw(mutated(json_feed % when.encode("utf-8", "surrogatepass"))))


def _clean_or_reject(html: bytes | str) -> None:
    try:
        result = clean_html(html, url="https://news.example/a/1")
    except CleaningError as exc:
        reason = exc.reason
        assert reason.strip(), "a rejection says why"
        return
    assert result.word_count >= 0 and isinstance(result.text, str)
    assert result.published_at is None or result.published_at.year >= 1


@FAST
@given(st.binary(max_size=3000))
def test_the_cleaner_cleans_or_rejects_random_bytes(html: bytes) -> None:
    _clean_or_reject(html)


@FAST
@given(nasty_text, nasty_text, st.integers(0, 3000), st.integers(0, 200_000), st.data())
def test_the_cleaner_cleans_or_rejects_hostile_pages(
    title: str, body: str, depth: int, attribute: int, data: st.DataObject
) -> None:
    page = (
        f"<html><head><title>{title}</title><meta property='article:published_time' content='{body[:30]}'>"
        f"</head><body><div data-x='{'a' * attribute}'>{'<div>' * depth}<p>{body}</p>"
        f"<p>Police said 12 people were arrested on February 30.</p>{'</div>' * (depth // 2)}</body></html>"
    )
    _clean_or_reject(page)
    _clean_or_reject(data.draw(mutated(page.encode("utf-8", "surrogatepass")[:20_000])))


MODEL = ModelInfo(name="test", version="1", encoder="none")
PUBLISHED = datetime(2024, 2, 29, 12, 0, tzinfo=UTC)


@FAST
@given(nasty_text, st.sampled_from(["ASSAULT", "PROTEST", "COERCE", "ACCUSE", None]), st.data())
def test_assembly_codes_or_skips_any_text(text: str, event_type: str | None, data: st.DataObject) -> None:
    """The extractor's own logic after the model: whatever the sentence and the model said about it,
    the events it yields are valid messages with evidence inside the text."""
    text = text + " Security forces killed 1e309 people in Homs on February 30, activists said."
    sentences = split_sentences(text)
    analyses = []
    for sentence in sentences:
        start = data.draw(st.integers(0, max(0, len(sentence.text) - 1)))
        end = data.draw(st.integers(start, len(sentence.text)))
        entity = EntitySpan(data.draw(st.sampled_from(["PER", "ORG", "LOC"])), sentence.text[start:end], start, end)
        analyses.append(
            SentenceAnalysis(
                sentence=sentence,
                event_type=event_type,
                event_score=data.draw(st.floats(0, 1)),
                entities=(entity,) if end > start else (),
            )
        )
    events = assemble_events(analyses, article_id="ab" * 32, text=text, published_at=PUBLISHED, model=MODEL)
    for event in events:
        Event.model_validate(event.model_dump())
        for evidence in event.evidence:
            assert text[evidence.start : evidence.end] == evidence.sentence


@FAST
@given(nasty_text)
def test_counts_and_dates_never_raise_on_numbers_and_dates_that_do_not_exist(text: str) -> None:
    for mention in find_count_mentions(text + " 1e309 killed, 99999999999999999999 arrested"):
        assert mention.value >= 0
    resolved = resolve_date(text + " on February 30", date(2024, 2, 29))
    assert resolved is None or date.fromisoformat(resolved.date) <= date(2024, 2, 29)


@FAST
@given(st.sampled_from(sorted(TOPIC_MODELS)), st.one_of(st.binary(max_size=500), nasty_text.map(str.encode)))
def test_a_poisoned_message_is_a_poison_message_error(topic: str, payload: bytes) -> None:
    with pytest.raises(PoisonMessage):
        loads(TOPIC_MODELS[topic], payload)

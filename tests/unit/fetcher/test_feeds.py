from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from newswire.fetcher.feeds import FeedError, discover_feeds, parse_feed
from newswire.fetcher.feedsfile import FeedsFileError, load_feeds
from tests.support import paths

FIXTURES = paths.FIXTURES / "feeds"
REPO = paths.REPO_ROOT


def read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_rss2() -> None:
    feed = parse_feed(read("rss2.xml"), url="https://news.example.org/rss", content_type="application/rss+xml")
    assert feed.title == "Example World News"
    assert [e.url for e in feed.entries] == [
        "https://news.example.org/world/floods-delta?utm_source=rss&utm_medium=feed",
        "https://news.example.org/world/geneva-talks",
        "https://news.example.org/world/guid-only",
    ]
    first = feed.entries[0]
    assert first.title == "Floods displace & strand thousands in the delta"
    assert first.summary == "Heavy rain displaced at least 3,000 people."
    assert first.published == datetime(2026, 11, 10, 12, 30, tzinfo=UTC)
    assert first.authors == ["Amina Yusuf"]
    assert first.tags == ["Africa", "Weather"]
    assert feed.entries[2].published is None


def test_rss1_rdf_latin1() -> None:
    feed = parse_feed(read("rss1.rdf"), url="https://headlines.example.net/index.rdf")
    assert feed.kind == "rss10"
    assert [e.title for e in feed.entries] == ["Président visits Bogotá", "Port strike ends"]
    assert feed.entries[1].published == datetime(2026, 11, 9, 12, 30, tzinfo=UTC)
    assert feed.entries[0].tags == ["Politics"]


def test_rss091() -> None:
    feed = parse_feed(read("rss091.xml"), url="http://wire.example.com/rss")
    assert feed.kind.startswith("rss09")
    assert feed.entries[0].url == "http://wire.example.com/story/42"


def test_atom() -> None:
    feed = parse_feed(read("atom.xml"), url="https://atom.example.com/feed.atom")
    first, second = feed.entries
    assert first.url == "https://atom.example.com/2026/11/12/protest"
    assert first.title == "Protest in the capital"
    assert first.summary == "Thousands marched."
    assert first.published == datetime(2026, 11, 12, 14, 0, tzinfo=UTC)
    assert first.authors == ["Lucía Fernández", "Kenji Sato"]
    assert second.published == datetime(2026, 11, 13, 7, 0, tzinfo=UTC)  # falls back to <updated>


def test_json_feed() -> None:
    feed = parse_feed(read("feed.json"), url="https://json.example.org/feed.json", content_type="application/feed+json")
    assert feed.kind == "json"
    assert feed.title == "JSON Feed Example"
    assert [e.url for e in feed.entries] == [
        "https://json.example.org/2026/11/14/election?fbclid=abc",
        "https://json.example.org/2026/11/15/aid",
        "https://json.example.org/relative/item",
    ]
    first, second, third = feed.entries
    assert first.published == datetime(2026, 11, 14, 11, 0, tzinfo=UTC)
    assert first.authors == ["Olu Adeyemi"]
    assert first.tags == ["elections", "nigeria"]
    assert first.summary == "The opposition rejected the count."
    assert second.published == datetime(2026, 11, 15, 6, 30, tzinfo=UTC)
    assert third.authors == ["Desk"]  # feed-level author inherited


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (read("malformed.xml"), "malformed feed"),
        (b"<!DOCTYPE html><html><body>Hello</body></html>", "HTML page"),
        (b"<?xml version='1.0'?><catalog><book/></catalog>", "not a feed"),
        (b'{"version": "1", "items": []}', "jsonfeed.org"),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": [', "malformed JSON Feed"),
        (b"   ", "empty"),
    ],
)
def test_malformed_feed_raises_one_line_reason(body: bytes, reason: str) -> None:
    with pytest.raises(FeedError) as caught:
        parse_feed(body, url="https://bad.example/feed")
    assert reason in caught.value.reason
    assert "\n" not in caught.value.reason


def test_empty_but_valid_feed_is_not_an_error() -> None:
    feed = parse_feed(b"<rss version='2.0'><channel><title>quiet</title></channel></rss>", url="https://q.example/")
    assert feed.entries == []
    assert feed.title == "quiet"


def test_discover_feeds() -> None:
    page = """<html><head>
      <base href="https://site.example/news/">
      <link rel="alternate" type="application/rss+xml" title="RSS" href="rss.xml">
      <link rel="alternate" type="application/atom+xml" href="/atom.xml">
      <link rel="ALTERNATE" type="application/feed+json" href="https://cdn.example/feed.json"/>
      <link rel="alternate" type="text/html" hreflang="fr" href="/fr/">
      <link rel="stylesheet" type="text/css" href="/style.css">
      <link rel="alternate" type="application/rss+xml" href="rss.xml">
    </head><body><a href="/other.rss">not a link tag</a></body></html>"""
    assert discover_feeds(page, "https://site.example/") == [
        "https://site.example/news/rss.xml",
        "https://site.example/atom.xml",
        "https://cdn.example/feed.json",
    ]
    assert discover_feeds("<html><head></head></html>", "https://x.example/") == []


def test_load_feeds_accepts_durations_and_defaults(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_text(
        "feeds:\n"
        "  - name: a\n    url: https://a.example/rss\n    interval: 10m\n    tags: [world, english]\n"
        "    language: en\n"
        "  - name: b\n    url: https://b.example/feed\n"
    )
    first, second = load_feeds(path)
    assert first.interval == 600
    assert first.tags == ["world", "english"]
    assert first.language == "en"
    assert second.interval == 300
    assert second.tags == []
    assert second.language is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("feeds:\n  - name: a\n    url: ftp://a.example/x\n", "feeds[0] (a): url"),
        ("feeds:\n  - name: a\n    url: https://a.example/\n  - name: b\n", "feeds[1] (b): url"),
        ("feeds:\n  - name: a\n    url: https://a.example/\n    interval: soon\n", "interval"),
        ("feeds:\n  - name: a\n    url: https://a.example/\n    colour: red\n", "colour"),
        ("feeds:\n  - name: a\n    url: https://a/\n  - name: a\n    url: https://b/\n", "duplicate"),
        ("feeds: {}\n", "top-level 'feeds:' list"),
        ("feeds: [\n", "not valid YAML"),
    ],
)
def test_load_feeds_errors_name_file_and_item(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(FeedsFileError) as caught:
        load_feeds(path)
    assert str(path) in str(caught.value)
    assert message in str(caught.value)


def test_default_feeds_file_loads() -> None:
    feeds = load_feeds(REPO / "deploy" / "feeds.yaml")
    assert len(feeds) >= 40
    assert all(feed.url.startswith("https://") for feed in feeds)
    assert len({feed.url for feed in feeds}) == len(feeds)


def test_a_json_feed_date_that_is_not_iso_is_read_as_rss_dates_are_or_left_out() -> None:
    body = (
        b'{"version": "https://jsonfeed.org/version/1.1", "items": ['
        b'{"url": "https://n.example/1", "date_published": "Tue, 24 Nov 2026 10:00:00 GMT"},'
        b'{"url": "https://n.example/2", "date_published": "1e309"}]}'
    )
    first, second = parse_feed(body, url="https://n.example/feed.json").entries
    assert first.published == datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    assert second.published is None


def test_a_character_reference_past_the_last_code_point_is_a_malformed_feed() -> None:
    body = b'<rss version="2.0"><channel><item><link>https://n.example/1</link><description>&#x110000;</description></item></channel></rss>'
    with pytest.raises(FeedError, match="malformed feed"):
        parse_feed(body, url="https://n.example/feed.xml")


def test_a_summary_whose_markup_breaks_the_html_parser_is_still_read_as_text() -> None:
    """Found by benchmarks/fuzz.py: html.parser raises AssertionError on an unknown marked section."""
    body = (
        b'<rss version="2.0"><channel><item><link>https://n.example/1</link>'
        b"<description>&lt;![CDATAning &lt;b&gt;police&lt;/b&gt; arrested 12</description></item></channel></rss>"
    )
    (entry,) = parse_feed(body, url="https://n.example/feed.xml").entries
    assert entry.summary is not None and "police" in entry.summary and "arrested 12" in entry.summary


def test_a_link_urllib_cannot_parse_is_skipped_not_a_crash() -> None:
    """Found by benchmarks/fuzz.py: urlsplit raises ValueError on "http://[" (an unclosed IPv6 host)."""
    body = (
        b'<rss version="2.0"><channel><item><link>http://[broken/a</link></item>'
        b"<item><link>https://n.example/2</link></item></channel></rss>"
    )
    assert [e.url for e in parse_feed(body, url="https://n.example/feed.xml").entries] == ["https://n.example/2"]
    assert (
        discover_feeds('<link rel="alternate" type="application/rss+xml" href="http://[x">', "https://n.example/") == []
    )

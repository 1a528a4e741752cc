"""Metadata: which date source wins, authors, canonical URL, site name."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from lxml.html import document_fromstring

from newswire.cleaner.metadata import clean_authors, extract_page_metadata, parse_datetime
from newswire.common.models import FeedEntry

FEED = FeedEntry(feed_url="https://news.example/rss", published=datetime(2020, 1, 2, 3, 4, tzinfo=UTC))


def page(head: str = "", body: str = "") -> str:
    return f"<html><head><title>Storm hits coast | Coast News</title>{head}</head><body>{body}</body></html>"


JSON_LD = (
    '<script type="application/ld+json">{"@context": "https://schema.org", "@graph": ['
    '{"@type": "WebPage", "datePublished": "2019-01-01"},'
    '{"@type": "NewsArticle", "headline": "Storm hits coast", "datePublished": "2021-06-07T08:09:10+02:00",'
    '"author": [{"@type": "Person", "name": "Ana Ruiz"}, {"@type": "Person", "name": "Tom Berg"}]}]}'
    "</script>"
)
META = '<meta property="article:published_time" content="2021-06-05T10:00:00Z">'
BODY_DATE = "<p class='date'>Published on 3 June 2021</p><p>Storm text.</p>"


@pytest.mark.parametrize(
    ("head", "body", "source", "expected"),
    [
        (JSON_LD + META, BODY_DATE, "json-ld", datetime(2021, 6, 7, 8, 9, 10, tzinfo=timezone(timedelta(hours=2)))),
        (META, BODY_DATE, "meta", datetime(2021, 6, 5, 10, 0, tzinfo=UTC)),
        ("", "<time datetime='2021-06-03'>3 June</time>" + BODY_DATE, "htmldate", datetime(2021, 6, 3, tzinfo=UTC)),
        ("", "<p>No date anywhere on this page.</p>", "feed", FEED.published),
    ],
)
def test_date_source_precedence(head: str, body: str, source: str, expected: datetime) -> None:
    meta = extract_page_metadata(document_fromstring(page(head, body)), "https://coast.example/a", FEED)
    assert meta.published_source == source
    assert meta.published_at == expected
    assert meta.published_at is not None and meta.published_at.tzinfo is not None


def test_a_date_in_the_future_is_not_believed() -> None:
    head = '<meta property="article:published_time" content="2091-01-01T00:00:00Z">'
    meta = extract_page_metadata(document_fromstring(page(head, "<p>Text.</p>")), None, FEED)
    assert meta.published_source == "feed"


def test_no_date_at_all() -> None:
    meta = extract_page_metadata(document_fromstring(page(body="<p>Nothing.</p>")), None, None)
    assert (meta.published_at, meta.published_source) == (None, "none")


def test_json_ld_authors_title_and_site_name() -> None:
    head = JSON_LD + '<meta property="og:site_name" content="Coast News">'
    meta = extract_page_metadata(document_fromstring(page(head)), None, None)
    assert meta.authors == ["Ana Ruiz", "Tom Berg"]
    assert meta.title == "Storm hits coast"
    assert meta.site_name == "Coast News"


def test_canonical_url_resolved_against_the_page_url() -> None:
    head = '<link rel="canonical" href="/2021/06/storm">'
    meta = extract_page_metadata(document_fromstring(page(head)), "https://coast.example/a?utm_source=x", None)
    assert meta.canonical_url == "https://coast.example/2021/06/storm"
    no_link = extract_page_metadata(document_fromstring(page()), "https://coast.example/a", None)
    assert no_link.canonical_url == "https://coast.example/a"


def test_byline_markup_gives_authors_without_labels() -> None:
    body = "<div class='byline'>By Lena Fischer</div><span class='read-time'>5 Minute Read</span>"
    meta = extract_page_metadata(document_fromstring(page(body=body)), None, None)
    assert meta.authors == ["Lena Fischer"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (["By Jane Doe"], ["Jane Doe"]),
        (["Jane Doe and John Roe"], ["Jane Doe", "John Roe"]),
        (["Minute Read"], []),
        (["4 Minute Read"], []),
        (["Published"], []),
        (["November 15, 2011"], []),
        (["2011-11-15"], []),
        (["Jane Doe; jane.doe@example.com"], ["Jane Doe"]),
        (["Jane Doe", "jane doe"], ["Jane Doe"]),
    ],
)
def test_clean_authors(raw: list[str], expected: list[str]) -> None:
    assert clean_authors(raw) == expected


def test_feed_fills_missing_authors_and_title() -> None:
    entry = FeedEntry(feed_url="https://news.example/rss", title="Feed headline", authors=["Kim Lee"])
    html = "<html><head></head><body><p>Text without any metadata.</p></body></html>"
    meta = extract_page_metadata(document_fromstring(html), None, entry)
    assert meta.authors == ["Kim Lee"]
    assert meta.title == "Feed headline"


def test_parse_datetime() -> None:
    assert parse_datetime("2021-06-07T08:09:10Z") == datetime(2021, 6, 7, 8, 9, 10, tzinfo=UTC)
    assert parse_datetime("2021-06-07 08:09:10+0200") == datetime(
        2021, 6, 7, 8, 9, 10, tzinfo=timezone(timedelta(hours=2))
    )
    assert parse_datetime("2021-06-07") == datetime(2021, 6, 7, tzinfo=UTC)
    assert parse_datetime("not a date") is None
    assert parse_datetime("1200-01-01") is None

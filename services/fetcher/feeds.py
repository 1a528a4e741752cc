"""Feed parsing (RSS 0.9x/1.0/2.0, Atom via feedparser; JSON Feed by hand) and feed discovery.

Everything here works on bytes already fetched, so `newswire feeds check FILE` and the fetcher share it.
"""

from __future__ import annotations

import calendar
import html as html_lib
import json
import re
import time
import xml.sax
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser
from feedparser.datetimes import _parse_date as parse_feed_date

from ..errors import PermanentError

_FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/feed+json"})
_JSON_TYPES = ("application/feed+json", "application/json", "text/json")
_JSONFEED_VERSION = "https://jsonfeed.org/version/"
_SUMMARY_CHARS = 2000


class FeedError(PermanentError):
    """A feed that cannot be read; `reason` is one line, fit for a DLQ record or a CLI error.

    `html_page` is set when the document is a web page: the caller should try discover_feeds on it.
    """

    def __init__(self, reason: str, *, html_page: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.html_page = html_page


@dataclass(frozen=True, slots=True)
class FeedItem:
    url: str
    title: str | None = None
    summary: str | None = None
    published: datetime | None = None
    authors: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    title: str | None
    entries: list[FeedItem]
    kind: str = "unknown"
    home_url: str | None = None


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


_SPACES = re.compile(r"\s+")
_TAG = re.compile(r"<[^>]*>?")


def _plain_text(markup: str | None, limit: int = _SUMMARY_CHARS) -> str | None:
    """Summaries come as HTML fragments; downstream wants text, and only as a fallback, so cap it."""
    if not markup:
        return None
    if "<" in markup:
        extractor = _TextExtractor()
        try:
            extractor.feed(markup)
            extractor.close()
            text = "".join(extractor.parts)
        except (AssertionError, ValueError):  # html.parser asserts on some broken markup ("<![CDATAx")
            text = html_lib.unescape(_TAG.sub(" ", markup))
    else:
        text = html_lib.unescape(markup)
    text = _SPACES.sub(" ", text).strip()
    return text[:limit] or None


def _is_web_url(candidate: str | None) -> bool:
    try:
        return bool(candidate) and urlsplit(str(candidate)).scheme in ("http", "https")
    except ValueError:  # "http://[" and other hosts urllib cannot parse
        return False


def _join(base: str, link: str) -> str | None:
    """`link` made absolute against `base`, or None where urllib cannot parse either."""
    try:
        return urljoin(base, link)
    except ValueError:
        return None


def _struct_to_utc(value: time.struct_time | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (OverflowError, ValueError, OSError):
        return None


def _parse_iso_datetime(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return _struct_to_utc(parse_feed_date(value))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _looks_like_json(body: bytes, content_type: str | None) -> bool:
    if content_type and content_type.split(";")[0].strip().lower() in _JSON_TYPES:
        return True
    return body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{"


def _parse_json_feed(body: bytes, url: str) -> ParsedFeed:
    try:
        document = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FeedError(f"malformed JSON Feed: {exc}") from None
    if not isinstance(document, dict) or not str(document.get("version", "")).startswith(_JSONFEED_VERSION):
        raise FeedError("not a feed: JSON without a jsonfeed.org version")
    items = document.get("items")
    if not isinstance(items, list):
        raise FeedError("malformed JSON Feed: 'items' is not a list")
    home = document.get("home_page_url") if _is_web_url(document.get("home_page_url")) else None
    base = str(document.get("feed_url") or url)
    feed_authors = _json_authors(document)
    entries: list[FeedItem] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        link = item.get("url") or item.get("external_url")
        if not link and _is_web_url(item.get("id")):
            link = item.get("id")
        if not isinstance(link, str) or not link.strip():
            continue
        absolute = _join(base, link.strip())
        if absolute is None or not _is_web_url(absolute):
            continue
        summary = item.get("summary") or item.get("content_text") or item.get("content_html")
        tags = [str(tag) for tag in item.get("tags") or [] if isinstance(tag, str | int)]
        entries.append(
            FeedItem(
                url=absolute,
                title=_plain_text(item.get("title")) if isinstance(item.get("title"), str) else None,
                summary=_plain_text(summary) if isinstance(summary, str) else None,
                published=_parse_iso_datetime(item.get("date_published"))
                or _parse_iso_datetime(item.get("date_modified")),
                authors=_json_authors(item) or feed_authors,
                tags=tags,
            )
        )
    title = document.get("title")
    return ParsedFeed(title=title if isinstance(title, str) else None, entries=entries, kind="json", home_url=home)


def _json_authors(node: dict[str, Any]) -> list[str]:
    raw = node.get("authors")
    if not isinstance(raw, list):
        raw = [node["author"]] if isinstance(node.get("author"), dict) else []
    return [str(a["name"]) for a in raw if isinstance(a, dict) and isinstance(a.get("name"), str)]


def _entry_authors(entry: Any) -> list[str]:
    names = [a.get("name") for a in entry.get("authors", []) if isinstance(a, dict) and a.get("name")]
    if not names and entry.get("author"):
        names = [entry.get("author")]
    seen: dict[str, None] = {}
    for name in names:
        seen.setdefault(str(name).strip(), None)
    return [name for name in seen if name]


def _entry_link(entry: Any) -> str | None:
    link = entry.get("link")
    if _is_web_url(link):
        return str(link)
    for candidate in entry.get("links", []):
        href = candidate.get("href")
        if candidate.get("rel", "alternate") == "alternate" and _is_web_url(href):
            return str(href)
    guid = entry.get("id")
    return str(guid) if _is_web_url(guid) else None


def _describe_bozo(exception: object) -> str:
    if isinstance(exception, xml.sax.SAXParseException):
        return f"XML error at line {exception.getLineNumber()}: {exception.getMessage()}"
    message = str(exception).strip().splitlines()[0] if str(exception).strip() else type(exception).__name__
    return message[:200]


def parse_feed(body: bytes, *, url: str, content_type: str | None = None) -> ParsedFeed:
    """Parse one feed document; raise FeedError (one-line reason) for anything that is not a feed."""
    if not body.strip():
        raise FeedError("empty document")
    if _looks_like_json(body, content_type):
        return _parse_json_feed(body, url)
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    try:
        parsed = feedparser.parse(body, response_headers=headers, sanitize_html=False)
    except (ValueError, LookupError, TypeError, RecursionError) as exc:
        # feedparser trusts some markup it should not ("&#x110000;" is past the last code point).
        raise FeedError(f"malformed feed: the parser failed on it ({type(exc).__name__}: {exc})") from None
    version = parsed.get("version") or ""
    raw_entries = parsed.get("entries") or []
    if not raw_entries:
        lowered = body[:1024].lower()
        bozo = parsed.get("bozo_exception") if parsed.get("bozo") else None
        if b"<html" in lowered or b"<!doctype html" in lowered:
            raise FeedError("not a feed: the document is an HTML page", html_page=True)
        if isinstance(bozo, xml.sax.SAXException):
            raise FeedError(f"malformed feed: {_describe_bozo(bozo)}")
        if not version:
            raise FeedError("not a feed: no RSS, RDF or Atom root element")
    entries: list[FeedItem] = []
    for entry in raw_entries:
        link = _entry_link(entry)
        if link is None:
            continue
        published = _struct_to_utc(entry.get("published_parsed")) or _struct_to_utc(entry.get("updated_parsed"))
        tags = [str(t.get("term")).strip() for t in entry.get("tags", []) if t.get("term")]
        entries.append(
            FeedItem(
                url=urljoin(url, link),
                title=_plain_text(entry.get("title")),
                summary=_plain_text(entry.get("summary")),
                published=published,
                authors=_entry_authors(entry),
                tags=tags,
            )
        )
    feed_meta = parsed.get("feed", {})
    home = feed_meta.get("link")
    return ParsedFeed(
        title=_plain_text(feed_meta.get("title")),
        entries=entries,
        kind=version or "unknown",
        home_url=str(home) if _is_web_url(home) else None,
    )


class _AlternateLinkFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.base_href: str | None = None
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name.lower(): (value or "") for name, value in attrs}
        if tag == "base" and self.base_href is None and attributes.get("href"):
            self.base_href = attributes["href"].strip()
        if tag != "link":
            return
        rels = attributes.get("rel", "").lower().split()
        media_type = attributes.get("type", "").split(";")[0].strip().lower()
        href = attributes.get("href", "").strip()
        if "alternate" in rels and media_type in _FEED_TYPES and href:
            self.hrefs.append(href)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)


def discover_feeds(html: str, base_url: str) -> list[str]:
    """Feed URLs a page advertises with <link rel="alternate">, absolute, in page order, no repeats."""
    finder = _AlternateLinkFinder()
    finder.feed(html)
    finder.close()
    base = (_join(base_url, finder.base_href) if finder.base_href else None) or base_url
    found: dict[str, None] = {}
    for href in finder.hrefs:
        absolute = _join(base, href)
        if absolute is not None and _is_web_url(absolute):
            found.setdefault(absolute, None)
    return list(found)

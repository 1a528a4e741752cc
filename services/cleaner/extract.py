"""From a fetched page to the clean text the event coder reads, with its metadata.

trafilatura finds the main text (precision mode, without reader comments: comments are not the report
and would become events of their own); our boilerplate filter then removes what trafilatura keeps
(appeals, share prompts, related links, credits). Speed, at least that of plain trafilatura although we
do more: scripts and styles are cut before parsing, the page is parsed once and the tree shared by
metadata and text extraction, and trafilatura's fast pass is used unless it finds almost nothing, when
its full pass (which compares it with other extractors) runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from lxml.html import HtmlElement
from trafilatura import bare_extraction
from trafilatura.utils import load_html

from ..common.charsets import decode_html
from ..common.models import FeedEntry
from ..errors import PermanentError
from .boilerplate import filter_paragraphs, words
from .language import detect_language
from .metadata import DateSource, Metadata, extract_page_metadata

MAX_HTML_CHARS = 1_000_000
"""Beyond this (after scripts and styles are dropped) the page is cut: the article comes early in the
markup, and trafilatura's tree walks cost seconds per megabyte of markup."""
_BULK_OPENER = re.compile(r"<(script|style|svg|noscript|template|!--)", re.IGNORECASE)
_DATA_URI = re.compile(r"data:[^\"')\s]{256,}")

_HTML_SIGNS = re.compile(
    r"<\s*(!doctype\s+html|html|head|body|meta|title|div|p|article|section|main|span|table|h[1-6]|br|a|"
    r"script|link|ul|li|header|nav)\b",
    re.IGNORECASE,
)
_BINARY_MAGIC = (
    b"%PDF",
    b"\x89PNG",
    b"GIF8",
    b"\xff\xd8\xff",
    b"PK\x03\x04",
    b"\x1f\x8b",
    b"\x00\x00\x01\x00",
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_SURROGATES = re.compile(r"[\ud800-\udfff]")


class CleaningError(PermanentError, ValueError):
    """The input cannot be cleaned; `reason` goes to the dead-letter queue as it is."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class CleanResult:
    text: str
    paragraphs: list[str]
    title: str | None
    authors: list[str]
    published_at: datetime | None
    published_source: DateSource
    language: str | None
    canonical_url: str | None
    site_name: str | None
    word_count: int
    empty: bool
    removed_boilerplate: list[str] = field(default_factory=list)


def _page_text(data: bytes) -> str:
    """Bytes as the fetcher would have decoded them; a binary payload is refused before it is read as text."""
    if data.startswith(_BINARY_MAGIC):
        raise CleaningError(f"binary content (starts with {data[:4]!r})")
    return decode_html(data)[0]


def check_input(html: str | bytes) -> str:
    """Refuse what is not an HTML page, with a reason a person can act on."""
    if isinstance(html, bytes):
        html = _page_text(html)
    if not isinstance(html, str):
        raise CleaningError(f"expected HTML text, got {type(html).__name__}")
    if not html.strip():
        raise CleaningError("empty document")
    head = html[:8192]
    if "\x00" in head or len(_CONTROL.findall(head)) > max(8, len(head) // 100):
        raise CleaningError("binary content: control characters in the first 8 KiB")
    if not html.isascii() and _SURROGATES.search(html):
        bad = len(_SURROGATES.findall(html))
        if bad > max(16, len(html) // 50):
            raise CleaningError(f"invalid bytes: {bad} undecodable characters")
        html = _SURROGATES.sub("\ufffd", html)
    if not html.isascii() and html.count("\ufffd") > max(16, len(html) // 20):
        raise CleaningError("invalid bytes: mostly replacement characters, wrong charset or binary")
    if not _HTML_SIGNS.search(html[:200_000]):
        raise CleaningError("not HTML: no HTML tags found")
    html = strip_bulk(html)
    if len(html) > MAX_HTML_CHARS:
        html = _DATA_URI.sub("data:", html)
    if len(html) > MAX_HTML_CHARS:
        html = html[:MAX_HTML_CHARS]
    return html


def strip_bulk(html: str) -> str:
    """Drop scripts (except JSON-LD), styles, SVG and comments before parsing.

    They are most of a modern page's bytes and trafilatura discards them anyway; cutting them with
    str.find is cheaper than letting lxml build them and trafilatura walk them.
    """
    lower = html.lower()
    pieces: list[str] = []
    position = 0
    while True:
        match = _BULK_OPENER.search(lower, position)
        if match is None:
            pieces.append(html[position:])
            break
        start, tag = match.start(), match.group(1)
        if tag == "!--":
            close = lower.find("-->", start + 4)
            end = len(html) if close < 0 else close + 3
        else:
            tag_end = lower.find(">", start)
            if tag_end < 0:
                pieces.append(html[position:])
                break
            if tag == "script" and "ld+json" in lower[start:tag_end]:
                pieces.append(html[position : tag_end + 1])
                position = tag_end + 1
                continue
            close = lower.find("</" + tag, tag_end)
            close_end = lower.find(">", close) if close >= 0 else -1
            end = len(html) if close_end < 0 else close_end + 1
        pieces.append(html[position:start])
        position = end
    return "".join(pieces)


def _parse(html: str) -> HtmlElement:
    tree = load_html(html)
    if tree is None:
        tree = load_html(f"<html><body>{html}</body></html>")
    if tree is None:
        raise CleaningError("not HTML: the parser found no document")
    return tree


MIN_ARTICLE_WORDS = 10
"""Fewer words is a navigation stub or a paywall teaser, not an article: it is passed on flagged empty."""
FAST_PASS_MIN_CHARS = 500
"""A fast pass that finds less than this missed the article; the full pass compares extractors."""


def _paragraphs(tree: HtmlElement, url: str | None) -> list[str]:
    text = ""
    for fast in (True, False):
        document = bare_extraction(
            tree,
            url=url,
            fast=fast,
            favor_precision=True,
            include_comments=False,
            include_tables=True,
            with_metadata=False,
        )
        candidate = getattr(document, "text", None) or ""
        if len(candidate) > len(text):
            text = candidate
        if len(text) >= FAST_PASS_MIN_CHARS:
            break
    return [line.strip() for line in text.split("\n") if line.strip()]


def clean_html(html: str | bytes, *, url: str | None = None, feed_entry: FeedEntry | None = None) -> CleanResult:
    """Clean one page; raises CleaningError for input that is not an HTML page."""
    html = check_input(html)
    tree = _parse(html)
    meta: Metadata = extract_page_metadata(tree, url, feed_entry)
    try:
        raw_paragraphs = _paragraphs(tree, url)
    except RecursionError as err:
        raise CleaningError("markup too deeply nested to parse") from err
    filtered = filter_paragraphs(raw_paragraphs, title=meta.title, headlines=meta.headlines)
    paragraphs = filtered.kept
    text = "\n\n".join(paragraphs)
    word_count = sum(words(p) for p in paragraphs)
    language = detect_language(text) if text else None
    if language is None:
        language = meta.declared_language or (feed_entry.language if feed_entry else None)
    return CleanResult(
        text=text,
        paragraphs=paragraphs,
        title=meta.title,
        authors=meta.authors,
        published_at=meta.published_at,
        published_source=meta.published_source,
        language=language,
        canonical_url=meta.canonical_url,
        site_name=meta.site_name,
        word_count=word_count,
        empty=word_count < MIN_ARTICLE_WORDS,
        removed_boilerplate=filtered.removed,
    )

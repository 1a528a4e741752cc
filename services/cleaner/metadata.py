"""Article metadata: title, authors, publication date (with the source that won), canonical URL, site name.

The date matters most downstream ("on Tuesday" is resolved against it), so its provenance is recorded:
JSON-LD and meta tags are what the publisher declared; htmldate guesses from the page; the feed's date
is the last resort.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

from htmldate import find_date
from lxml.html import HtmlElement
from trafilatura.metadata import extract_sitename, extract_title

from ..common.models import FeedEntry

DateSource = Literal["json-ld", "meta", "htmldate", "feed", "none"]

_DATE_META_KEYS = (
    "article:published_time",
    "og:article:published_time",
    "article.published",
    "datepublished",
    "publishdate",
    "publish-date",
    "published-date",
    "pubdate",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.created",
    "dcterms.date",
    "dc.date",
    "date",
    "article_date_original",
    "original-publish-date",
    "cxenseparse:recs:publishtime",
)
_AUTHOR_NOISE = re.compile(
    r"\b(minute|min)s? read\b|^(published|updated|posted|admin|editors?|news desk|newsroom|guest|gast|"
    r"invité|invitado|гость|anonymous)$|admin\b|\b(staff|writer|editor|editor-at-large|reporter|"
    r"correspondent|contributor|columnist|rédaction|redacción|redaktion)\b",
    re.IGNORECASE,
)
_AUTHOR_PREFIX = re.compile(
    r"^(?:(?i:(?:analysis|opinion|story|written|words|text|reporting|commentary) by|by|about|sobre|"
    r"à propos de|über)|Von|VON|Par|PAR|Por|POR)\s+"
)
"""Byline labels; case matters for the particles, so that "von der Leyen" keeps its "von"."""
_HAS_DIGIT_OR_URL = re.compile(r"\d|https?:|www\.|@|\.com\b")
_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)


@dataclass(frozen=True)
class Metadata:
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    published_source: DateSource = "none"
    canonical_url: str | None = None
    site_name: str | None = None
    description: str | None = None
    declared_language: str | None = None
    headlines: tuple[str, ...] = ()
    """The page's other titles (h1, og:title, twitter:title, description) that a text may repeat."""


_AUTHOR_META_KEYS = (
    "author",
    "article:author",
    "dc.creator",
    "dcterms.creator",
    "parsely-author",
    "sailthru.author",
    "byl",
    "citation_author",
)


def _meta_tags(tree: HtmlElement) -> dict[str, list[str]]:
    """All <meta> contents by lower-cased property/name/itemprop, in one pass over the tree."""
    tags: dict[str, list[str]] = {}
    for element in tree.iter("meta"):
        key = element.get("property") or element.get("name") or element.get("itemprop")
        content = element.get("content")
        if key and content and content.strip():
            tags.setdefault(key.strip().lower(), []).append(content.strip())
    return tags


def _first(tags: dict[str, list[str]], *keys: str) -> str | None:
    for key in keys:
        values = tags.get(key)
        if values:
            return values[0]
    return None


def _is_article(obj: dict[str, Any]) -> bool:
    kind = obj.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return any(isinstance(k, str) and ("Article" in k or "Posting" in k or k == "Report") for k in kinds)


def _names(value: Any) -> list[str]:
    """Person names from a JSON-LD author value: a string, an object with a name, or a list of them."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        name = value.get("name")
        return [name] if isinstance(name, str) else []
    if isinstance(value, list):
        return [name for item in value for name in _names(item)]
    return []


def extract_page_metadata(tree: HtmlElement, url: str | None, feed_entry: FeedEntry | None) -> Metadata:
    tags = _meta_tags(tree)
    json_ld = list(_json_ld_objects(tree))
    article = next((obj for obj in json_ld if _is_article(obj)), None)

    headline = article.get("headline") if article else None
    title = (
        _first(tags, "og:title", "twitter:title")
        or (headline if isinstance(headline, str) else None)
        or _first(tags, "title", "headline", "dc.title")
        or extract_title(tree)
        or (feed_entry.title if feed_entry else None)
    )

    author_names = _names(article.get("author")) if article else []
    if not author_names:
        author_names = [
            value
            for key in _AUTHOR_META_KEYS
            for value in tags.get(key, [])
            if not value.startswith(("http://", "https://"))
        ]
    if not author_names:
        byline = _byline_authors(tree)
        author_names = byline.split(";") if byline else []
    authors = clean_authors(author_names)
    if not authors and feed_entry:
        authors = clean_authors(feed_entry.authors)

    publisher = article.get("publisher") if article else None
    publisher_names = _names(publisher) if isinstance(publisher, dict | list) else []
    site_name = (
        _first(tags, "og:site_name", "application-name")
        or (publisher_names[0] if publisher_names else None)
        or extract_sitename(tree)
        or (feed_entry.feed_name if feed_entry else None)
    )
    if site_name:
        site_name = re.sub(r"^https?://(www\.)?|/$", "", site_name.lstrip("@").strip()) or None
    if site_name:
        authors = [a for a in authors if a.casefold() != site_name.casefold()]

    published_at, source = find_publication_date(tree, url, feed_entry, tags=tags, json_ld=json_ld)
    description = _first(tags, "og:description", "description", "twitter:description")
    headlines = [_first(tags, "og:title"), _first(tags, "twitter:title"), description]
    headlines += [" ".join(h1.text_content().split()) for h1 in tree.iter("h1")][:3]
    return Metadata(
        title=_clean_text(title),
        authors=authors,
        published_at=published_at,
        published_source=source,
        canonical_url=canonical_url(tree, url),
        site_name=site_name,
        description=_clean_text(description),
        declared_language=_declared_language(tree),
        headlines=tuple(dict.fromkeys(h for h in headlines if h and len(h) < 400)),
    )


_BYLINE_XPATH = (
    './/*[@rel="author"] | .//*[@itemprop="author"] | '
    './/*[contains(@class, "byline") or contains(@class, "author-name") or contains(@class, "author__name")]'
)


def _byline_authors(tree: HtmlElement) -> str | None:
    """Names from byline markup; cheaper than trafilatura's author search, which copies the whole tree."""
    names: list[str] = []
    for element in tree.xpath(_BYLINE_XPATH)[:6]:
        text = " ".join(element.text_content().split())
        if 2 < len(text) < 80:
            names.append(text)
    return ";".join(names) or None


def _clean_text(value: str | None) -> str | None:
    if not value:
        return None
    cleaned = " ".join(value.split())
    return cleaned or None


def clean_authors(candidates: list[str]) -> list[str]:
    """Keep names only: bylines carry reading times, dates, 'Published' labels and URLs."""
    result: list[str] = []
    for candidate in candidates:
        for part in re.split(r"\s*(?:;|\||,|\band\b|\bet\b|\by\b|\bund\b|&)\s*", candidate):
            name = " ".join(part.split()).strip(" .:-–—")
            name = _AUTHOR_PREFIX.sub("", name)
            if name.isupper() and len(name) > 5:
                name = name.title()
            if not name or _AUTHOR_NOISE.search(name) or _HAS_DIGIT_OR_URL.search(name):
                continue
            if len(_LETTERS.findall(name)) < 3 or len(name) > 60 or len(name.split()) > 5:
                continue
            if name.casefold() not in {a.casefold() for a in result}:
                result.append(name)
    return result


def canonical_url(tree: HtmlElement, url: str | None) -> str | None:
    for xpath in ('.//link[@rel="canonical"]/@href', './/meta[@property="og:url"]/@content'):
        values = tree.xpath(xpath)
        if values:
            href = str(values[0]).strip()
            if href:
                resolved = urljoin(url, href) if url else href
                if urlsplit(resolved).scheme in {"http", "https"}:
                    return resolved
    return url


def _declared_language(tree: HtmlElement) -> str | None:
    values = tree.xpath("/html/@lang") or tree.xpath('.//meta[@http-equiv="content-language"]/@content')
    if values:
        code = str(values[0]).strip().lower()[:2]
        if code.isalpha() and len(code) == 2:
            return code
    return None


def parse_datetime(value: str) -> datetime | None:
    """An aware datetime from an ISO-like string; a date without time or zone is taken as UTC."""
    text = value.strip()
    if not text:
        return None
    text = re.sub(r"\s*(Z|z)$", "+00:00", text)
    text = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text)
    for candidate in (text, text.replace(" ", "T", 1), text[:19], text[:10]):
        try:
            parsed = datetime.fromisoformat(candidate)
        except ValueError:
            continue
        if not 1990 <= parsed.year <= 2100:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None


def _json_ld_objects(tree: HtmlElement) -> Iterator[dict[str, Any]]:
    for script in tree.xpath('.//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text or "")
        except (ValueError, TypeError):
            continue
        stack: list[Any] = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(reversed(item))
            elif isinstance(item, dict):
                yield item
                if "@graph" in item:
                    stack.append(item["@graph"])


def _date_from_json_ld(objects: list[dict[str, Any]]) -> datetime | None:
    fallback: datetime | None = None
    for obj in objects:
        for key in ("datePublished", "dateCreated", "uploadDate"):
            value = obj.get(key)
            if isinstance(value, str):
                parsed = parse_datetime(value)
                if parsed is None:
                    continue
                if _is_article(obj):
                    return parsed
                fallback = fallback or parsed
    return fallback


def _date_from_meta(tree: HtmlElement, tags: dict[str, list[str]]) -> datetime | None:
    for key in _DATE_META_KEYS:
        for value in tags.get(key, []):
            parsed = parse_datetime(value)
            if parsed:
                return parsed
    for value in tree.xpath('.//time[@itemprop="datePublished"]/@datetime | .//time[@pubdate]/@datetime'):
        parsed = parse_datetime(str(value))
        if parsed:
            return parsed
    return None


def find_publication_date(
    tree: HtmlElement,
    url: str | None,
    feed_entry: FeedEntry | None,
    *,
    tags: dict[str, list[str]] | None = None,
    json_ld: list[dict[str, Any]] | None = None,
) -> tuple[datetime | None, DateSource]:
    """The declared date (JSON-LD, then meta tags), else htmldate's guess, else the feed's date."""
    objects = json_ld if json_ld is not None else list(_json_ld_objects(tree))
    latest_plausible = datetime.now(UTC) + timedelta(days=1)
    from_json_ld = _date_from_json_ld(objects)
    if from_json_ld and from_json_ld <= latest_plausible:
        return from_json_ld, "json-ld"
    from_meta = _date_from_meta(tree, tags if tags is not None else _meta_tags(tree))
    if from_meta and from_meta <= latest_plausible:
        return from_meta, "meta"
    try:
        guessed = find_date(tree, url=url, extensive_search=False, original_date=True)
    except Exception:  # htmldate raises on malformed trees; a missing date is not fatal
        guessed = None
    if guessed:
        parsed = parse_datetime(guessed)
        if parsed and parsed <= latest_plausible:
            return parsed, "htmldate"
    if feed_entry and feed_entry.published:
        published = feed_entry.published
        return (published if published.tzinfo else published.replace(tzinfo=UTC)), "feed"
    return None, "none"

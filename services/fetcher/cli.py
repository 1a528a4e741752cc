"""`newswire feeds check PATH|URL` and `newswire feeds status`: look at one feed, or at a running fetcher.

Both print one clear line to stderr and exit non-zero on failure, never a traceback: they are what a user
runs when a feed misbehaves, so the failure is the answer they came for.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

import httpx
import orjson

from ..common.charsets import decode_html
from ..common.services import default_port
from ..errors import PermanentError
from .client import PoliteFetcher
from .errors import FetchError
from .feeds import FeedError, FeedItem, ParsedFeed, discover_feeds, parse_feed
from .settings import FetcherSettings

EXIT_FAILED = 1
EXIT_USAGE = 2
DEFAULT_STATUS_PORT = default_port("fetcher")


class CheckFailed(PermanentError):
    """A feed that cannot be read; the message is the one line the user sees."""


def _is_url(target: str) -> bool:
    return urlsplit(target).scheme in ("http", "https")


async def _read_url(url: str, settings: FetcherSettings) -> tuple[ParsedFeed, str]:
    """Fetch and parse a feed; a page that links a feed is followed to its first feed."""
    async with PoliteFetcher(settings.fetcher.policy) as fetcher:
        result = await fetcher.fetch_feed(url)
        try:
            return parse_feed(result.body, url=result.final_url, content_type=result.content_type), result.final_url
        except FeedError as exc:
            if not exc.html_page:
                raise
            text, _ = decode_html(result.body, result.content_type)
        found = discover_feeds(text, result.final_url)
        if not found:
            raise CheckFailed(f"{url}: not a feed, and the page advertises no feed (<link rel=alternate>)")
        print(f"{url} is a page; reading the feed it advertises: {found[0]}", file=sys.stderr)
        result = await fetcher.fetch_feed(found[0])
        return parse_feed(result.body, url=result.final_url, content_type=result.content_type), result.final_url


def read_feed(target: str, settings: FetcherSettings | None = None) -> tuple[ParsedFeed, str]:
    """Parse the feed at a URL or in a file; raises CheckFailed with a one-line reason."""
    try:
        if _is_url(target):
            return asyncio.run(_read_url(target, settings or FetcherSettings()))
        path = Path(target)
        body = path.read_bytes()
        try:
            return parse_feed(body, url=path.resolve().as_uri()), str(path)
        except FeedError as exc:
            if exc.html_page:
                found = discover_feeds(decode_html(body)[0], path.resolve().as_uri())
                hint = f"; it advertises: {', '.join(found)}" if found else "; it advertises no feed"
                raise CheckFailed(f"{target}: not a feed: the file is an HTML page{hint}") from None
            raise
    except FeedError as exc:
        raise CheckFailed(f"{target}: {exc.reason}") from None
    except FetchError as exc:
        raise CheckFailed(f"{target}: {exc.reason}") from None
    except OSError as exc:
        raise CheckFailed(f"{target}: cannot read: {exc.strerror or exc}") from None


def entry_record(item: FeedItem) -> dict[str, Any]:
    return {
        "url": item.url,
        "title": item.title,
        "published": item.published.isoformat() if item.published else None,
        "authors": list(item.authors),
        "tags": list(item.tags),
        "summary": item.summary,
    }


def _cell(value: Any, width: int) -> str:
    text = "-" if value is None or value == "" else str(value)
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def format_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], widths: Sequence[int]) -> str:
    """Fixed-width columns; long cells are cut with an ellipsis so each row stays one line."""
    cells = [[_cell(value, width) for value, width in zip(row, widths, strict=True)] for row in rows]
    sizes = [max([len(header), *(len(row[column]) for row in cells)]) for column, header in enumerate(headers)]
    lines = ["  ".join(header.ljust(size) for header, size in zip(headers, sizes, strict=True)).rstrip()]
    lines += ["  ".join(cell.ljust(size) for cell, size in zip(row, sizes, strict=True)).rstrip() for row in cells]
    return "\n".join(lines)


def entries_table(feed: ParsedFeed) -> str:
    rows = [
        (item.published.strftime("%Y-%m-%d %H:%M") if item.published else None, item.title, item.url)
        for item in feed.entries
    ]
    return format_table(("published", "title", "url"), rows, (16, 60, 100))


def _age(timestamp: float | None, now: float) -> str | None:
    if timestamp is None:
        return None
    seconds = max(0.0, now - timestamp)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.0f}{unit} ago"
    return f"{seconds:.0f}s ago"


def health_table(feeds: Sequence[dict[str, Any]], now: float) -> str:
    rows = [
        (
            feed.get("name"),
            feed.get("polls"),
            feed.get("failures"),
            f"{100 * float(feed.get('not_modified_share') or 0):.0f}%",
            feed.get("items_last_poll"),
            feed.get("items_total"),
            feed.get("retries"),
            feed.get("consecutive_failures"),
            _age(feed.get("last_success"), now),
            _age(feed.get("last_error_at"), now),
            feed.get("last_error"),
        )
        for feed in feeds
    ]
    headers = ("feed", "polls", "fails", "304s", "items", "queued", "retries", "streak", "last ok", "last err", "error")
    return format_table(headers, rows, (40, 8, 8, 5, 6, 8, 8, 6, 10, 10, 60))


def cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    try:
        feed, source = read_feed(args.target)
    except CheckFailed as exc:
        print(f"newswire feeds check: {exc}", file=sys.stderr)
        return EXIT_FAILED
    if args.json:
        for item in feed.entries:
            out.write(orjson.dumps(entry_record(item)).decode() + "\n")
        return 0
    title = feed.title or "(untitled)"
    out.write(f"{title} — {len(feed.entries)} entries ({feed.kind}) from {source}\n")
    if feed.entries:
        out.write(entries_table(feed) + "\n")
    return 0


def default_status_url() -> str:
    settings = FetcherSettings()
    return f"http://{settings.web.host}:{settings.web.port or DEFAULT_STATUS_PORT}"


def cmd_status(args: argparse.Namespace, out: TextIO) -> int:
    url = (args.url or default_status_url()).rstrip("/") + "/feeds"
    try:
        response = httpx.get(url, timeout=args.timeout, trust_env=False)
        response.raise_for_status()
        body = orjson.loads(response.content)
        feeds = body["feeds"]
    except httpx.HTTPError as exc:
        print(f"newswire feeds status: cannot ask the fetcher at {url}: {exc or type(exc).__name__}", file=sys.stderr)
        return EXIT_FAILED
    except (orjson.JSONDecodeError, KeyError, TypeError):
        print(f"newswire feeds status: {url} did not answer with feed health JSON", file=sys.stderr)
        return EXIT_FAILED
    if args.json:
        for feed in feeds:
            out.write(orjson.dumps(feed).decode() + "\n")
        return 0
    if not body.get("polling", True):
        print(f"note: {url} is not the polling instance (the group's leader); its figures may be old", file=sys.stderr)
    out.write(health_table(feeds, time.time()) + "\n")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newswire feeds", description="inspect feeds and the fetcher's feed health")
    sub = parser.add_subparsers(dest="action", required=True)
    check = sub.add_parser("check", help="parse one feed (file or URL) and print its entries")
    check.add_argument("target", metavar="PATH|URL")
    check.add_argument("--json", action="store_true", help="one JSON object per entry instead of a table")
    status = sub.add_parser("status", help="print the feed health of a running fetcher")
    status.add_argument("--url", default=None, help="the fetcher's web address (default: from settings)")
    status.add_argument("--json", action="store_true", help="one JSON object per feed instead of a table")
    status.add_argument("--timeout", type=float, default=10.0)
    return parser


def main(argv: list[str]) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse already printed usage or help
        return int(exc.code or 0) if isinstance(exc.code, int) else EXIT_USAGE
    out = sys.stdout
    try:
        if args.action == "check":
            return cmd_check(args, out)
        return cmd_status(args, out)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the promise is one line, never a traceback
        print(f"newswire feeds {args.action}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_FAILED

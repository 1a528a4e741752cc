"""`newswire clean` and `newswire extract`: the cleaner's and the extractor's work on files, without Kafka."""

from __future__ import annotations

import argparse
import gzip
import sys
import zlib
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import orjson

from ..common.ids import stable_id


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    extract = sub.add_parser("extract", help="code articles without Kafka; prints one JSON event per line")
    extract.add_argument("paths", nargs="+", help="text/HTML files (.gz too), or - for JSON lines on stdin")
    extract.add_argument("--published", help="publication date of file inputs (ISO 8601)")
    extract.add_argument(
        "--documents",
        action="store_true",
        help="print one document view per input (places, dates and events, with offsets) instead of events",
    )
    extract.add_argument("--encoder", help="encoder model id or path (default: settings)")
    extract.add_argument("--backend", choices=("torch", "onnx"), help="encoder runtime (default: settings)")

    clean = sub.add_parser("clean", help="clean HTML without Kafka; prints one JSON line per input")
    clean.add_argument("paths", nargs="+", help="HTML files (.gz too), or - for JSON lines on stdin")


def _read_path(path: Path) -> str:
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    return data.decode("utf-8", "replace")


def _looks_like_html(path: Path, text: str) -> bool:
    name = path.name.removesuffix(".gz")
    return name.endswith((".html", ".htm", ".xhtml")) or text.lstrip()[:200].lower().startswith(("<!doctype", "<html"))


def _inputs(paths: Sequence[str], stdin: IO[str]) -> Iterator[dict[str, Any]]:
    """Each input as {"id", "text" or "html", "url"?, "outlet"?, "published"?, "title"?}; `-` reads JSON lines
    from stdin."""
    for raw_path in paths:
        if raw_path == "-":
            for number, line in enumerate(stdin, 1):
                if not line.strip():
                    continue
                try:
                    item = orjson.loads(line)
                except orjson.JSONDecodeError as exc:
                    raise SystemExit(f"newswire: stdin line {number}: not JSON ({exc})") from exc
                if not isinstance(item, dict) or "id" not in item or not ("text" in item or "html" in item):
                    raise SystemExit(f'newswire: stdin line {number}: needs "id" and "text" or "html"')
                yield item
            continue
        path = Path(raw_path)
        if not path.is_file():
            raise SystemExit(f"newswire: no such file: {raw_path}")
        try:
            content = _read_path(path)
        except (OSError, EOFError, zlib.error) as exc:  # e.g. a .gz that is not gzip
            yield {"id": str(path), "error": f"unreadable: {exc}"}
            continue
        key = "html" if _looks_like_html(path, content) else "text"
        yield {"id": str(path), key: content}


def _parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise SystemExit(f"newswire: not an ISO date: {value!r}") from exc
    if parsed.tzinfo is None:
        from datetime import UTC

        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def cmd_extract(args: argparse.Namespace) -> int:
    from ..cleaner.extract import CleaningError, clean_html
    from ..extractor.app import load_extractor
    from ..extractor.pipeline import ArticleInput
    from ..extractor.settings import ExtractorSettings

    options = ExtractorSettings().extractor
    if args.encoder:
        options = options.model_copy(update={"encoder": args.encoder})
    if args.backend:
        options = options.model_copy(update={"backend": args.backend})
    extractor = load_extractor(options)
    default_published = _parse_date(args.published)
    failures = 0
    for item in _inputs(args.paths, sys.stdin):
        input_id = str(item["id"])
        if "error" in item:
            print(f"newswire: {input_id}: {item['error']}", file=sys.stderr)
            failures += 1
            continue
        published = _parse_date(item.get("published")) or default_published
        title = item.get("title") if isinstance(item.get("title"), str) else None
        text = item.get("text")
        if text is None:
            try:
                cleaned = clean_html(str(item["html"]), url=item.get("url"))
            except CleaningError as exc:
                print(f"newswire: {input_id}: {exc}", file=sys.stderr)
                failures += 1
                continue
            text, title = cleaned.text, cleaned.title or title
            published = published or cleaned.published_at
        article = ArticleInput(
            article_id=stable_id("input", input_id),
            text=str(text),
            published_at=published,
            url=item.get("url"),
            title=title,
            outlet=item.get("outlet") if isinstance(item.get("outlet"), str) else None,
        )
        for result in extractor.extract([article]):
            if args.documents:
                view = {
                    "input_id": input_id,
                    "places": [place.model_dump(mode="json") for place in result.enriched.places],
                    "dates": [mention.model_dump(mode="json") for mention in result.enriched.dates],
                    "events": [event.model_dump(mode="json") for event in result.events],
                }
                sys.stdout.write(orjson.dumps(view).decode() + "\n")
                continue
            for event in result.events:
                line = {"input_id": input_id, **event.model_dump(mode="json")}
                sys.stdout.write(orjson.dumps(line).decode() + "\n")
    sys.stdout.flush()
    return 1 if failures else 0


def cmd_clean(args: argparse.Namespace) -> int:
    from ..cleaner.extract import CleaningError, clean_html

    failures = 0
    for item in _inputs(args.paths, sys.stdin):
        input_id = str(item["id"])
        if "error" in item:
            print(orjson.dumps({"id": input_id, "error": item["error"]}).decode())
            failures += 1
            continue
        html = item.get("html", item.get("text", ""))
        try:
            result = clean_html(str(html), url=item.get("url"))
        except CleaningError as exc:
            print(orjson.dumps({"id": input_id, "error": str(exc)}).decode())
            failures += 1
            continue
        line = {
            "id": input_id,
            "title": result.title,
            "authors": list(result.authors),
            "published_at": result.published_at.isoformat() if result.published_at else None,
            "published_source": result.published_source,
            "language": result.language,
            "canonical_url": result.canonical_url,
            "site_name": result.site_name,
            "word_count": result.word_count,
            "empty": result.empty,
            "text": result.text,
            "removed_boilerplate": list(result.removed_boilerplate),
        }
        print(orjson.dumps(line).decode())
    return 1 if failures else 0

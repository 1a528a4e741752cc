"""Main-text quality of the cleaner on the article-extraction benchmark, beside plain trafilatura.

Usage: python benchmarks/cleaner_quality.py DATA_DIR [--worst N]
DATA_DIR holds ground-truth.json and html/<id>.html.gz (../shared/data/article-extraction).

Also checks publication dates on the pages whose URL carries the date (/2019/11/19/): a date within a
day of the URL's (time zones) counts as right. htmldate reads the URL too, so its share is not
independent evidence; the JSON-LD and meta shares are.
"""

from __future__ import annotations

import argparse
import re
import time
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path

import trafilatura
from _extraction_metric import load_pages, page_precision_recall, summarise

from newswire.cleaner.extract import CleaningError, clean_html


def ours(html: str, url: str) -> str:
    try:
        return clean_html(html, url=url or None).text
    except CleaningError:
        return ""


def plain(favor_precision: bool = False) -> Callable[[str, str], str]:
    def run(html: str, url: str) -> str:
        return trafilatura.extract(html, url=url or None, favor_precision=favor_precision) or ""

    return run


_URL_DATE = re.compile(r"/(20\d\d)/(\d\d)/(\d\d)/")


def date_check(pages: list[tuple[str, str, str, str]]) -> None:
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for _, url, html, _ in pages:
        found = _URL_DATE.search(url)
        if not found:
            continue
        url_date = date(*(int(part) for part in found.groups()))
        try:
            result = clean_html(html, url=url)
        except CleaningError:
            total["error"] += 1
            continue
        source: str = result.published_source
        total[source] += 1
        if result.published_at and abs((result.published_at.date() - url_date).days) <= 1:
            right[source] += 1
    pages_checked = sum(total.values())
    print(f"publication date vs the date in the URL, {pages_checked} pages:")
    print(f"  all sources: {sum(right.values())}/{pages_checked} within one day")
    for source in sorted(total):
        print(f"  {source:9} {right[source]}/{total[source]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--worst", type=int, default=0, help="list the N pages where ours scores lowest")
    args = parser.parse_args()
    pages = list(load_pages(args.data_dir))
    systems: dict[str, Callable[[str, str], str]] = {
        "newswire cleaner": ours,
        "trafilatura (default)": plain(),
        "trafilatura (favor_precision)": plain(favor_precision=True),
    }
    print(f"{len(pages)} pages from {args.data_dir}")
    print(f"{'system':32} {'precision':>9} {'recall':>7} {'F1':>7} {'pages/s':>8}")
    per_page: dict[str, list[tuple[float, float]]] = {}
    for name, system in systems.items():
        system(pages[0][2], pages[0][1])  # warm up: lazy imports and the language model are not per page
        started = time.perf_counter()
        outputs = [system(html, url) for _, url, html, _ in pages]
        elapsed = time.perf_counter() - started
        scores = [page_precision_recall(truth, out) for (_, _, _, truth), out in zip(pages, outputs, strict=True)]
        per_page[name] = scores
        precision, recall, f1 = summarise(scores)
        print(f"{name:32} {precision:9.4f} {recall:7.4f} {f1:7.4f} {len(pages) / elapsed:8.1f}")
    date_check(pages)
    if args.worst:
        ranked = sorted(zip(pages, per_page["newswire cleaner"], strict=True), key=lambda item: sum(item[1]))
        for (page_id, url, _, _), (precision, recall) in ranked[: args.worst]:
            print(f"  {page_id[:12]} P={precision:.3f} R={recall:.3f} {url}")


if __name__ == "__main__":
    main()

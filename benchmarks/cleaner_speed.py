"""Throughput of the cleaner beside plain trafilatura on the same pages, in one process, one core.

Usage: python benchmarks/cleaner_speed.py DATA_DIR [--rounds N]

Each page is cleaned by every system in turn, round after round, and each system is credited with its
fastest time per page: on a shared machine the minimum is what the code costs, the rest is other load.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import trafilatura
from _extraction_metric import load_pages

from newswire.cleaner.extract import CleaningError, clean_html
from newswire.cleaner.language import detect_language


def ours(html: str, url: str) -> object:
    try:
        return clean_html(html, url=url or None)
    except CleaningError:
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    pages = [(url, html) for _, url, html, _ in load_pages(args.data_dir)]
    detect_language("a sentence to load the language model before timing starts")
    systems: dict[str, Callable[[str, str], object]] = {
        "newswire cleaner (text + metadata + language)": ours,
        "trafilatura extract (default)": lambda html, url: trafilatura.extract(html, url=url or None),
        "trafilatura extract (favor_precision)": lambda html, url: trafilatura.extract(
            html, url=url or None, favor_precision=True
        ),
        "trafilatura extract (with_metadata)": lambda html, url: trafilatura.extract(
            html, url=url or None, with_metadata=True
        ),
    }
    best = {name: [float("inf")] * len(pages) for name in systems}
    total = dict.fromkeys(systems, 0.0)
    for _ in range(args.rounds):
        for index, (url, html) in enumerate(pages):
            for name, system in systems.items():
                started = time.perf_counter()
                system(html, url)
                elapsed = time.perf_counter() - started
                best[name][index] = min(best[name][index], elapsed)
                total[name] += elapsed
    print(f"{len(pages)} pages, {args.rounds} rounds, one process")
    print(f"{'system':48} {'pages/s (best)':>15} {'pages/s (mean)':>15}")
    for name in systems:
        print(f"{name:48} {len(pages) / sum(best[name]):15.1f} {len(pages) * args.rounds / total[name]:15.1f}")


if __name__ == "__main__":
    main()

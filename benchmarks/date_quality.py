"""Date expressions found and resolved, end to end, on TimeBank and AQUAINT (dates-timebank).

Usage:
  python benchmarks/date_quality.py ../shared/data                # through `newswire extract --documents -`
  python benchmarks/date_quality.py ../shared/data --tagger-only  # the date tagger alone (labelled as such)

Each document's text (its TimeML tags stripped, offsets kept) goes in with its creation time as
`published`; the `dates` that come back are scored against the gold TIMEX3 of type DATE (the creation
time itself excluded):
- found: share of gold DATE expressions that a printed date overlaps;
- value: share of the found ones whose value means the gold value: TimeBank's spellings of one
  reference count as one ("1998-W7" = "1998-W07", "1994-XX-XX" = "1994", "198X" = "198", a day with its
  part or hour, "2000-01-28TMO", = that day; see `_normalise`); the strict string match is printed beside it;
- precision: share of printed dates that overlap any gold TIMEX3 (DATE, TIME, DURATION or SET), so that
  tagging every number as a year shows.
Nothing here is trained: the tagger is rules, and these documents are its dev set (the held-out test of
issue 10 is other news).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from _extract_cli import extract_documents

_TAG = re.compile(r"<(/?)(\w+)([^>]*)>")
_ATTRIBUTE = re.compile(r'(\w+)="([^"]*)"')


@dataclass(frozen=True)
class GoldTimex:
    start: int
    end: int
    kind: str
    value: str
    text: str


@dataclass(frozen=True)
class GoldDocument:
    doc_id: str
    text: str
    published: date
    timexes: list[GoldTimex]


def load_timebank(root: Path) -> list[GoldDocument]:
    documents: list[GoldDocument] = []
    for path in sorted(root.glob("*/*.tml")):
        raw = path.read_text(encoding="utf-8")
        dct = re.search(r'<DCT><TIMEX3[^>]*value="(\d{4}-\d{2}-\d{2})', raw)
        body = re.search(r"<TEXT>(.*)</TEXT>", raw, re.DOTALL)
        if dct is None or body is None:
            continue
        text_parts: list[str] = []
        length = 0
        open_timex: tuple[int, dict[str, str]] | None = None
        timexes: list[GoldTimex] = []
        cursor = 0
        source = body.group(1)
        for tag in _TAG.finditer(source):
            chunk = source[cursor : tag.start()]
            text_parts.append(chunk)
            length += len(chunk)
            cursor = tag.end()
            if tag.group(2) != "TIMEX3":
                continue
            if tag.group(1) == "":
                open_timex = (length, dict(_ATTRIBUTE.findall(tag.group(3))))
            elif open_timex is not None:
                start, attributes = open_timex
                timexes.append(GoldTimex(start, length, attributes.get("type", ""), attributes.get("value", ""), ""))
                open_timex = None
        text_parts.append(source[cursor:])
        text = "".join(text_parts)
        timexes = [GoldTimex(t.start, t.end, t.kind, t.value, text[t.start : t.end]) for t in timexes]
        documents.append(GoldDocument(path.stem, text, date.fromisoformat(dct.group(1)), timexes))
    return documents


def _normalise(value: str) -> str:
    """One spelling per meaning, so that notation alone never counts as a wrong value.

    TimeBank writes the same reference several ways: "1998-W07" and "1998-W7"; "1994-XX-XX", "1994-XX"
    and "1994" (a year whose month and day are not given); "198X" and ISO 8601's "198" for the 1980s; and
    a day with its part or hour ("2000-01-28TMO", "2000-04-04T09:00"), which names that day to a
    resolver that prints dates. The strict string match is printed beside this one.
    """
    value = re.sub(r"-W0(\d)\b", r"-W\1", value)
    value = re.sub(r"^(\d{4}-\d{2}-\d{2})T.*$", r"\1", value)
    value = re.sub(r"(?:-XX)+$", "", value)
    return re.sub(r"^(\d{2,3})X+$", r"\1", value)


def _overlap(a_start: int, a_end: int, b_start: int, b_end: int) -> int:
    return max(0, min(a_end, b_end) - max(a_start, b_start))


def score(documents: list[GoldDocument], predicted: dict[str, list[dict[str, Any]]], *, show: int) -> dict[str, float]:
    gold_total = found = matched = strict = printed = printed_on_gold = 0
    misses: Counter[str] = Counter()
    wrong: list[str] = []
    spurious: Counter[str] = Counter()
    for document in documents:
        mine = predicted.get(document.doc_id, [])
        printed += len(mine)
        for mention in mine:
            if any(_overlap(mention["start"], mention["end"], t.start, t.end) for t in document.timexes):
                printed_on_gold += 1
            else:
                spurious[mention["text"].lower()] += 1
        for timex in document.timexes:
            if timex.kind != "DATE":
                continue
            gold_total += 1
            overlapping = [m for m in mine if _overlap(m["start"], m["end"], timex.start, timex.end)]
            if not overlapping:
                misses[f"{timex.text!r} {timex.value}"] += 1
                continue
            found += 1
            best = max(overlapping, key=lambda m: _overlap(m["start"], m["end"], timex.start, timex.end))
            if best["value"] == timex.value:
                strict += 1
            if _normalise(best["value"]) == _normalise(timex.value):
                matched += 1
            else:
                wrong.append(f"{timex.text!r}: gold {timex.value}, ours {best['value']} ({document.published})")
    if show:
        print(f"most common misses: {misses.most_common(show)}")
        print(f"most common spurious: {spurious.most_common(show)}")
        print("wrong values:", *wrong[:show], sep="\n  ")
    return {
        "gold": gold_total,
        "found": found / gold_total,
        "value": matched / max(1, found),
        "strict": strict / max(1, found),
        "precision": printed_on_gold / max(1, printed),
        "printed": printed,
    }


def tagger_only(documents: list[GoldDocument]) -> dict[str, list[dict[str, Any]]]:
    from newswire.extractor.temporal import find_dates

    return {
        d.doc_id: [
            {"text": m.text, "start": m.start, "end": m.end, "value": m.value, "precision": m.precision}
            for m in find_dates(d.text, d.published)
        ]
        for d in documents
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", type=Path, help="the shared data folder (holds dates-timebank/)")
    parser.add_argument("--tagger-only", action="store_true", help="call the date tagger in-process")
    parser.add_argument("--show", type=int, default=0, help="print this many misses and wrong values")
    args = parser.parse_args(argv)
    documents = load_timebank(args.data / "dates-timebank")
    if not documents:
        print(f"no TimeML documents under {args.data / 'dates-timebank'}", file=sys.stderr)
        return 2
    if args.tagger_only:
        predicted = tagger_only(documents)
        label = "date tagger only"
    else:
        items = [(d.doc_id, d.text, d.published.isoformat(), None) for d in documents]
        predicted = {key: view["dates"] for key, view in extract_documents(items).items()}
        label = "end to end (newswire extract --documents)"
    result = score(documents, predicted, show=args.show)
    print(
        f"dates ({label}): {len(documents)} documents, {result['gold']} gold DATE expressions, "
        f"found {result['found']:.3f}, value {result['value']:.3f} (strict string match {result['strict']:.3f}), "
        f"precision {result['precision']:.3f} of {result['printed']} printed"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Mutational fuzzing of everything that reads outside input: bad input must never kill a worker.

Usage:
  python benchmarks/fuzz.py --minutes 10            # feeds, pages, messages, assembly, and the model
  python benchmarks/fuzz.py --minutes 1 --no-model  # without loading the encoder

Seeds are the demo site's pages and feeds, the test fixtures and the seed article; each input is a seed
with slices cut, repeated or spliced from another seed, invalid UTF-8, deep nesting, huge attributes and
the numbers, dates and characters that break parsers ("1e309", "February 30", zero-width and
right-to-left marks). Each target must return its result or raise the one error its handler
dead-letters with a reason (FeedError, CleaningError, PoisonMessage); anything else is a crash, and an
input that takes longer than --hang-s is a hang. Crashing inputs are written to --out to reproduce.
The last line reads `fuzz: N inputs in M min, C crashes, H hangs, R rejected`.
"""

from __future__ import annotations

import argparse
import random
import signal
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
NASTY = [
    b"1e309",
    b"9" * 400,
    b"February 30",
    b"0000-00-00",
    "\u200b".encode(),
    "\u202e".encode(),
    "\ufeff".encode(),
    b"\x00",
    b"\xff\xfe\xfd",
    b"\xc3\x28",
    b"\xed\xa0\x80",
    b"&#x110000;",
    b"&#0;",
    b"<![CDATA[",
    b"]]>",
    b"<!--",
    b"<script>",
    b"</",
    b"killed 1,000,000,000,000,000 people",
    "\u0634\u0647\u062f".encode(),
]


class Hang(Exception):
    pass


@dataclass
class TargetStats:
    inputs: int = 0
    accepted: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    crashes: int = 0
    hangs: int = 0
    slowest_ms: float = 0.0


def seeds() -> list[bytes]:
    paths = [
        *sorted((ROOT / "services" / "demo" / "site").rglob("*.html")),
        *sorted((ROOT / "services" / "demo" / "site").rglob("*.xml")),
        *sorted((ROOT / "tests" / "fixtures").rglob("*")),
        ROOT.parent / "shared" / "examples" / "seed-article.txt",
    ]
    found = [path.read_bytes() for path in paths if path.is_file() and path.stat().st_size < 2_000_000]
    found.append(
        b'{"version": "https://jsonfeed.org/version/1.1", "items": [{"url": "https://n.example/1", '
        b'"title": "Police arrest 12", "date_published": "2026-11-24T10:00:00Z"}]}'
    )
    return found


def mutate(rng: random.Random, data: bytes, corpus: list[bytes]) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        at = rng.randint(0, len(out)) if out else 0
        choice = rng.randint(0, 7)
        if choice == 0 and out:
            del out[at : at + rng.randint(1, 200)]
        elif choice == 1:
            out[at:at] = rng.choice(NASTY)
        elif choice == 2 and out:
            out[at:at] = out[at : at + rng.randint(1, 80)] * rng.randint(2, 50)
        elif choice == 3:
            depth = rng.choice([10, 500, 5000])
            out[at:at] = b"<div>" * depth
        elif choice == 4:
            out[at:at] = b'<p data-x="' + b"a" * rng.choice([1000, 100_000, 1_000_000]) + b'">'
        elif choice == 5:
            other = rng.choice(corpus)
            start = rng.randint(0, len(other))
            out[at:at] = other[start : start + rng.randint(1, 2000)]
        elif choice == 6:
            del out[rng.randint(0, len(out)) :]
        elif out:
            out[min(at, len(out) - 1)] = rng.randint(0, 255)
    return bytes(out)


def build_targets(with_model: bool) -> dict[str, tuple[Callable[[bytes], Any], tuple[type[BaseException], ...]]]:
    from newswire.cleaner.extract import CleaningError, clean_html
    from newswire.common.models import TOPIC_MODELS, Event, ModelInfo
    from newswire.common.serde import PoisonMessage, loads
    from newswire.extractor.assembly import assemble_events
    from newswire.extractor.sentences import split_sentences
    from newswire.extractor.types import SentenceAnalysis
    from newswire.fetcher.feeds import FeedError, parse_feed

    model_info = ModelInfo(name="fuzz", version="1", encoder="none")
    published = datetime(2024, 2, 29, tzinfo=UTC)

    def text_of(data: bytes) -> str:
        return data.decode("utf-8", "replace")

    def feed(data: bytes) -> Any:
        return parse_feed(data, url="https://news.example/feed.xml")

    def page(data: bytes) -> Any:
        return clean_html(data, url="https://news.example/a/1")

    def messages(data: bytes) -> Any:
        for model in TOPIC_MODELS.values():
            try:
                loads(model, data)
            except PoisonMessage:
                continue
        return None

    def assembly(data: bytes) -> Any:
        text = text_of(data)[:20_000]
        analyses = [SentenceAnalysis(sentence=s, event_type="ASSAULT", event_score=0.9) for s in split_sentences(text)]
        events = assemble_events(analyses, article_id="ab" * 32, text=text, published_at=published, model=model_info)
        for event in events:
            Event.model_validate(event.model_dump())
        return events

    targets: dict[str, tuple[Callable[[bytes], Any], tuple[type[BaseException], ...]]] = {
        "feed": (feed, (FeedError,)),
        "page": (page, (CleaningError,)),
        "messages": (messages, ()),
        "assembly": (assembly, ()),
    }
    if with_model:
        from newswire.extractor.analyzer import SentenceAnalyzer
        from newswire.extractor.pipeline import ArticleInput, EventExtractor

        extractor = EventExtractor(SentenceAnalyzer())

        def model(data: bytes) -> Any:
            return extractor.extract([ArticleInput(article_id="cd" * 32, text=text_of(data)[:8000])])

        targets["extractor"] = (model, ())
    return targets


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-model", action="store_true", help="leave the extractor's model out")
    parser.add_argument("--hang-s", type=float, default=20.0, help="an input slower than this is a hang")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "fuzz", help="where crashing inputs go")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    corpus = seeds()
    targets = build_targets(not args.no_model)
    stats = {name: TargetStats() for name in targets}

    def on_alarm(signum: int, frame: FrameType | None) -> None:
        raise Hang()

    signal.signal(signal.SIGALRM, on_alarm)
    started = time.monotonic()
    deadline = started + args.minutes * 60
    count = 0
    while time.monotonic() < deadline:
        data = mutate(rng, rng.choice(corpus), corpus)
        count += 1
        for name, (target, expected) in targets.items():
            if name == "extractor" and count % 10:
                continue  # the model is slow: every tenth input
            record = stats[name]
            record.inputs += 1
            began = time.perf_counter()
            signal.setitimer(signal.ITIMER_REAL, args.hang_s)
            try:
                target(data)
                record.accepted += 1
            except Hang:
                record.hangs += 1
                _keep(args.out, f"hang-{name}", data)
            except expected as exc:
                record.rejected[str(exc).split(":")[0][:60]] += 1
            except Exception:
                record.crashes += 1
                path = _keep(args.out, f"crash-{name}", data)
                print(f"CRASH in {name} ({path}):\n{traceback.format_exc(limit=6)}", file=sys.stderr)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            record.slowest_ms = max(record.slowest_ms, (time.perf_counter() - began) * 1000)
    minutes = (time.monotonic() - started) / 60
    for name, record in stats.items():
        reasons = ", ".join(f"{reason} {n}" for reason, n in record.rejected.most_common(4))
        print(
            f"{name}: {record.inputs} inputs, {record.accepted} accepted, {sum(record.rejected.values())} rejected, "
            f"{record.crashes} crashes, {record.hangs} hangs, slowest {record.slowest_ms:.0f} ms"
            + (f" | top reasons: {reasons}" if reasons else "")
        )
    crashes = sum(r.crashes for r in stats.values())
    hangs = sum(r.hangs for r in stats.values())
    rejected = sum(sum(r.rejected.values()) for r in stats.values())
    inputs = sum(r.inputs for r in stats.values())
    print(f"fuzz: {inputs} inputs in {minutes:.1f} min, {crashes} crashes, {hangs} hangs, {rejected} rejected")
    return 1 if crashes or hangs else 0


def _keep(folder: Path, prefix: str, data: bytes) -> Path:
    import hashlib

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{prefix}-{hashlib.sha256(data).hexdigest()[:12]}.bin"
    path.write_bytes(data)
    return path


if __name__ == "__main__":
    raise SystemExit(main())

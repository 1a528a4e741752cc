"""Is an event's place where it happened? `newswire extract` scored on the event-locations sentences.

Usage:
  python benchmarks/event_location_quality.py ../shared/data [--limit 2000]

Each wire-news sentence goes through `newswire extract -` alone (no article context, so nothing can be
inherited from a dateline). Gold is the pooled LOCATION spans of the sentence's event verbs. Printed:
- placed right: of the sentences that yield an event and have a gold place, the share whose events' place
  (named in the sentence, not inherited) matches a gold span (one contains the other, ignoring case);
- placed wrong: of those, the share whose events name a place that no gold span matches;
- unplaced: of those, the share whose events carry no place;
- false place: of the sentences that yield an event and have no gold place, the share with a place.
The event rate is printed beside them. These sentences train nothing of ours.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from _extract_cli import extract_events

from newswire.extractor.corpora import load_event_locations


def _matches(name: str, gold: tuple[str, ...]) -> bool:
    name = name.lower()
    return any(name in span.lower() or span.lower() in name for span in gold if span.strip())


def _named_places(events: list[dict[str, Any]]) -> list[str]:
    return [
        str(event["location"]["name"])
        for event in events
        if event.get("location") and not event["location"].get("inherited_from") and event["location"].get("name")
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="the shared data folder (../shared/data)")
    parser.add_argument("--limit", type=int, default=0, help="first N sentences only (0: all)")
    args = parser.parse_args()
    started = time.monotonic()
    sentences = load_event_locations(args.data)
    if args.limit > 0:
        sentences = sentences[: args.limit]
    found = extract_events([(str(i), s.text) for i, s in enumerate(sentences)])
    right = wrong = unplaced = located = unlocated = false_place = with_event = 0
    for index, sentence in enumerate(sentences):
        events = found.get(str(index), [])
        if not events:
            continue
        with_event += 1
        places = _named_places(events)
        if sentence.places:
            located += 1
            if not places:
                unplaced += 1
            elif any(_matches(place, sentence.places) for place in places):
                right += 1
            else:
                wrong += 1
        else:
            unlocated += 1
            false_place += bool(places)
    command = "python benchmarks/event_location_quality.py " + " ".join(sys.argv[1:])
    print(f"{len(sentences)} sentences, event rate {with_event / max(1, len(sentences)):.3f} ({command})")
    print(
        f"event places: placed right {right / max(1, located):.4f}, placed wrong {wrong / max(1, located):.4f}, "
        f"unplaced {unplaced / max(1, located):.4f} (of {located} with a gold place); "
        f"false place {false_place / max(1, unlocated):.4f} (of {unlocated} without one); "
        f"{time.monotonic() - started:.0f}s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

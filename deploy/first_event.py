"""Read the first record of a JSON-lines dump of the `events` topic, validate it against the topic's
schema, and print one line saying what it is. The image and stack smoke tests end with this.

Usage: python deploy/first_event.py LABEL EVENTS.jsonl
"""

from __future__ import annotations

import sys
from pathlib import Path

import orjson

from newswire.common.schemas import validate_message


def main(label: str, path: Path) -> int:
    lines = path.read_bytes().splitlines()
    if not lines:
        print(f"{label}: FAILED: {path} holds no event", file=sys.stderr)
        return 1
    errors = validate_message("events", lines[0])
    if errors:
        print(f"{label}: FAILED: the event breaks the events schema: {errors}", file=sys.stderr)
        return 1
    event = orjson.loads(lines[0])
    print(f"{label}: event {event['event_type']} (schema-valid): {event['evidence'][0]['sentence'][:100]!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1], Path(sys.argv[2])))

"""Read the first record of a JSON-lines dump of a topic (`newswire tail TOPIC --json`), validate it against
the topic's schema, and print one line saying what it is. The image and stack smoke tests end with this:
an event of `events`, then an incident of `incidents`.

Usage: python deploy/first_event.py LABEL DUMP.jsonl [--topic events|incidents]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import orjson

from newswire.common.schemas import validate_message

TOPICS = ("events", "incidents")


def describe(topic: str, record: dict[str, Any]) -> str:
    if topic == "incidents":
        place = (record.get("place") or {}).get("name", "no place")
        reports = record.get("reports") or [{}]
        return (
            f"incident {str(record['incident_id'])[:12]} {record['event_type']} at {place}, "
            f"{len(reports)} report(s): {str(reports[0].get('evidence', ''))[:100]!r}"
        )
    return f"event {record['event_type']}: {record['evidence'][0]['sentence'][:100]!r}"


def main(label: str, path: Path, topic: str = "events") -> int:
    what = topic.removesuffix("s")
    lines = path.read_bytes().splitlines()
    if not lines:
        print(f"{label}: FAILED: {path} holds no {what}", file=sys.stderr)
        return 1
    try:
        errors = validate_message(topic, lines[0])
    except orjson.JSONDecodeError:
        print(f"{label}: FAILED: {path} is not JSON lines (was it dumped with tail --json?)", file=sys.stderr)
        return 1
    if errors:
        print(f"{label}: FAILED: the {what} breaks the {topic} schema: {errors}", file=sys.stderr)
        return 1
    record = orjson.loads(lines[0])
    print(f"{label}: {describe(topic, record)} (schema-valid)")
    return 0


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Validate the first record of a topic dump against its schema.")
    parser.add_argument("label", help="the check's name, which starts each line printed")
    parser.add_argument("path", type=Path, help="a JSON-lines dump of the topic")
    parser.add_argument("--topic", choices=TOPICS, default="events", help="the topic the dump is of")
    return parser.parse_args(argv)


if __name__ == "__main__":
    args = _parse(sys.argv[1:])
    raise SystemExit(main(args.label, args.path, args.topic))

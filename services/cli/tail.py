"""`newswire tail`: a topic's messages as they arrive, events and incidents as one-line summaries."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import time
from collections.abc import Callable
from typing import IO, Any

import orjson

from ..common.settings import ServiceSettings
from .broker import client_bootstrap


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    tail = sub.add_parser("tail", help="print a topic's messages as they arrive")
    tail.add_argument("topic")
    tail.add_argument("--from-beginning", action="store_true")
    tail.add_argument("--max", type=int, default=None, help="stop after this many messages")
    tail.add_argument("--idle-timeout", type=float, default=None, help="stop after this many idle seconds")
    tail.add_argument("--json", action="store_true", help="print events and incidents as JSON, not summaries")
    tail.add_argument(
        "--read-uncommitted",
        action="store_true",
        help="also print records of open and aborted transactions (debugging); by default, as a subscriber "
        "of an exactly-once stream, only what has been committed",
    )


def event_summary(event: dict[str, Any]) -> str:
    parts = [event.get("event_type", "?")]
    if event.get("modality") not in (None, "asserted"):
        parts.append(f"({event['modality']})")
    actor, target = event.get("actor"), event.get("target")
    if actor:
        parts.append(f"actor={actor['name']}")
    if target:
        parts.append(f"target={target['name']}")
    location = event.get("location")
    if location:
        parts.append(
            f"where={location['name']}" + (f"/{location['country_code']}" if location.get("country_code") else "")
        )
    when = event.get("event_date")
    if when:
        parts.append(f"when={when['date']}")
    for kind, count in (event.get("counts") or {}).items():
        if count:
            parts.append(f"{kind}={count['value']}")
    evidence = event.get("evidence") or [{}]
    sentence = str(evidence[0].get("sentence", ""))
    return " ".join(parts) + f' | "{sentence[:100]}"'


def incident_summary(incident: dict[str, Any]) -> str:
    """One line per incident state: what, where, when, tolls with their spread, and how many sources."""
    parts = [incident.get("event_type", "?")]
    if incident.get("sub_event_type"):
        parts[0] += f"/{incident['sub_event_type']}"
    place = incident.get("place")
    if place:
        parts.append(f"where={place['name']}" + (f"/{place['country_code']}" if place.get("country_code") else ""))
    when = incident.get("date")
    if when:
        parts.append(f"when={when['date']}")
    for kind, count in (incident.get("counts") or {}).items():
        if count:
            spread = f"({count['low']}-{count['high']})" if count["low"] != count["high"] else ""
            parts.append(f"{kind}={count['value']}{spread}")
    sources = int(incident.get("sources", 0))
    reports = len(incident.get("reports") or [])
    parts.append(f"sources={sources} reports={reports} rev={incident.get('revision', '?')}")
    first = (incident.get("reports") or [{}])[0]
    return (
        f"[{str(incident.get('incident_id', '?'))[:12]}] " + " ".join(parts) + f' | "{first.get("evidence", "")[:90]}"'
    )


async def follow(
    bootstrap: str,
    topic: str,
    *,
    from_beginning: bool,
    max_messages: int | None,
    should_stop: Any,
    out: IO[str],
    summary: Callable[[dict[str, Any]], str] | None = None,
    idle_timeout: float | None = None,
    on_ready: Callable[[], None] | None = None,
    read_committed: bool = True,
) -> int:
    """Print a topic's messages. The start position is fixed before `on_ready` runs, so messages that the
    services started by `on_ready` produce right away are not missed. `read_committed`: what a subscriber
    of the stream sees, never a record of a batch still open or aborted."""
    from aiokafka import AIOKafkaConsumer

    from ..common.kafka import missing_topics

    if await missing_topics(bootstrap, [topic]):
        raise RuntimeError(f"topic {topic!r} does not exist")
    # Without a group, a subscribed consumer is assigned every partition as soon as it starts.
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        enable_auto_commit=False,
        group_id=None,
        isolation_level="read_committed" if read_committed else "read_uncommitted",
        # seek_to_beginning alone can lose to the fetcher's first reset to the end (aiokafka 0.14): a
        # `--from-beginning` on a topic nobody had read printed nothing
        auto_offset_reset="earliest" if from_beginning else "latest",
    )
    await consumer.start()
    partitions = sorted(consumer.assignment())
    if from_beginning:
        await consumer.seek_to_beginning(*partitions)
    else:
        await consumer.seek_to_end(*partitions)
    for partition in partitions:
        await consumer.position(partition)
    if on_ready is not None:
        on_ready()
    seen = 0
    last_message = time.monotonic()
    try:
        while not should_stop():
            batches = await consumer.getmany(timeout_ms=500)
            for records in batches.values():
                for record in records:
                    seen += 1
                    last_message = time.monotonic()
                    text = record.value.decode("utf-8", "replace") if record.value else ""
                    if summary is not None:
                        with contextlib.suppress(orjson.JSONDecodeError, TypeError, KeyError, AttributeError):
                            text = summary(orjson.loads(text))
                    print(text, file=out, flush=True)
                    if max_messages and seen >= max_messages:
                        return seen
            if idle_timeout is not None and time.monotonic() - last_message > idle_timeout:
                break
    finally:
        await consumer.stop()
    return seen


def _summary_for(settings: ServiceSettings, topic: str) -> Callable[[dict[str, Any]], str] | None:
    """Events and incidents print as one-line summaries (topic names are settings, so both are read)."""
    if topic == settings.topics.events:
        return event_summary
    if topic == settings.topics.incidents:
        return incident_summary
    return None


def cmd_tail(args: argparse.Namespace) -> int:
    settings = ServiceSettings()
    asyncio.run(
        follow(
            client_bootstrap(settings),
            args.topic,
            from_beginning=args.from_beginning,
            max_messages=args.max,
            should_stop=lambda: False,
            out=sys.stdout,
            idle_timeout=args.idle_timeout,
            summary=None if args.json else _summary_for(settings, args.topic),
            read_committed=not args.read_uncommitted,
        )
    )
    return 0

"""Topic administration: every topic is created explicitly, with partitions and replication from settings.

Relying on broker auto-creation would give topics the broker's defaults (one partition, no size limit for
HTML pages), so services create what they use before their workers start.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError

from .services import SERVICE_NAMES
from .settings import ServiceSettings

log = logging.getLogger(__name__)

DAY_MS = 24 * 3600 * 1000
WEEK_MS = 7 * DAY_MS


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int
    replication_factor: int
    config: dict[str, str] = field(default_factory=dict)


def pipeline_topics(settings: ServiceSettings) -> list[TopicSpec]:
    """All topics of the pipeline, so that any service (or `newswire up`) can create the whole set."""
    parts, repl = settings.kafka.partitions, settings.kafka.replication_factor
    big = {"max.message.bytes": str(settings.kafka.max_message_bytes), "retention.ms": str(WEEK_MS)}
    week = {"retention.ms": str(WEEK_MS)}
    names = settings.topics
    specs = [
        TopicSpec(names.fetch_queue, parts, repl, week),
        TopicSpec(names.raw, parts, repl, big),
        TopicSpec(names.clean, parts, repl, big),
        TopicSpec(names.events, parts, repl, week),
        TopicSpec(names.enriched, parts, repl, week),
        # An incident's latest state is what counts: compacted on the incident id, kept (it is the record).
        TopicSpec(names.incidents, parts, repl, {"cleanup.policy": "compact", "segment.ms": str(DAY_MS)}),
        TopicSpec(names.correlator_blocks(settings.app_prefix), parts, repl, week),
    ]
    # Dead letters carry the original payload, so they need the large-message limit too, and are kept
    # longer: someone has to look at them.
    dlq_config = {**big, "retention.ms": str(4 * WEEK_MS)}
    specs += [TopicSpec(names.dlq(service), parts, repl, dlq_config) for service in SERVICE_NAMES]
    return specs


async def ensure_topics(bootstrap: str, specs: Sequence[TopicSpec], timeout_s: float = 30.0) -> list[str]:
    """Create the missing topics; returns the names that were created."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=int(timeout_s * 1000))
    await asyncio.wait_for(admin.start(), timeout_s)
    try:
        existing = set(await admin.list_topics())
        missing = [spec for spec in specs if spec.name not in existing]
        created: list[str] = []
        for spec in missing:
            try:
                await admin.create_topics(
                    [NewTopic(spec.name, spec.partitions, spec.replication_factor, topic_configs=spec.config)]
                )
                created.append(spec.name)
            except TopicAlreadyExistsError:
                pass  # another service won the race
        if created:
            await _wait_for_metadata(admin, created, timeout_s)
            log.info("created topics: %s", ", ".join(created))
        return created
    finally:
        await admin.close()


async def _wait_for_metadata(admin: AIOKafkaAdminClient, names: Iterable[str], timeout_s: float) -> None:
    wanted = set(names)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while loop.time() < deadline:
        if wanted <= set(await admin.list_topics()):
            return
        await asyncio.sleep(0.1)
    raise TimeoutError(f"topics not visible after creation: {sorted(wanted)}")


async def missing_topics(bootstrap: str, names: Iterable[str], timeout_s: float = 5.0) -> list[str]:
    """Which of `names` the broker does not have; raises KafkaError/TimeoutError if it is unreachable."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=int(timeout_s * 1000))
    try:
        await asyncio.wait_for(admin.start(), timeout_s)
        existing = set(await asyncio.wait_for(admin.list_topics(), timeout_s))
    finally:
        await admin.close()
    return sorted(set(names) - existing)


async def wait_for_broker(bootstrap: str, *, retry_s: float = 2.0, report_every_s: float = 30.0) -> None:
    """Return once the broker answers; a service that starts while the broker is away waits for it (its
    process alive, its /readyz saying why) instead of exiting."""
    waited_since = time.monotonic()
    reported = 0.0
    while True:
        try:
            await missing_topics(bootstrap, (), timeout_s=5.0)
            if reported:
                log.info("broker at %s answers after %.0fs", bootstrap, time.monotonic() - waited_since)
            return
        except (KafkaError, OSError, TimeoutError) as exc:
            now = time.monotonic()
            if not reported or now - reported >= report_every_s:
                log.warning("waiting for the broker at %s: %s: %s", bootstrap, type(exc).__name__, exc)
                reported = now
        await asyncio.sleep(retry_s)


__all__ = ["KafkaError", "TopicSpec", "ensure_topics", "missing_topics", "pipeline_topics", "wait_for_broker"]


async def start_state_clients(
    bootstrap: str, client_id: str, *, linger_ms: int = 0
) -> tuple[AIOKafkaProducer, AIOKafkaConsumer]:
    """A writer and a reader for state kept in a compacted topic that every instance reads whole: the
    writer is idempotent and waits for all replicas, the reader has no group and commits nothing."""
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        client_id=f"{client_id}-writer",
        acks="all",
        enable_idempotence=True,
        linger_ms=linger_ms,
    )
    await producer.start()
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        client_id=f"{client_id}-reader",
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    try:
        await consumer.start()
    except BaseException:
        await producer.stop()
        raise
    return producer, consumer

"""Cleaner app factory: consumes `articles.raw`, emits `articles.clean`, dead-letters to `cleaner.dlq`."""

from __future__ import annotations

from typing import Any

from ..common.resources import manage
from ..common.runtime import ServiceRuntime
from ..common.services import default_port
from .dedup import NearDuplicateIndex
from .dedup_store import FingerprintStore, fingerprint_topic_spec
from .handlers import CleanerHandler
from .pool import CleaningPool
from .settings import CleanerSettings

DEFAULT_PORT = default_port("cleaner")


def create_app(settings: CleanerSettings) -> ServiceRuntime:
    runtime = ServiceRuntime("cleaner", settings, DEFAULT_PORT, transactional=True)
    options = settings.cleaner
    raw_topic = runtime.topic(settings.topics.raw)
    clean_topic = runtime.topic(settings.topics.clean)
    fingerprints = fingerprint_topic_spec(
        settings.topics.fingerprints(settings.app_prefix),
        settings.kafka.partitions,
        settings.kafka.replication_factor,
        options.dedup_days,
    )
    runtime.expect_topics(settings.topics.raw, settings.topics.clean, fingerprints.name)
    pool = CleaningPool(workers=options.workers, timeout_s=options.page_timeout_s)
    dedup = FingerprintStore(
        NearDuplicateIndex(max_age_days=options.dedup_days),
        settings.bootstrap(),
        fingerprints,
        client_id=f"{settings.app_prefix}-cleaner-dedup",
    )
    runtime.readiness.add("dedup", dedup.readiness)
    handler = CleanerHandler(runtime, pool, clean_topic, dedup)

    async def close_pool() -> None:
        pool.close()

    manage(runtime.app, "cleaning-pool", stop=close_pool)
    manage(runtime.app, "dedup-store", start=dedup.start, stop=dedup.stop)

    @runtime.app.agent(raw_topic, name="clean-articles")
    async def clean_articles(stream: Any) -> None:
        await runtime.consume_batches(stream, options.batch_size, options.batch_wait_s, handler.handle_batch)

    return runtime

"""Correlator app factory: `events` -> blocks by country -> `incidents`, failures to `correlator.dlq`."""

from __future__ import annotations

from typing import Any

from ..common.resources import manage
from ..common.runtime import ServiceRuntime
from ..common.services import default_port
from .clustering import IncidentIndex
from .handlers import CorrelatorHandler
from .settings import CorrelatorSettings
from .store import IncidentStore
from .web import register_map

DEFAULT_PORT = default_port("correlator")


def create_app(settings: CorrelatorSettings) -> ServiceRuntime:
    runtime = ServiceRuntime("correlator", settings, DEFAULT_PORT, transactional=True)
    options = settings.correlator
    topics = settings.topics
    blocks_name = topics.correlator_blocks(settings.app_prefix)
    events_topic = runtime.topic(topics.events)
    blocks_topic = runtime.topic(blocks_name)
    incidents_topic = runtime.topic(topics.incidents)
    runtime.expect_topics(topics.events, blocks_name, topics.incidents)
    index = IncidentIndex(
        threshold=options.match_threshold, window_days=options.window_days, max_reports=options.max_reports
    )
    store = IncidentStore(
        index,
        settings.bootstrap(),
        topics.incidents,
        recent=options.recent_incidents,
        client_id=f"{settings.app_prefix}-correlator-incidents",
    )
    runtime.readiness.add("incidents", store.readiness)
    manage(runtime.app, "incident-store", start=store.start, stop=store.stop)
    handler = CorrelatorHandler(runtime, index, store, blocks_topic, incidents_topic)
    register_map(runtime, store, keepalive_s=options.keepalive_s)

    async def close_old_incidents() -> None:
        """Incidents no report can join any more leave memory (they stay on the topic)."""
        index.expire()

    runtime.app.timer(interval=60.0)(close_old_incidents)

    @runtime.app.agent(events_topic, name="route-events")
    async def route_events(stream: Any) -> None:
        await runtime.consume_batches(stream, options.batch_size, options.batch_wait_s, handler.route_batch)

    @runtime.app.agent(blocks_topic, name="correlate-events")
    async def correlate_events(stream: Any) -> None:
        await runtime.consume_batches(stream, options.batch_size, options.batch_wait_s, handler.correlate_batch)

    return runtime

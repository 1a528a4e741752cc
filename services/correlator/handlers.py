"""Correlator handlers: events re-keyed by country, then each one put into an incident.

Two steps, because an incident gathers events from every partition of `events` (their keys are event
ids): `route` sends each event that reports an occurrence to the blocks topic keyed by its country, so
that one instance owns all of a country's incidents and two reports of one attack are never matched by
two instances at once; `correlate` matches them there, one at a time in partition order, and publishes
the incident's new state before its input is acknowledged.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import faust
from prometheus_client import CollectorRegistry, Counter, Gauge

from ..common.models import Event
from ..common.runtime import TRACE_HEADER, BatchResults, ServiceRuntime, header_value, one_by_one
from ..common.serde import PoisonMessage, loads
from ..errors import Unprocessable
from .clustering import IncidentIndex
from .reports import occurred
from .store import IncidentStore

log = logging.getLogger(__name__)

UNPLACED = "-"


def block_key(event: Event) -> str:
    """Incidents never span countries, so a country is a unit of ownership; events with no country
    share one block."""
    location = event.location
    return (location.country_code if location is not None and location.country_code else UNPLACED).upper()


class CorrelatorMetrics:
    """The correlator's own metrics, beside every service's: joined against opened is the live over-count
    factor (reports per incident)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.assignments = Counter(
            "newswire_correlator_assignments_total",
            "Events put into incidents: opened one, joined one, or redelivered (already in one)",
            ["outcome"],
            registry=registry,
        )
        self.open_incidents = Gauge(
            "newswire_correlator_open_incidents",
            "Incidents a new report can still join (held in memory)",
            registry=registry,
        )


class CorrelatorHandler:
    def __init__(
        self,
        runtime: ServiceRuntime,
        index: IncidentIndex,
        store: IncidentStore,
        blocks: faust.TopicT,
        incidents: faust.TopicT,
    ) -> None:
        self.runtime = runtime
        self.index = index
        self.store = store
        self.blocks = blocks
        self.incidents = incidents
        self.metrics = CorrelatorMetrics(runtime.metrics.registry)

    @staticmethod
    def _decode(event: faust.EventT[Any], stage: str) -> Event:
        payload = event.value if isinstance(event.value, bytes) else None
        try:
            return loads(Event, payload)
        except PoisonMessage as exc:
            raise Unprocessable(stage, exc) from exc

    async def route_batch(self, events: Sequence[faust.EventT[Any]]) -> BatchResults:
        return await one_by_one(events, self.route)

    async def route(self, event: faust.EventT[Any]) -> None:
        runtime = self.runtime
        runtime.metrics.messages_in.labels(event.message.topic).inc()
        with runtime.progress.track(), runtime.metrics.timed("route"):
            decoded = self._decode(event, "decode")
            if occurred(decoded):
                trace_id = header_value(event.message.headers, TRACE_HEADER)
                await runtime.publish(self.blocks, block_key(decoded), decoded, trace_id, source=event)

    async def correlate_batch(self, events: Sequence[faust.EventT[Any]]) -> BatchResults:
        """In order: a report may join the incident the one before it opened."""
        await self.store.catch_up()
        return await one_by_one(events, self.correlate)

    async def correlate(self, event: faust.EventT[Any]) -> None:
        runtime = self.runtime
        runtime.metrics.messages_in.labels(event.message.topic).inc()
        with runtime.progress.track(), runtime.metrics.timed("correlate"):
            decoded = self._decode(event, "decode-block")
            assignment = self.index.assign(decoded, datetime.now(UTC))
            if assignment is not None:
                incident = assignment.incident
                outcome = "opened" if assignment.opened else "joined" if assignment.match else "redelivered"
                self.metrics.assignments.labels(outcome).inc()
                self.metrics.open_incidents.set(len(self.index))
                trace_id = header_value(event.message.headers, TRACE_HEADER)
                await runtime.publish(self.incidents, incident.incident_id, incident, trace_id, source=event)
                log.debug(
                    "%s %s (%d reports, %d sources)",
                    "opened" if assignment.opened else "joined",
                    incident.incident_id[:12],
                    len(incident.reports),
                    incident.sources,
                )

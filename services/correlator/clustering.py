"""Events in, incidents out: the correlator's one entry point, with no Kafka in it.

Each event that reports an occurrence joins the incident it matches best above the threshold, or opens
a new one. An incident's id is derived from the event that opened it, so it never changes as reports
join, and a redelivered event is recognised by its id and changes nothing. The index holds the incidents
that a new report could still belong to: those whose dates lie within `window_days` of the newest event
seen; older ones stay on the topic but leave memory.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ..common.ids import stable_id
from ..common.models import Event, Incident, IncidentReport
from .matching import NEIGHBOUR_FAMILIES, TYPE_FAMILIES, Match, match
from .reconcile import summarise
from .reports import date_window, occurred, to_report


@dataclass(frozen=True)
class Assignment:
    """What one event did: the incident's new state, and whether the event opened it."""

    incident: Incident
    opened: bool
    match: Match | None


def incident_id_for(event_id: str) -> str:
    return stable_id("incident", event_id)


def _family(event_type: str) -> str:
    return TYPE_FAMILIES.get(event_type, event_type)


def _last_day(incident: Incident) -> date | None:
    """The last day the incident's reports allow (its agreed date's window already holds it)."""
    return date.fromisoformat(incident.date.latest) if incident.date is not None else None


class IncidentIndex:
    def __init__(self, *, threshold: float, window_days: float, max_reports: int = 200) -> None:
        self.threshold = threshold
        self.window = timedelta(days=window_days)
        self.max_reports = max_reports
        self._incidents: dict[str, Incident] = {}
        self._by_event: dict[str, str] = {}
        self._newest: date | None = None

    def __len__(self) -> int:
        return len(self._incidents)

    def __iter__(self) -> Iterator[Incident]:
        return iter(self._incidents.values())

    def get(self, incident_id: str) -> Incident | None:
        return self._incidents.get(incident_id)

    def incident_of(self, event_id: str) -> Incident | None:
        incident_id = self._by_event.get(event_id)
        return self._incidents.get(incident_id) if incident_id else None

    # -- state from the topic -------------------------------------------------------------------------
    def restore(self, incident: Incident) -> bool:
        """Take an incident's state as written (by this instance or another one), unless the index holds
        a later revision: this instance's own writes come back from the topic after newer ones were made."""
        old = self._incidents.get(incident.incident_id)
        if old is not None and old.revision > incident.revision:
            return False
        if old is not None:
            for event_id in old.event_ids:
                self._by_event.pop(event_id, None)
        self._incidents[incident.incident_id] = incident
        for event_id in incident.event_ids:
            self._by_event[event_id] = incident.incident_id
        self._note_day(_last_day(incident))
        return True

    def forget(self, incident_id: str) -> None:
        old = self._incidents.pop(incident_id, None)
        if old is not None:
            for event_id in old.event_ids:
                if self._by_event.get(event_id) == incident_id:
                    del self._by_event[event_id]

    def expire(self) -> list[str]:
        """Drop incidents no new report can join any more; returns their ids."""
        if self._newest is None:
            return []
        horizon = self._newest - self.window
        stale = [i.incident_id for i in self._incidents.values() if (_last_day(i) or self._newest) < horizon]
        for incident_id in stale:
            self.forget(incident_id)
        return stale

    # -- the entry point ------------------------------------------------------------------------------
    def assign(self, event: Event, now: datetime) -> Assignment | None:
        """Put `event` into an incident; None when it reports no occurrence (a running total, a threat)."""
        if not occurred(event):
            return None
        known = self.incident_of(event.event_id)
        if known is not None:
            # A redelivery: the state is published again, since the first attempt may have failed after
            # the index took it. Same revision, so consumers and the compacted topic keep one.
            return Assignment(known, opened=False, match=None)
        candidate = to_report(event, now, 1.0)
        best = self._best_match(candidate)
        if best is None:
            incident = summarise(incident_id_for(event.event_id), [candidate])
            self.restore(incident)
            return Assignment(incident, opened=True, match=None)
        incident, found = best
        joined = candidate.model_copy(update={"score": min(1.0, found.score)})
        reports = [*incident.reports, joined]
        if len(reports) > self.max_reports:  # the earliest report stays: it opened the incident
            reports = [reports[0], *reports[-(self.max_reports - 1) :]]
        updated = summarise(incident.incident_id, reports, incident.revision + 1)
        self.restore(updated)
        return Assignment(updated, opened=False, match=found)

    def _candidates(self, report: IncidentReport) -> Iterable[Incident]:
        family = _family(report.event_type)
        window = date_window(report.event_date, report.published_at)
        for incident in self._incidents.values():
            other = _family(incident.event_type)
            if other != family and frozenset({family, other}) not in NEIGHBOUR_FAMILIES:
                continue
            last = _last_day(incident)
            if window is not None and last is not None and window.first - last > self.window:
                continue
            yield incident

    def _best_match(self, report: IncidentReport) -> tuple[Incident, Match] | None:
        """The incident `report` fits best, if any fits above the threshold; a syndicated copy joins
        the incident of the article it copies when that one fits at all."""
        best: tuple[Incident, Match] | None = None
        for incident in self._candidates(report):
            found = match(report, incident)
            if found is None:
                continue
            if report.duplicate_of is not None and report.duplicate_of in incident.article_ids:
                found = Match(score=max(found.score, 0.99), parts=found.parts)
            if found.score >= self.threshold and (best is None or found.score > best[1].score):
                best = (incident, found)
        return best

    def _note_day(self, day: date | None) -> None:
        if day is not None and (self._newest is None or day > self._newest):
            self._newest = day

"""An incident's agreed fields, recomputed from its reports each time one joins.

Reports of one occurrence disagree: one names the town, another the province; tolls differ and rise over
a day; a wire story is republished word for word. The rules here say which value stands for the incident
and keep the spread beside it, so a consumer sees both "27 killed" and that sources said 23 to 31.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date
from statistics import median_low

from ..common.geo import haversine_km
from ..common.models import (
    GEO_PRECISION_RANK,
    Actor,
    Count,
    CountRule,
    Incident,
    IncidentCounts,
    IncidentDate,
    IncidentPlace,
    IncidentReport,
    Location,
)
from .matching import actor_key, place_pair_score
from .reports import date_window

_LOWER_BOUNDS = frozenset({"at_least", "more_than"})
MAX_PARTICIPANTS = 12


def independent(reports: Sequence[IncidentReport]) -> list[IncidentReport]:
    """One report per outlet (its latest), syndicated copies left out: what counts as a source."""
    latest: dict[str, IncidentReport] = {}
    for report in reports:
        if report.duplicate_of is not None:
            continue
        kept = latest.get(report.source)
        if kept is None or _published(report) >= _published(kept):
            latest[report.source] = report
    return list(latest.values()) or [reports[0]]


def _published(report: IncidentReport) -> str:
    return (report.published_at or report.joined_at).isoformat()


def agreed_type(reports: Sequence[IncidentReport]) -> tuple[str, str | None]:
    types = Counter(report.event_type for report in reports)
    top = max(types.values())
    event_type = next(report.event_type for report in reports if types[report.event_type] == top)
    subs = Counter(r.sub_event_type for r in reports if r.event_type == event_type and r.sub_event_type)
    sub_type = None
    if subs:
        best = max(subs.values())
        sub_type = next(r.sub_event_type for r in reports if r.sub_event_type and subs[r.sub_event_type] == best)
    return event_type, sub_type


def agreed_place(reports: Sequence[IncidentReport]) -> IncidentPlace | None:
    """The most precise place that at least half the located reports are consistent with."""
    located = [r.location for r in reports if r.location is not None and r.location.precision != "unresolved"]
    if not located:
        return None
    best: tuple[tuple[int, int, int, int], Location, int] | None = None
    for index, candidate in enumerate(located):
        support = sum(1 for other in located if place_pair_score(candidate, other) is not None)
        if support * 2 < len(located):
            continue
        rank = (
            GEO_PRECISION_RANK[candidate.precision],
            -support,
            candidate.inherited_from is not None,
            index,
        )
        if best is None or rank < best[0]:
            best = (rank, candidate, support)
    if best is None:  # no place has half the reports behind it: the first located one, alone
        best = ((0, 0, 0, 0), located[0], 1)
    _, place, support = best
    spread = 0.0
    if place.lat is not None and place.lon is not None:
        for other in located:
            if other.lat is not None and other.lon is not None:
                spread = max(spread, haversine_km(place.lat, place.lon, other.lat, other.lon))
    return IncidentPlace(
        name=place.name,
        geonames_id=place.geonames_id,
        country_code=place.country_code,
        admin1=place.admin1,
        lat=place.lat,
        lon=place.lon,
        precision=place.precision,
        spread_km=round(spread, 1),
        reports=support,
    )


def agreed_date(reports: Sequence[IncidentReport]) -> IncidentDate | None:
    """The day most reports state (the earliest among equals), else the finest date given."""
    windows = [(r, w) for r in reports if (w := date_window(r.event_date, r.published_at)) is not None]
    if not windows:
        return None
    stated_days = Counter(w.first for _, w in windows if w.stated and w.days == 1)
    earliest = min(w.first for _, w in windows)
    latest = max(w.last for _, w in windows)
    if stated_days:
        top = max(stated_days.values())
        day = min(d for d, n in stated_days.items() if n == top)
        return IncidentDate(
            date=day.isoformat(), precision="day", earliest=earliest.isoformat(), latest=latest.isoformat()
        )
    order = {"day": 0, "week": 1, "month": 2, "year": 3}
    finest = min(
        (r for r, _ in windows),
        key=lambda r: order[r.event_date.precision] if r.event_date is not None else 0,
    )
    if finest.event_date is not None:
        chosen, precision = date.fromisoformat(finest.event_date.date), finest.event_date.precision
    else:  # dated by publication alone
        assert finest.published_at is not None
        chosen, precision = finest.published_at.date(), "day"
    return IncidentDate(
        date=chosen.isoformat(), precision=precision, earliest=earliest.isoformat(), latest=latest.isoformat()
    )


def participants(reports: Sequence[IncidentReport]) -> list[Actor]:
    seen: dict[str, Actor] = {}
    for report in reports:
        for actor in (report.actor, report.target):
            if actor is not None and actor_key(actor) not in seen and len(seen) < MAX_PARTICIPANTS:
                seen[actor_key(actor)] = actor
    return list(seen.values())


def reconcile_count(sources: Sequence[IncidentReport], kind: str) -> tuple[Count, CountRule, int, int, int] | None:
    """The headline figure of one kind, its rule, the low and high the sources give, and how many gave one.

    Tolls rise as bodies are found, so a latest report that is also the highest stands; otherwise the
    median of the figures (the lower one of a pair), unless every figure is a lower bound, where the
    highest bound holds for all of them. Running totals are never counted."""
    given = [
        (report, count)
        for report in sorted(sources, key=_published)
        if (count := getattr(report.counts, kind)) is not None and not count.cumulative
    ]
    if not given:
        return None
    values = [count.value for _, count in given]
    low, high = min(values), max(count.high or count.value for _, count in given)
    chosen: Count
    rule: CountRule
    if len(given) == 1:
        chosen, rule = given[0][1], "single_report"
    elif len(set(values)) == 1:
        chosen, rule = given[0][1], "agreed"
    elif (
        values[-1] == max(values)
        and values[-1] > max(values[:-1])
        and _published(given[-1][0]) > _published(given[-2][0])
    ):
        chosen, rule = given[-1][1], "latest_update"
    elif all(count.qualifier in _LOWER_BOUNDS for _, count in given):
        chosen, rule = max((count for _, count in given), key=lambda count: count.value), "highest_lower_bound"
    else:
        middle = median_low(values)
        chosen, rule = next(count for _, count in given if count.value == middle), "median"
    return chosen, rule, low, high, len(given)


def agreed_counts(sources: Sequence[IncidentReport]) -> IncidentCounts:
    """Each kind's figure over the independent reports (`independent`)."""
    fields = {}
    for kind in ("killed", "injured", "arrested", "participants"):
        reconciled = reconcile_count(sources, kind)
        if reconciled is None:
            continue
        count, rule, low, high, n = reconciled
        fields[kind] = {
            "value": count.value,
            "low": low,
            "high": max(high, count.value),
            "qualifier": count.qualifier,
            "rule": rule,
            "reports": n,
            "phrase": count.phrase,
        }
    return IncidentCounts.model_validate(fields)


def confidence(sources: Sequence[IncidentReport]) -> float:
    """Independent sources that each report it make an occurrence likelier: a noisy-or of their
    confidence times how well each matched."""
    doubt = 1.0
    for report in sources:
        doubt *= 1.0 - report.confidence * report.score
    return round(min(0.99, 1.0 - doubt), 4)


def summarise(incident_id: str, reports: Sequence[IncidentReport], revision: int = 1) -> Incident:
    """The incident that `reports` (in the order they joined) make up."""
    if not reports:
        raise ValueError("an incident has at least one report")
    event_type, sub_type = agreed_type(reports)
    sources = independent(reports)
    return Incident(
        incident_id=incident_id,
        revision=revision,
        event_type=event_type,
        sub_event_type=sub_type,
        place=agreed_place(reports),
        date=agreed_date(reports),
        participants=participants(reports),
        counts=agreed_counts(sources),
        event_ids=list(dict.fromkeys(r.event_id for r in reports)),
        article_ids=list(dict.fromkeys(r.article_id for r in reports)),
        reports=list(reports),
        sources=len({r.source for r in sources}),
        first_seen=min(r.joined_at for r in reports),
        last_seen=max(r.joined_at for r in reports),
        confidence=confidence(sources),
    )

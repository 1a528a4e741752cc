"""Whether an event reports the same occurrence as an incident: type, place, time, words, actors, counts.

Each part scores 0..1, and a part that rules the match out returns None: another type family, another
town, another week. Place, words, actors and counts are scored against the incident's reports, the best
one counting (reports of one occurrence differ in place precision and wording, and one close report is
evidence enough); the date against the incident's agreed date, so a chain of follow-ups cannot walk it
forward day by day. The parts are weighted and the
total is compared with a threshold (`CorrelatorOptions.match_threshold`). Where a report gives no place or
no date, that part is neutral rather than a veto, since most reports leave something out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from ..common.geo import haversine_km
from ..common.models import GEO_PRECISION_RANK, Actor, Count, Incident, IncidentReport, Location
from .reports import DateWindow, content_words, date_window

# Types that reports of one occurrence are coded as. A bombing can come out as ASSAULT in one report and
# COERCE in another ("security forces opened fire"), a march as PROTEST or MOBILIZE.
TYPE_FAMILIES: dict[str, str] = {
    "ASSAULT": "force",
    "COERCE": "force",
    "MOBILIZE": "protest",
    "PROTEST": "protest",
    "DISASTER": "disaster",
    "ACCUSE": "verbal-conflict",
    "REJECT": "verbal-conflict",
    "THREATEN": "verbal-conflict",
    "SANCTION": "verbal-conflict",
    "AGREE": "cooperation",
    "CONSULT": "cooperation",
    "SUPPORT": "cooperation",
    "CONCEDE": "cooperation",
    "COOPERATE": "cooperation",
    "AID": "cooperation",
    "RETREAT": "cooperation",
    "REQUEST": "cooperation",
}
# Neighbouring families: police breaking up a march is reported as the protest or as the force.
NEIGHBOUR_FAMILIES = {frozenset({"force", "protest"}), frozenset({"force", "disaster"})}

# How far apart two places named at a precision may be and still be one occurrence's place.
# A county's point is the median of its ZIP codes' (counties.py); a town in the largest (San Bernardino,
# 52,000 km²) lies up to about 200 km from it.
_NEAR_KM = {"city": 15.0, "admin2": 40.0, "admin1": 150.0, "country": 600.0}
_FAR_KM = {"city": 60.0, "admin2": 200.0, "admin1": 400.0, "country": 2500.0}

WEIGHTS = {"type": 0.15, "place": 0.25, "date": 0.2, "words": 0.3, "actors": 0.05, "counts": 0.05}


NOTHING_IN_COMMON = 0.1
_ENOUGH_WORDS = 4


@dataclass(frozen=True)
class Match:
    score: float
    parts: dict[str, float] = field(default_factory=dict)


def type_score(report: IncidentReport, incident: Incident) -> float | None:
    if report.event_type == incident.event_type:
        same_sub = report.sub_event_type is not None and report.sub_event_type == incident.sub_event_type
        return 1.0 if same_sub or report.sub_event_type is None or incident.sub_event_type is None else 0.8
    families = frozenset(
        {TYPE_FAMILIES.get(report.event_type, "other"), TYPE_FAMILIES.get(incident.event_type, "other")}
    )
    if len(families) == 1 and "other" not in families:
        return 0.6
    if families in NEIGHBOUR_FAMILIES:
        return 0.5
    return None


def _coarser(a: Location, b: Location) -> str:
    order = tuple(precision for precision in GEO_PRECISION_RANK if precision != "unresolved")
    rank = [order.index(p) if p in order else len(order) for p in (a.precision, b.precision)]
    return order[min(max(rank), len(order) - 1)]


def place_pair_score(a: Location | None, b: Location | None) -> float | None:
    """1 for the same town, less as the places coarsen or drift apart, None for two different places."""
    if a is None or b is None or a.precision == "unresolved" or b.precision == "unresolved":
        return 0.5
    if a.country_code and b.country_code and a.country_code != b.country_code:
        return None
    if a.geonames_id is not None and a.geonames_id == b.geonames_id:
        exact = {"city": 1.0, "admin2": 0.85, "admin1": 0.75, "country": 0.55}
        return exact.get(a.precision, 0.5)
    if a.lat is None or a.lon is None or b.lat is None or b.lon is None:
        return 0.5
    grain = _coarser(a, b)
    distance = haversine_km(a.lat, a.lon, b.lat, b.lon)
    same_region = bool(a.admin1) and a.admin1 == b.admin1
    if grain == "city" and a.precision == b.precision:
        if distance <= _NEAR_KM["city"]:
            return 0.9
        if distance >= _FAR_KM["city"]:
            return None
        return 0.9 - 0.6 * (distance - _NEAR_KM["city"]) / (_FAR_KM["city"] - _NEAR_KM["city"])
    # One side names a county, a region or a country: the town lies in it, or it does not.
    if grain == "admin2":
        different_state = bool(a.admin1) and bool(b.admin1) and a.admin1 != b.admin1
        if different_state or distance >= _FAR_KM["admin2"]:
            return None
        if a.precision == b.precision:
            # Two counties (no GeoNames ids): the same point is the same county; a neighbour at most may be
            # one report's slip.
            return 0.85 if distance == 0.0 else (0.5 if distance <= _NEAR_KM["admin2"] else None)
        return 0.8 if distance <= _NEAR_KM["admin2"] else 0.65
    if grain == "admin1" and not same_region and distance >= _FAR_KM["admin1"]:
        return None
    if grain == "world_region":
        return 0.5  # "in Europe" neither joins nor parts two reports
    if grain == "country":
        return 0.55
    return 0.7 if same_region or distance <= _NEAR_KM["admin1"] else 0.5


def date_pair_score(a: DateWindow | None, b: DateWindow | None) -> float | None:
    """1 for one stated day; less for wide or assumed windows and a day apart; None when days apart."""
    if a is None or b is None:
        return 0.4
    gap = a.gap(b)
    if gap == 0:
        if a.stated and b.stated and a.days == 1 and b.days == 1:
            return 1.0
        return 0.8 if max(a.days, b.days) <= 2 else 0.55
    if gap == 1:
        return 0.45
    if gap == 2 and not (a.stated and b.stated):
        return 0.2
    return None


def agreed_window(incident: Incident) -> DateWindow | None:
    """The incident's agreed date as a window. Against each report's own date instead, a chain of
    follow-ups ("buried on Tuesday", "rose on Wednesday") would let Thursday's bombing join Monday's."""
    agreed = incident.date
    if agreed is None:
        return None
    if agreed.precision == "day" and agreed.date == agreed.earliest == agreed.latest:
        day = date.fromisoformat(agreed.date)
        return DateWindow(day, day, stated=True)
    if agreed.precision == "day":
        day = date.fromisoformat(agreed.date)
        stated = any(r.event_date is not None and r.event_date.phrase for r in incident.reports)
        return DateWindow(day, day, stated=stated)
    return DateWindow(date.fromisoformat(agreed.earliest), date.fromisoformat(agreed.latest), stated=True)


def distinctive_words(report: IncidentReport) -> frozenset[str]:
    """The evidence's words less the place's own name, which the place part scores already: two
    bombings in Kabul share "kabul" and nothing else."""
    words = content_words(report.evidence)
    location = report.location
    if location is None:
        return words
    named = content_words(" ".join(part for part in (location.name, location.admin1) if part))
    return words - named


def words_score(words: frozenset[str], others: Iterable[frozenset[str]]) -> float:
    """Shared distinctive words over the smaller set, best report first: 0 for nothing in common."""
    best = 0.0
    for other in others:
        if not words or not other:
            continue
        shared = len(words & other)
        best = max(best, min(1.0, shared / (0.5 * min(len(words), len(other)) + 1.0)))
    return best


def actor_key(actor: Actor) -> str:
    return actor.name.lower().removeprefix("the ").rstrip("s")


def actors_score(report: IncidentReport, members: Iterable[IncidentReport]) -> float:
    mine = [actor for actor in (report.actor, report.target) if actor is not None]
    if not mine:
        return 0.5
    best = 0.3
    for member in members:
        for theirs in (member.actor, member.target):
            if theirs is None:
                continue
            for actor in mine:
                if actor_key(actor) == actor_key(theirs):
                    return 1.0
                if actor.kind != "unknown" and actor.kind == theirs.kind:
                    best = max(best, 0.7)
    return best


def _count_score(a: Count | None, b: Count | None) -> float | None:
    if a is None or b is None or a.cumulative or b.cumulative:
        return None
    low, high = sorted((a.value, b.value))
    if high == 0:
        return 1.0
    return 1.0 if low / high >= 0.5 or high - low <= 3 else 0.2


def counts_score(report: IncidentReport, members: Iterable[IncidentReport]) -> float:
    """Tolls of one occurrence differ and rise; 3 killed against 40 killed points to two occurrences."""
    scores = []
    for member in members:
        for kind in ("killed", "injured", "arrested"):
            score = _count_score(getattr(report.counts, kind), getattr(member.counts, kind))
            if score is not None:
                scores.append(score)
    return max(scores) if scores else 0.5


def match(report: IncidentReport, incident: Incident) -> Match | None:
    """How well `report` fits `incident` (0..1), or None when a part rules it out."""
    members = incident.reports
    kind = type_score(report, incident)
    if kind is None:
        return None
    places = [place_pair_score(report.location, member.location) for member in members]
    if all(place is None for place in places):
        return None
    day = date_pair_score(date_window(report.event_date, report.published_at), agreed_window(incident))
    if day is None:
        return None
    mine = distinctive_words(report)
    theirs = [distinctive_words(member) for member in members]
    parts = {
        "type": kind,
        "place": max(place for place in places if place is not None),
        "date": day,
        "words": words_score(mine, theirs),
        "actors": actors_score(report, members),
        "counts": counts_score(report, members),
    }
    score = sum(WEIGHTS[name] * value for name, value in parts.items())
    says_enough = len(mine) >= _ENOUGH_WORDS and any(len(words) >= _ENOUGH_WORDS for words in theirs)
    if parts["words"] == 0.0 and says_enough:
        # Two reports of one occurrence name something in common (the mosque, the market, the victims);
        # two that say enough and share nothing are more likely two occurrences in one town that day.
        score -= NOTHING_IN_COMMON
    return Match(score=round(score, 4), parts=parts)

"""One event per real-world occurrence within an article.

News repeats itself: the standfirst and the lead give the same toll, a quote continues the sentence
before it. Merging is conservative because a false merge loses an event while a missed merge only
duplicates one: two drafts merge only when they share the event type, their places and dates do not
conflict, their counts do not disagree, and they share a count or an actor (or one adds nothing but
evidence to its neighbour).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from ...common.models import (
    GEO_PRECISION_RANK,
    Actor,
    Attribution,
    Count,
    Counts,
    EventDate,
    Evidence,
    Location,
    Modality,
)
from .actors import same_actor


@dataclass(frozen=True, slots=True)
class DraftEvent:
    """An event before it gets its id and confidence: what assembly found in one sentence (or clause)."""

    event_type: str
    sentence_index: int
    evidence: tuple[Evidence, ...]
    model_score: float
    sub_event_type: str | None = None
    mode: str | None = None
    modality: Modality = "asserted"
    actor: Actor | None = None
    target: Actor | None = None
    location: Location | None = None
    event_date: EventDate | None = None
    date_from_text: bool = False
    counts: Counts = field(default_factory=Counts)
    running_total: bool = False
    attribution: Attribution | None = None
    last_sentence_index: int = -1

    @property
    def last_index(self) -> int:
        return max(self.sentence_index, self.last_sentence_index)

    def has_participant(self) -> bool:
        """Who did what to whom: an action with nobody, nowhere and no toll is not an event we can code
        (a recipe's "fry the sage leaves" may still look like an action to the classifier)."""
        has_counts = any((self.counts.killed, self.counts.injured, self.counts.arrested, self.counts.participants))
        return has_counts or any(role is not None for role in (self.actor, self.target, self.location))

    def completeness(self) -> float:
        """Share of the roles an event should have that assembly could fill."""
        has_counts = any((self.counts.killed, self.counts.injured, self.counts.arrested))
        filled = [
            self.actor is not None,
            self.target is not None or has_counts,
            self.location is not None,
            self.event_date is not None and self.date_from_text,
        ]
        return sum(filled) / len(filled)

    def is_bare(self) -> bool:
        """Nothing but evidence: no count, actor, target or place of its own (a place carried over from the
        sentences before is the context's, not the draft's)."""
        has_counts = any((self.counts.killed, self.counts.injured, self.counts.arrested))
        own_place = self.location is not None and self.location.inherited_from is None
        return not has_counts and self.actor is None and self.target is None and not own_place


def locations_compatible(a: Location | None, b: Location | None) -> bool:
    if a is None or b is None:
        return True
    if a.country_code and b.country_code and a.country_code != b.country_code:
        return False
    if a.precision == "country" or b.precision == "country":
        return True
    if a.precision == "city" and b.precision == "city":
        return a.geonames_id == b.geonames_id
    if a.precision == "admin2" and b.precision == "admin2":
        # Counties have no GeoNames id: one county is one state and one point.
        return (a.admin1, a.lat, a.lon) == (b.admin1, b.lat, b.lon)
    return a.admin1 == b.admin1


def _count_match(a: Count | None, b: Count | None) -> bool | None:
    """True if both counts describe the same toll, False if they conflict, None if either is absent."""
    if a is None or b is None:
        return None
    if a.cumulative != b.cumulative:
        return False
    if a.qualifier == "vague" or b.qualifier == "vague":
        vague, exact = (a, b) if a.qualifier == "vague" else (b, a)
        return exact.value >= vague.value and (vague.high is None or exact.value <= vague.high)
    return a.value == b.value


def _counts_relation(a: Counts, b: Counts) -> bool | None:
    relations = [
        _count_match(a.killed, b.killed),
        _count_match(a.injured, b.injured),
        _count_match(a.arrested, b.arrested),
    ]
    if any(r is False for r in relations):
        return False
    if any(r is True for r in relations):
        return True
    return None


def _dates_compatible(a: DraftEvent, b: DraftEvent) -> bool:
    if not (a.date_from_text and b.date_from_text) or a.event_date is None or b.event_date is None:
        return True
    return a.event_date.date == b.event_date.date or "day" not in (a.event_date.precision, b.event_date.precision)


def can_merge(a: DraftEvent, b: DraftEvent, *, max_distance: int = 2) -> bool:
    """Whether two drafts of one article describe the same occurrence."""
    if a.event_type != b.event_type or a.running_total != b.running_total:
        return False
    if (a.modality == "planned") != (b.modality == "planned"):
        return False
    if not locations_compatible(a.location, b.location) or not _dates_compatible(a, b):
        return False
    counts = _counts_relation(a.counts, b.counts)
    if counts is False:
        return False
    if counts is True:
        return True
    distance = min(abs(a.last_index - b.sentence_index), abs(b.last_index - a.sentence_index))
    if distance > max_distance:
        return False
    if same_actor(a.actor, b.actor) or (same_actor(a.actor, b.target) and same_actor(a.target, b.actor)):
        return (a.target is None or b.target is None) or same_actor(a.target, b.target)
    return distance == 1 and (a.is_bare() or b.is_bare())


def _more_specific(a: Location | None, b: Location | None) -> Location | None:
    if a is None:
        return b
    if b is None:
        return a
    return a if GEO_PRECISION_RANK[a.precision] <= GEO_PRECISION_RANK[b.precision] else b


def _better_date(a: DraftEvent, b: DraftEvent) -> tuple[EventDate | None, bool]:
    if a.date_from_text or not b.date_from_text:
        return a.event_date, a.date_from_text
    return b.event_date, b.date_from_text


def _merge_counts(a: Counts, b: Counts) -> Counts:
    def pick(x: Count | None, y: Count | None) -> Count | None:
        if x is None:
            return y
        if y is None:
            return x
        # Prefer the precise figure over the vague one ("70" over "scores").
        return y if x.qualifier == "vague" and y.qualifier != "vague" else x

    return Counts(
        killed=pick(a.killed, b.killed),
        injured=pick(a.injured, b.injured),
        arrested=pick(a.arrested, b.arrested),
        participants=pick(a.participants, b.participants),
    )


_MODALITY_STRENGTH: dict[str, int] = {
    "asserted": 0,
    "reported": 1,
    "claimed": 2,
    "planned": 3,
    "threatened": 4,
    "denied": 5,
}


def combine(a: DraftEvent, b: DraftEvent) -> DraftEvent:
    """One draft with the evidence of both and, per field, the more informative value."""
    event_date, date_from_text = _better_date(a, b)
    evidence = tuple(sorted({*a.evidence, *b.evidence}, key=lambda e: (e.start, e.end)))
    return replace(
        a,
        sentence_index=min(a.sentence_index, b.sentence_index),
        last_sentence_index=max(a.last_index, b.last_index),
        evidence=evidence,
        model_score=max(a.model_score, b.model_score),
        sub_event_type=a.sub_event_type or b.sub_event_type,
        mode=a.mode or b.mode,
        # A corroborated occurrence keeps the weaker (more cautious) of the two stances.
        modality=a.modality if _MODALITY_STRENGTH[a.modality] >= _MODALITY_STRENGTH[b.modality] else b.modality,
        actor=a.actor or b.actor,
        target=a.target or b.target,
        location=_more_specific(a.location, b.location),
        event_date=event_date,
        date_from_text=date_from_text,
        counts=_merge_counts(a.counts, b.counts),
        attribution=a.attribution or b.attribution,
    )


def merge_drafts(drafts: Sequence[DraftEvent]) -> list[DraftEvent]:
    """Greedy, order-preserving merge: each draft joins the first earlier event it is compatible with."""

    def join(existing: DraftEvent, draft: DraftEvent) -> DraftEvent | None:
        if can_merge(existing, draft) and _sentence_distance_ok(existing, draft):
            return combine(existing, draft)
        return None

    return _greedy(drafts, join)


def _greedy(
    drafts: Sequence[DraftEvent], join: Callable[[DraftEvent, DraftEvent], DraftEvent | None]
) -> list[DraftEvent]:
    """In text order, each draft joins the first earlier result that `join` accepts it into."""
    results: list[DraftEvent] = []
    for draft in sorted(drafts, key=lambda d: (d.sentence_index, d.evidence[0].start)):
        for index, existing in enumerate(results):
            joined = join(existing, draft)
            if joined is not None:
                results[index] = joined
                break
        else:
            results.append(draft)
    return results


def _sentence_distance_ok(existing: DraftEvent, draft: DraftEvent) -> bool:
    """Clauses of one sentence are separate occurrences by construction; never fold them back together."""
    return not any(e.start == d.start for e in existing.evidence for d in draft.evidence) and (
        existing.last_index != draft.sentence_index
    )


# One protest, many sentences: who took part, what they carried, how it ended, who was arrested.
_PROTEST_REFERENCE = re.compile(
    r"\b(?:march(?:es|ers|ed|ing)?|protest\w*|rall(?:y|ies|ied)|demonstrat\w*|the\s+route|crowds?|took\s+part|"
    r"joined|banners|placards|slogans?|chant\w*|sit-ins?|strikers)\b",
    re.IGNORECASE,
)
# Policing of a crowd and its scuffles: tear gas, stones, arrests, officers hurt.
_CROWD_CONTROL = re.compile(
    r"\b(?:tear\s*gas|water\s+cannons?|rubber\s+bullets|stun\s+grenades|riot\s+police|batons?|stones|rocks|"
    r"petrol\s+bombs|molotov\s+cocktails|firebombs|dispers\w+|charged|scuffle\w*|clash\w*|arrest\w*|"
    r"detain\w*|rounded\s+up)\b",
    re.IGNORECASE,
)
# Never a protest's incident: a bombing or shelling is its own occurrence.
_ARMED_ATTACK = re.compile(
    r"\b(?:car\s+bomb|suicide|roadside\s+bomb|bomb\s+(?:exploded|went\s+off)|explosions?|blasts?|explosives|"
    r"detonated|shell(?:ed|ing|s)|air\s*strikes?|airstrikes?|mortars?|rockets?|missiles?|ambush\w*|gunmen)\b",
    re.IGNORECASE,
)
_NOT_HAPPENED: frozenset[Modality] = frozenset({"planned", "threatened", "denied"})


def _is_protest(draft: DraftEvent) -> bool:
    return draft.event_type == "PROTEST" and draft.modality not in _NOT_HAPPENED and not draft.running_total


def _part_of_protest(draft: DraftEvent) -> bool:
    """Whether a draft can be a facet of a protest next to it: its turnout, its policing, its arrests."""
    if draft.modality in _NOT_HAPPENED or draft.running_total:
        return False
    text = " ".join(evidence.sentence for evidence in draft.evidence)
    if draft.event_type == "PROTEST":
        return True
    if draft.event_type == "MOBILIZE":
        crowd = draft.actor is None or draft.actor.kind in ("protesters", "civilians")
        return bool(_PROTEST_REFERENCE.search(text)) and (crowd or bool(_CROWD_CONTROL.search(text)))
    if draft.event_type in ("COERCE", "ASSAULT"):
        # A death is an occurrence of its own (ACLED codes it apart); so is any armed attack.
        if draft.counts.killed is not None or _ARMED_ATTACK.search(text):
            return False
        return bool(_CROWD_CONTROL.search(text))
    return False


def _folds_into(protest: DraftEvent, other: DraftEvent, max_distance: int) -> bool:
    distance = min(abs(protest.last_index - other.sentence_index), abs(other.last_index - protest.sentence_index))
    if protest.sentence_index <= other.sentence_index <= protest.last_index:
        distance = 0
    if distance > max_distance or not _part_of_protest(other):
        return False
    return locations_compatible(protest.location, other.location) and _dates_compatible(protest, other)


def fold_occurrences(drafts: Sequence[DraftEvent], *, max_distance: int = 2) -> list[DraftEvent]:
    """Fold the facets of one protest in nearby sentences into it: the march, "20,000 took part", the
    banners, the tear gas and the arrests are one PROTEST with its turnout, arrests and injuries, while an
    announced rally stays its own planned event and a bombing elsewhere stays apart."""

    def join(existing: DraftEvent, draft: DraftEvent) -> DraftEvent | None:
        if _is_protest(existing) and _folds_into(existing, draft, max_distance):
            return _fold(existing, draft)
        if _is_protest(draft) and _folds_into(draft, existing, max_distance):
            return _fold(draft, existing)
        return None

    return _greedy(drafts, join)


def _fold(protest: DraftEvent, facet: DraftEvent) -> DraftEvent:
    """The protest with the facet's evidence and counts; the police who made the arrests do not become
    the protest's actor, nor those arrested its target."""
    combined = combine(protest, facet)
    crowd_actor = facet.actor if facet.actor is not None and facet.actor.kind in ("protesters", "civilians") else None
    same_kind = facet.event_type in ("PROTEST", "MOBILIZE")
    return replace(
        combined,
        actor=protest.actor or crowd_actor,
        target=protest.target or (facet.target if same_kind else None),
    )

"""What an event contributes to an incident, and what it is compared by.

An incident keeps each member event's own place, date, counts and actors (`IncidentReport`), so that its
agreed fields are recomputed from the reports behind them and a restarted correlator matches against the
same features it had before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ..common.models import Event, EventDate, IncidentReport
from ..common.urls import source_domain

# Modalities that do not say an occurrence happened: a threat, a plan, a denial.
NOT_OCCURRED = frozenset({"threatened", "planned", "denied"})

# Words every report of a kind shares; what is left tells two occurrences apart ("mosque", "market",
# a victim's name, a district).
_COMMON_WORDS = frozenset(
    """
    a about above after again against ago all also am among an and another any are around as at be been
    before being between both but by can could did do does during each early either even ever every few for
    from further had has have having he her here hers him his how however i if in into is it its itself just
    last late later least less many may me more most much must my near new no nor not now of off on once one
    only or other our out over own per same she should since so some still such than that the their them then
    there these they this those three through to too two under until up upon very was we were what when where
    which while who whom whose why will with within would yet you your yesterday today tonight morning evening
    night afternoon week weeks day days month months year years hour hours monday tuesday wednesday thursday
    friday saturday sunday said says say told telling according reported reports report reporting statement
    officials official spokesman spokeswoman spokesperson sources source local people person persons men women
    killed kill killing killings dead death deaths died die dying toll wounded injured injuring injuries hurt
    attack attacks attacked attacking police security forces force government authorities authority
    least dozens dozen hundreds several number numbers including included people's city town village area
    province region country district capital northern southern eastern western north south east west central
    zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen
    seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand first
    second third fourth fifth half dozen gunmen gunman armed opened fired shot shooting gunfire wounding victim
    victims agency wire news press reuters state office ministry group latest preliminary confirmed found
    happened medics residents witnesses witness neighbourhood area added told inside near outside nearby
    """.split()  # noqa: SIM905 (a word list reads better as text)
)
_WORD = re.compile(r"[^\W\d_][\w'-]+", re.UNICODE)


def content_words(text: str) -> frozenset[str]:
    """Distinctive lower-cased words of a sentence; a crude stem keeps "bombing" and "bombings" together."""
    words = set()
    for word in _WORD.findall(text.lower()):
        word = word.strip("'-").removesuffix("'s")
        if len(word) < 3 or word in _COMMON_WORDS:
            continue
        words.add(word[:-1] if word.endswith("s") and len(word) > 4 else word)
    return frozenset(words)


def outlet(url: str | None) -> str:
    return (source_domain(url) if url else "") or "unknown"


def occurred(event: Event) -> bool:
    """Whether an event reports an occurrence an incident can hold: running totals and threats do not."""
    return not event.running_total and event.modality not in NOT_OCCURRED


def to_report(event: Event, joined_at: datetime, score: float) -> IncidentReport:
    return IncidentReport(
        event_id=event.event_id,
        article_id=event.article_id,
        source=outlet(event.source_url),
        source_url=event.source_url,
        published_at=event.published_at,
        event_type=event.event_type,
        sub_event_type=event.sub_event_type,
        actor=event.actor,
        target=event.target,
        location=event.location,
        event_date=event.event_date,
        counts=event.counts,
        evidence=" ".join(piece.sentence for piece in event.evidence),
        confidence=event.confidence,
        duplicate_of=event.duplicate_of,
        joined_at=joined_at,
        score=score,
    )


@dataclass(frozen=True)
class DateWindow:
    """The days a report's date allows: a day named in the text is that day; a day assumed from the
    publication date (no phrase) may be the day before; a week or a month spans its days."""

    first: date
    last: date
    stated: bool

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def gap(self, other: DateWindow) -> int:
        """Days between the two windows; 0 when they overlap."""
        return max(0, (other.first - self.last).days, (self.first - other.last).days)


def date_window(event_date: EventDate | None, published_at: datetime | None) -> DateWindow | None:
    if event_date is None:
        if published_at is None:
            return None
        day = published_at.date()
        return DateWindow(day - timedelta(days=1), day, stated=False)
    first = date.fromisoformat(event_date.date)
    if event_date.precision == "day":
        if event_date.phrase is None:
            return DateWindow(first - timedelta(days=1), first, stated=False)
        return DateWindow(first, first, stated=True)
    if event_date.precision == "week":
        return DateWindow(first, first + timedelta(days=6), stated=True)
    if event_date.precision == "month":
        following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
        return DateWindow(first, following - timedelta(days=1), stated=True)
    return DateWindow(first, first.replace(month=12, day=31), stated=True)

"""Event dates: the date expression of the event's own clause, resolved against the publication date.

The document-level tagger (`..temporal`) finds and resolves every date expression; an event takes the
most precise one its clause gives (a day over a week, a month, a year), the first among equals. "since
March" is skipped because it dates the start of a running total, not an occurrence. Without any date
phrase, a sentence reported as current news is dated to the publication day with precision "day" and
no phrase: wire copy reports the last 24 hours, and the missing phrase tells consumers the date is an
assumption.
"""

from __future__ import annotations

import re
from datetime import date

from ...common.models import DateMention, DatePrecision, EventDate
from ..temporal import INTENTION_CUE, find_dates

# The grains an event date can have; a quarter, season or decade is not when an occurrence happened.
_EVENT_PRECISIONS: tuple[DatePrecision, ...] = ("day", "week", "month", "year")  # most precise first
_PRECISION_RANK: dict[str, DatePrecision] = {precision: precision for precision in _EVENT_PRECISIONS}
_SINCE = re.compile(r"\bsince\s+(?:early\s+|late\s+|mid-)?$", re.IGNORECASE)
# A bare year dates an event only after a preposition ("in 2010"); "the 1973 uprising" names another one.
_YEAR_PREPOSITION = re.compile(r"\b(?:in|during|by|until|from|of|early|late|mid-)\s+(?:the\s+year\s+)?$", re.IGNORECASE)
_WEEK = re.compile(r"^(\d{4})-W(\d{2})(-WE)?$")
# "agreed to meet again in March": the date belongs to the act agreed on, not to the agreement, unless
# the event is itself the act to come.
_INTENDED_ACT = re.compile(r"\b" + INTENTION_CUE + r"\b[^.;]*$", re.IGNORECASE)


def resolve_date(text: str, published: date | None, *, future: bool = False) -> EventDate | None:
    """The date a clause gives its event, or None when it names none (or nothing can anchor it)."""
    usable = [
        mention
        for mention in find_dates(text, published, future=future)
        if mention.precision in _PRECISION_RANK
        and _dates_the_event(text, mention)
        and (future or not _INTENDED_ACT.search(text, 0, mention.start))
    ]
    if not usable:
        return None
    best = min(usable, key=lambda mention: _EVENT_PRECISIONS.index(_PRECISION_RANK[mention.precision]))
    first_day = _first_day(best)
    if first_day is None:
        return None
    return EventDate(date=first_day.isoformat(), precision=_PRECISION_RANK[best.precision], phrase=best.text)


def _dates_the_event(text: str, mention: DateMention) -> bool:
    before = text[max(0, mention.start - 24) : mention.start]
    if _SINCE.search(before):
        return False
    return not mention.text.isdigit() or bool(_YEAR_PREPOSITION.search(before))


def _first_day(mention: DateMention) -> date | None:
    """The day a value starts on: a week's Monday (a weekend's Saturday), a month's or a year's first."""
    value = mention.value
    week = _WEEK.match(value)
    if week:
        return date.fromisocalendar(int(week.group(1)), int(week.group(2)), 6 if week.group(3) else 1)
    parts = value.split("-")
    try:
        if mention.precision == "day":
            return date.fromisoformat(value)
        if mention.precision == "month":
            return date(int(parts[0]), int(parts[1]), 1)
        return date(int(parts[0]), 1, 1)
    except ValueError:
        return None


def publication_default(published: date | None) -> EventDate | None:
    """The date assumed for current news that names no date: publication day, no phrase."""
    if published is None:
        return None
    return EventDate(date=published.isoformat(), precision="day", phrase=None)

"""Event dates resolved against the publication date.

News text dates events relative to when it was written: "on Tuesday" in a story published on Tuesday
2011-11-15 is that day, and "on Monday" the day before; a weekday in a sentence about the future ("ahead
of a meeting in Cairo on Wednesday") is the next such day. Without any date phrase, a sentence reported
as current news is dated to the publication day with precision "day" and no phrase: wire copy reports the
last 24 hours, and the missing phrase tells consumers the date is an assumption.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from ...common.models import DatePrecision, EventDate

_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
    "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9,
    "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip
_WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6}

_MONTH_RE = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)"
)
_WEEKDAY_RE = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"

_MONTH_DAY = re.compile(
    rf"\b(?P<month>{_MONTH_RE})\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<year>(?:19|20)\d\d)\b)?"
)
_DAY_MONTH = re.compile(
    rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<month>{_MONTH_RE})\b(?:,?\s+(?P<year>(?:19|20)\d\d)\b)?"
)
_ISO = re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<month>\d\d)-(?P<day>\d\d)\b")
_WEEKDAY = re.compile(rf"\b(?:(?P<rel>last|next|this|on|early|late|on\s+the\s+night\s+of)\s+)?(?P<wd>{_WEEKDAY_RE})\b")
_RELATIVE = re.compile(
    r"\b(?P<phrase>the\s+day\s+before\s+yesterday|yesterday|today|tonight|tomorrow|this\s+morning|"
    r"this\s+afternoon|this\s+evening|last\s+night|overnight|earlier\s+today|(?:over\s+|in\s+)?the\s+past\s+"
    r"(?:24|48)\s+hours|(?:over\s+)?past\s+24\s+hours|last\s+week|this\s+week|next\s+week|earlier\s+this\s+week|"
    r"last\s+month|this\s+month|next\s+month|last\s+year|this\s+year|next\s+year|last\s+weekend|"
    r"this\s+weekend)\b",
    re.IGNORECASE,
)
_MONTH_ONLY = re.compile(rf"\b(?:(?P<prep>in|since|during|last|early|late|mid-?)\s+)(?P<month>{_MONTH_RE})\b(?!\s+\d)")
_YEAR_ONLY = re.compile(r"\b(?P<prep>in|during)\s+(?P<year>(?:19|20)\d\d)\b")
# Phrases that date the start of a running total rather than the event itself.
_SINCE = re.compile(r"\bsince\s+$", re.IGNORECASE)


def _clamp_day(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _month_number(token: str) -> int:
    return _MONTHS[token.rstrip(".").lower()]


def _absolute_year(month: int, day: int, published: date, future: bool) -> int:
    """The year of a day-and-month without one: the nearest such date in the direction of the tense."""
    candidate = _clamp_day(published.year, month, day)
    if candidate is None:
        return published.year
    if future and candidate < published - timedelta(days=2):
        return published.year + 1
    if not future and candidate > published + timedelta(days=2):
        return published.year - 1
    return published.year


def weekday_date(weekday: int, published: date, *, future: bool, relation: str | None = None) -> date:
    """The day a bare weekday refers to: the latest on or before publication, or the next one if future."""
    relation = (relation or "").lower()
    if future or relation == "next":
        ahead = (weekday - published.weekday()) % 7
        if relation == "next" and ahead == 0:
            ahead = 7
        return published + timedelta(days=ahead)
    back = (published.weekday() - weekday) % 7
    if relation == "last" and back == 0:
        back = 7
    return published - timedelta(days=back)


def _is_since(text: str, start: int) -> bool:
    return bool(_SINCE.search(text[max(0, start - 8) : start]))


def resolve_date(text: str, published: date | None, *, future: bool = False) -> EventDate | None:
    """The date a sentence gives its event, or None when it names none (or nothing can anchor it).

    Explicit calendar dates win over weekdays, weekdays over relative words; "since March" is skipped
    because it dates the start of a running total, not an occurrence.
    """
    found: list[tuple[int, EventDate]] = []

    for pattern in (_MONTH_DAY, _DAY_MONTH):
        for match in pattern.finditer(text):
            if _is_since(text, match.start()):
                continue
            month = _month_number(match.group("month"))
            day = int(match.group("day"))
            if match.group("year"):
                year = int(match.group("year"))
            elif published is not None:
                year = _absolute_year(month, day, published, future)
            else:
                continue
            resolved = _clamp_day(year, month, day)
            if resolved is not None:
                found.append((0, _event_date(resolved, "day", match.group(0))))
    for match in _ISO.finditer(text):
        resolved = _clamp_day(int(match.group("year")), int(match.group("month")), int(match.group("day")))
        if resolved is not None:
            found.append((0, _event_date(resolved, "day", match.group(0))))
    if found:
        return found[0][1]
    if published is None:
        return None

    for match in _WEEKDAY.finditer(text):
        if _is_since(text, match.start()):
            continue
        relation = match.group("rel")
        resolved = weekday_date(_WEEKDAYS[match.group("wd").lower()], published, future=future, relation=relation)
        return _event_date(resolved, "day", match.group(0))

    for match in _RELATIVE.finditer(text):
        phrase = " ".join(match.group("phrase").lower().split())
        relative = _relative(phrase, published)
        if relative is not None:
            resolved, precision = relative
            return _event_date(resolved, precision, match.group(0))

    for match in _MONTH_ONLY.finditer(text):
        if match.group("prep").lower() == "since":
            continue
        month = _month_number(match.group("month"))
        year = published.year
        if (not future and month > published.month) or (
            match.group("prep").lower() == "last" and month >= published.month
        ):
            year -= 1
        elif future and month < published.month:
            year += 1
        return _event_date(date(year, month, 1), "month", match.group(0))

    for match in _YEAR_ONLY.finditer(text):
        return _event_date(date(int(match.group("year")), 1, 1), "year", match.group(0))
    return None


def _relative(phrase: str, published: date) -> tuple[date, DatePrecision] | None:
    day = timedelta(days=1)
    if phrase == "the day before yesterday":
        return published - 2 * day, "day"
    if phrase in ("yesterday", "last night"):
        return published - day, "day"
    if phrase == "tomorrow":
        return published + day, "day"
    if phrase.endswith("hours") or phrase in (
        "today", "tonight", "this morning", "this afternoon", "this evening", "overnight", "earlier today",
    ):  # fmt: skip
        return published, "day"
    if phrase in ("last week", "last weekend"):
        return published - 7 * day, "week"
    if phrase in ("this week", "earlier this week", "this weekend"):
        return published, "week"
    if phrase == "next week":
        return published + 7 * day, "week"
    if phrase == "last month":
        first = published.replace(day=1) - day
        return first.replace(day=1), "month"
    if phrase == "this month":
        return published.replace(day=1), "month"
    if phrase == "next month":
        following = published.replace(day=28) + 4 * day
        return following.replace(day=1), "month"
    if phrase == "last year":
        return date(published.year - 1, 1, 1), "year"
    if phrase == "this year":
        return date(published.year, 1, 1), "year"
    if phrase == "next year":
        return date(published.year + 1, 1, 1), "year"
    return None


def _event_date(resolved: date, precision: DatePrecision, phrase: str | None) -> EventDate:
    return EventDate(date=resolved.isoformat(), precision=precision, phrase=phrase)


def publication_default(published: date | None) -> EventDate | None:
    """The date assumed for current news that names no date: publication day, no phrase."""
    if published is None:
        return None
    return EventDate(date=published.isoformat(), precision="day", phrase=None)

"""Every date expression in a text, with character offsets and a normalised value.

News dates things relative to when it was written, so each expression is resolved against the
document's creation date (`published`): "Friday" in a story of Wednesday 1998-03-04 is the Friday
before (1998-02-27), unless the sentence speaks of the future ("will meet on Friday"), when it is the
next one. Values follow TimeML's extension of ISO 8601, which TimeBank's gold uses and analysts can
filter on: a day `2013-03-22`, an ISO week `2013-W11`, a weekend `2013-W11-WE`, a month `2013-03`,
a quarter `2013-Q1`, a half `2013-H1`, a season `2013-SU`, a year `2013`, a decade `201`, a century
`20`, and `PRESENT_REF` / `PAST_REF` / `FUTURE_REF` for "now", "recently" and "the future".

Rules, not a model: each pattern below is one kind of expression, the longest match wins where
patterns overlap, and an expression that cannot be anchored (a weekday with no creation date) is
left out rather than guessed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from ..common.models import DateMention
from ..common.models import DateMentionPrecision as DatePrecision
from .sentences import split_sentences

_MONTH_NUMBERS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
    "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9,
    "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip
_WEEKDAY_NUMBERS = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
}  # fmt: skip
_ORDINALS = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "final": 4,
}  # fmt: skip
_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50,
}  # fmt: skip
_SEASONS = {"spring": "SP", "summer": "SU", "fall": "FA", "autumn": "FA", "winter": "WI"}
# The month each season starts in (northern hemisphere, as TimeBank's news assumes).
_SEASON_START = {"SP": 3, "SU": 6, "FA": 9, "WI": 12}

# Month names are matched case-sensitively: "may" and "march" are also a verb.
_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)"
)
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:1[6-9]|20)\d\d"
_UNITS = "one|two|three|four|five|six|seven|eight|nine"
_TENS = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
_TEENS = "ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen"
# Broadcast transcripts spell years out: "nineteen ninety-six", "the year two thousand".
_SPELLED_YEAR = (
    rf"(?i:(?:nineteen|twenty)\s+(?:(?:{_TENS})(?:-(?:{_UNITS}))?|{_TEENS}|hundred)|"
    rf"two\s+thousand(?:\s+and\s+(?:{_UNITS}|{_TEENS}))?)"
)
_NUMBER = r"(?:\d{1,2}|" + "|".join(_NUMBER_WORDS) + r")"
_I = "(?i:{})"  # a case-insensitive group inside a case-sensitive pattern

# Tense cues. The one governing a bare weekday or month (see `_tense`) decides whether it is the last
# or the next such day: in "said on Wednesday that talks will resume Friday", Wednesday is past and
# Friday is to come.
# An intention or an agreement reaches ahead of its own verb: "agreed to meet again in March".
INTENTION_CUE = (
    r"(?:agree|promise|pledge|vow|decide|vote|threaten|intend|hope|aim|resolve|undertake|offer)(?:s|d|ed)?\s+to"
)
_FUTURE_CUE = re.compile(
    r"\b(?:will|shall|won't|'ll|would|might|is\s+to|are\s+to|plans?|planned|planning|scheduled|expected\s+to|"
    r"going\s+to|set\s+to|due\s+to|upcoming|coming|next|to\s+be\s+held|as\s+soon\s+as|"
    r"(?:postponed|delayed|adjourned)\s+until|" + INTENTION_CUE + r")\b",
    re.IGNORECASE,
)
# Irregular past forms that news narrates in ("met Monday", "In January, the company brought in").
_IRREGULAR_PAST = (
    "met|held|took|began|came|went|left|led|fled|fought|made|gave|found|rose|fell|won|lost|sent|spent|struck|"
    "shot|saw|became|ran|wrote|sold|bought|paid|kept|heard|stood|spoke|broke|drove|chose|grew|knew|threw|built|"
    "felt|caught|sought|brought|got|withdrew|arose|swore|sank|shook|stole|overtook|undertook|flew|hid|meant"
)
_PAST_CUE = re.compile(
    rf"\b(?:said|says|told|was|were|had|has|have|did|ago|last|earlier|since|{_IRREGULAR_PAST}|"
    r"(?<!\bbe\s)(?<!\bbeen\s)(?<!\bbeing\s)"  # a participle after "be" has no tense: "will be named"
    r"(?!(?:need|feed|seed|speed|red|bed|indeed|hundred|scheduled|planned)\b)[a-z]{3,}ed)\b",
    re.IGNORECASE,
)


Resolver = Callable[["re.Match[str]", "_Context"], tuple[str, DatePrecision] | None]


@dataclass(frozen=True, slots=True)
class _Context:
    published: date | None
    future: bool  # the nearest tense cue speaks of the future
    tensed: bool  # some tense cue was found at all


def find_dates(text: str, published: date | None = None, *, future: bool | None = None) -> list[DateMention]:
    """Every date expression in `text`, in order, with offsets into `text` exactly as given.

    `future` settles the tense for every expression when the caller knows it (an event's modality);
    by default each bare weekday or month takes the tense of the cue that governs it (`_tense`).
    Sentences are split as the extractor splits them.
    """
    candidates: list[DateMention] = []
    for span in split_sentences(text):
        sentence, sentence_start = span.text, span.start
        cues = sorted(
            [(m.start(), m.end(), True) for m in _FUTURE_CUE.finditer(sentence)]
            + [(m.start(), m.end(), False) for m in _PAST_CUE.finditer(sentence)]
        )
        if future is not None:
            cues = [(0, 0, future)]
        for mention in _scan(sentence, published, cues, _quotations(sentence)):
            candidates.append(
                mention.model_copy(
                    update={"start": mention.start + sentence_start, "end": mention.end + sentence_start}
                )
            )
    return _year_ago_quarters(_longest_first(candidates))


# "a year ago" after a quarter has been named means that quarter a year before: earnings copy compares
# "third-quarter profit rose to $5 million from $3 million a year earlier". "Last year" names the year
# itself more often, even there (TimeBank+AQUAINT date value 0.877 -> 0.879 with it left out).
_YEAR_AGO = re.compile(
    r"(?i:\b(?:a\s+year\s+(?:ago|earlier|before)|year-(?:earlier|ago)|the\s+previous\s+year|"
    r"the\s+prior\s+year)\b)"
)
_QUARTER_VALUE = re.compile(r"^(\d{4})-([QH])(\d)$")
_DISCOURSE_WINDOW = 400  # characters back to the quarter a year-ago phrase refers to


def _year_ago_quarters(mentions: list[DateMention]) -> list[DateMention]:
    resolved: list[DateMention] = []
    named_quarters = [m for m in mentions if _QUARTER_VALUE.match(m.value)]  # before any is re-dated
    for mention in mentions:
        quarter = next(
            (
                _QUARTER_VALUE.match(earlier.value)
                for earlier in reversed(named_quarters)
                if earlier.end <= mention.start
                and mention.start - earlier.end <= _DISCOURSE_WINDOW
                and _QUARTER_VALUE.match(earlier.value)
            ),
            None,
        )
        if quarter is not None and mention.precision == "year" and _YEAR_AGO.search(mention.text):
            value = f"{int(quarter.group(1)) - 1}-{quarter.group(2)}{quarter.group(3)}"
            mention = mention.model_copy(update={"value": value, "precision": "quarter"})
        resolved.append(mention)
    return resolved


def _tense(cues: list[tuple[int, int, bool]], start: int, end: int) -> _Context | None:
    """The cue that governs a date: the last one before it, as English puts the verb ahead of its time
    adjunct ("said on Wednesday that talks will resume Friday"), else the first one after it ("On
    Friday, police arrested"). Never a cue inside the expression ("last Friday" is not a past tense)."""
    before = [cue for cue in cues if cue[1] <= start]
    if before:
        return _Context(None, before[-1][2], True)
    after = [cue for cue in cues if cue[0] >= end]
    if not after:
        return None
    return _Context(None, after[0][2], True)


_QUOTATION = re.compile(r"``.*?''|\"[^\"]*\"|“[^”]*”", re.DOTALL)


def _quotations(sentence: str) -> list[tuple[int, int]]:
    return [m.span() for m in _QUOTATION.finditer(sentence)]


def _within_quotation(
    cues: list[tuple[int, int, bool]], quotations: list[tuple[int, int]], start: int, end: int
) -> list[tuple[int, int, bool]]:
    """A date inside a quotation takes its tense from the quoted words, not from "said" outside them:
    in '"He will leave at 4 a.m. Thursday," Castro said' Thursday is to come."""
    for quote_start, quote_end in quotations:
        if quote_start <= start and end <= quote_end:
            quoted = [cue for cue in cues if quote_start <= cue[0] and cue[1] <= quote_end]
            return quoted or cues
    return cues


def _scan(
    sentence: str, published: date | None, cues: list[tuple[int, int, bool]], quotations: list[tuple[int, int]]
) -> Iterator[DateMention]:
    for pattern, resolver in _RULES:
        for match in pattern.finditer(sentence):
            tense = _tense(_within_quotation(cues, quotations, match.start(), match.end()), match.start(), match.end())
            context = _Context(published, tense.future if tense else False, tense is not None)
            resolved = resolver(match, context)
            if resolved is None:
                continue
            start, end = match.span("span") if "span" in pattern.groupindex else match.span()
            yield DateMention(text=sentence[start:end], start=start, end=end, value=resolved[0], precision=resolved[1])


def _longest_first(candidates: list[DateMention]) -> list[DateMention]:
    """Overlapping matches resolve to the longest; the earlier rule wins a tie (sort is stable)."""
    kept: list[DateMention] = []
    for mention in sorted(candidates, key=lambda m: m.end - m.start, reverse=True):
        if all(mention.end <= other.start or mention.start >= other.end for other in kept):
            kept.append(mention)
    return sorted(kept, key=lambda m: m.start)


# ---- calendar helpers -------------------------------------------------------------------------


def _day(value: date) -> tuple[str, DatePrecision]:
    return value.isoformat(), "day"


def _week(value: date) -> tuple[str, DatePrecision]:
    year, week, _ = value.isocalendar()
    return f"{year}-W{week:02d}", "week"


def _month(year: int, month: int) -> tuple[str, DatePrecision]:
    return f"{year:04d}-{month:02d}", "month"


def _year(year: int) -> tuple[str, DatePrecision]:
    return f"{year:04d}", "year"


def _month_number(token: str) -> int:
    return _MONTH_NUMBERS[token.rstrip(".").lower()]


def _number(token: str) -> int:
    token = token.lower()
    return int(token) if token.isdigit() else _NUMBER_WORDS[token]


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _shift_months(value: date, months: int) -> tuple[int, int]:
    index = value.year * 12 + value.month - 1 + months
    return index // 12, index % 12 + 1


# How far a day or month may lie on the other side of publication from its tense. Past tense keeps a
# season's slack, as a past-tense verb often reports what is set for the months ahead ("said the plant
# closes in January"); a future-tense date seldom lies behind publication ("will fly ... in December",
# told in March). TimeBank+AQUAINT date value 0.900 with a future slack of 92 days or 31; worse with
# a past slack under 92.
_PAST_SLACK = timedelta(days=92)
_FUTURE_SLACK = timedelta(days=31)


def _nearest_year(month: int, day: int, context: _Context) -> int | None:
    """A day and month without a year: the nearest such day to publication, on the side the tense
    points to, within that side's slack."""
    published = context.published
    if published is None:
        return None
    options: list[tuple[int, date]] = []
    for year in (published.year - 1, published.year, published.year + 1):
        candidate = _safe_date(year, month, day) or date(year, month, 28)
        if context.tensed and context.future and candidate < published - _FUTURE_SLACK:
            continue
        if context.tensed and not context.future and candidate > published + _PAST_SLACK:
            continue
        options.append((year, candidate))
    if not options:
        return published.year
    return min(options, key=lambda option: abs((option[1] - published).days))[0]


def _relative_day_year(month: int, day: int, published: date, *, forward: bool) -> int:
    """The year of the first such day after publication (`forward`), or of the last one before it."""
    years = range(published.year - 1, published.year + 2)
    for year in years if forward else reversed(years):
        candidate = _safe_date(year, month, day) or date(year, month, 28)
        if (candidate > published) if forward else (candidate < published):
            return year
    return published.year


def _month_year(month: int, relation: str, context: _Context) -> int | None:
    published = context.published
    if published is None:
        return None
    if relation == "last":
        return published.year if month < published.month else published.year - 1
    if relation == "next":
        return published.year if month > published.month else published.year + 1
    if relation == "this":
        return published.year
    return _nearest_year(month, 15, context)


def _quarter_of(value: date) -> tuple[int, int]:
    return value.year, (value.month - 1) // 3 + 1


def _previous_quarter(year: int, quarter: int) -> tuple[int, int]:
    return (year, quarter - 1) if quarter > 1 else (year - 1, 4)


# ---- rules -------------------------------------------------------------------------------------


def _month_day_year(match: re.Match[str], context: _Context) -> tuple[str, DatePrecision] | None:
    month = _month_number(match.group("month"))
    day = int(re.sub(r"\D", "", match.group("day")))
    relation = (match.groupdict().get("rel") or "").lower()
    if match.group("year"):
        year: int | None = int(match.group("year"))
    elif relation in ("last", "next") and context.published is not None:
        # "last Oct. 23" is the latest Oct. 23 before publication, "next" the first one after
        year = _relative_day_year(month, day, context.published, forward=relation == "next")
    else:
        year = _nearest_year(month, day, context)
    if year is None:
        return None
    resolved = _safe_date(year, month, day)
    return _day(resolved) if resolved else None


def _iso_day(match: re.Match[str], _: _Context) -> tuple[str, DatePrecision] | None:
    resolved = _safe_date(int(match.group("year")), int(match.group("month")), int(match.group("day")))
    return _day(resolved) if resolved else None


def _numeric_day(match: re.Match[str], context: _Context) -> tuple[str, DatePrecision] | None:
    first, second = int(match.group("first")), int(match.group("second"))
    year_text = match.group("year")
    # US order (month/day) unless the first number cannot be a month; without a year, only an
    # unambiguous day-first pair ("22/03") is a date: "3/4" is as likely a fraction.
    if year_text is None and not (first > 12 >= second):
        return None
    month, day = (second, first) if first > 12 else (first, second)
    if year_text is None:
        year = _nearest_year(month, day, context)
        if year is None:
            return None
    else:
        year = int(year_text)
        if year < 100:
            year += 1900 if year >= 50 else 2000
    resolved = _safe_date(year, month, day)
    return _day(resolved) if resolved else None


def _month_with_year(match: re.Match[str], _: _Context) -> tuple[str, DatePrecision] | None:
    return _month(_year_number(match.group("year")), _month_number(match.group("month")))


def _month_of_relative_year(match: re.Match[str], context: _Context) -> tuple[str, DatePrecision] | None:
    if context.published is None:
        return None
    offset = {"last": -1, "next": 1}.get(match.group("rel").lower(), 0)
    return _month(context.published.year + offset, _month_number(match.group("month")))


def _month_alone(match: re.Match[str], context: _Context) -> tuple[str, DatePrecision] | None:
    relation = (match.group("rel") or "").lower()
    month_token = match.group("month")
    if (
        not relation
        and not match.group("prep")
        and (
            month_token.rstrip(".") in ("May", "March", "Mar")
            or (len(month_token) <= 4 and not month_token.endswith("."))
        )
    ):
        return None  # "May" and "March" alone are as often a verb or a name, "Jan" a first name
    year = _month_year(_month_number(month_token), relation, context)
    return _month(year, _month_number(month_token)) if year is not None else None


def _year_alone(match: re.Match[str], _: _Context) -> tuple[str, DatePrecision] | None:
    return _year(_year_number(match.group("year")))


_WORD_VALUES = {
    **{word: value for value, word in enumerate(_UNITS.split("|"), 1)},
    **{word: value for value, word in enumerate(_TEENS.split("|"), 10)},
    **{word: value for value, word in enumerate(_TENS.split("|"), 2)},  # tens digit
}


def _year_number(text: str) -> int:
    """1996 from "1996" or "nineteen ninety-six"; 2000 from "two thousand"."""
    if text.isdigit():
        return int(text)
    words = text.lower().replace("-", " ").split()
    if words[:2] == ["two", "thousand"]:
        return 2000 + (_WORD_VALUES.get(words[-1], 0) if len(words) > 2 else 0)
    century = 1900 if words[0] == "nineteen" else 2000
    rest = words[1:]
    if rest == ["hundred"]:
        return century
    if rest[0] in _TENS.split("|"):
        return century + 10 * _WORD_VALUES[rest[0]] + (_WORD_VALUES[rest[1]] if len(rest) > 1 else 0)
    return century + _WORD_VALUES[rest[0]]


def _decade(match: re.Match[str], context: _Context) -> tuple[str, DatePrecision] | None:
    digits = match.group("decade")
    if len(digits) == 2:  # "the '80s"
        if context.published is None:
            return None
        century = context.published.year // 100
        if int(digits) > context.published.year % 100:
            century -= 1
        digits = f"{century}{digits}"
    return digits[:3], "decade"


def _century(match: re.Match[str], _: _Context) -> tuple[str, DatePrecision] | None:
    return f"{int(match.group('century')) - 1:02d}", "century"


def _relative_day(match: re.Match[str], context: _Context) -> tuple[str, DatePrecision] | None:
    if context.published is None:
        return None
    phrase = " ".join(match.group(0).lower().split())
    offset = 0
    if "day before yesterday" in phrase:
        offset = -2
    elif "day after tomorrow" in phrase:
        offset = 2
    elif "yesterday" in phrase or phrase == "last night":
        offset = -1
    elif "tomorrow" in phrase:
        offset = 1
    return _day(context.published + timedelta(days=offset))


def _weekday(match: re.Match[str], context: _Context) -> tuple[str, DatePrecision] | None:
    published = context.published
    if published is None:
        return None
    relation = (match.group("rel") or "").lower()
    weekday = _WEEKDAY_NUMBERS[match.group("weekday").lower()]
    if relation in ("next", "coming") or (context.future and relation not in ("last", "past")):
        ahead = (weekday - published.weekday()) % 7
        if relation == "next" and ahead == 0:
            ahead = 7
        return _day(published + timedelta(days=ahead))
    back = (published.weekday() - weekday) % 7
    if relation == "last" and back == 0:
        back = 7
    return _day(published - timedelta(days=back))


def _relative_unit(match: re.Match[str], context: _Context) -> tuple[str, DatePrecision] | None:
    """this/last/next/the coming/the previous week, weekend, month or year."""
    published = context.published
    if published is None:
        return None
    relation = " ".join(match.group("rel").lower().split())
    unit = match.group("unit").lower()
    if unit == "quarter" and relation in ("the", "the same", "the previous", "the prior", "the past"):
        return None  # the last one reported: see _the_quarter
    step = {"last": -1, "previous": -1, "prior": -1, "past": -1, "next": 1, "coming": 1, "following": 1}
    offset = next((value for word, value in step.items() if relation.endswith(word)), 0)
    if unit == "week":
        return _week(published + timedelta(weeks=offset))
    if unit == "weekend":
        if offset == 0 and not context.future and published.weekday() < 5:
            offset = -1  # "the weekend" told on a weekday, in the past tense, is the one just gone
        value, _ = _week(published + timedelta(weeks=offset))
        return f"{value}-WE", "week"
    if unit == "month":
        return _month(*_shift_months(published, offset))
    if unit == "quarter":
        year, quarter = _quarter_of(published)
        for _ in range(abs(offset)):
            year, quarter = _previous_quarter(year, quarter) if offset < 0 else _next_quarter(year, quarter)
        return f"{year}-Q{quarter}", "quarter"
    return _year(published.year + offset)


def _next_quarter(year: int, quarter: int) -> tuple[int, int]:
    return (year, quarter + 1) if quarter < 4 else (year + 1, 1)


def _ago(match: re.Match[str], context: _Context) -> tuple[str, DatePrecision] | None:
    published = context.published
    if published is None:
        return None
    amount = _number(match.group("amount"))
    unit = match.group("unit").lower().rstrip("s")
    sign = 1 if match.group("direction").lower() in ("from now", "later", "hence") else -1
    if unit == "day":
        return _day(published + timedelta(days=sign * amount))
    if unit == "week":
        return _week(published + timedelta(weeks=sign * amount))
    if unit == "month":
        return _month(*_shift_months(published, sign * amount))
    return _year(published.year + sign * amount)


def _year_relative(match: re.Match[str], context: _Context) -> tuple[str, DatePrecision] | None:
    """ "the previous year", "a year earlier", "the year before": the year before publication."""
    return _year(context.published.year - 1) if context.published else None


def _quarter(match: re.Match[str], context: _Context) -> tuple[str, DatePrecision] | None:
    quarter = _ORDINALS[match.group("ordinal").lower()]
    half = match.group("unit").lower().startswith("half")
    if match.group("year") or match.group("year_before"):
        year = int(match.group("year") or match.group("year_before"))
    else:
        published = context.published
        if published is None:
            return None
        year = published.year
        relation = (match.group("rel") or "").lower()
        if relation.startswith("last") or relation.startswith("a year") or match.group("ago"):
            year -= 1
        elif relation.startswith("next"):
            year += 1
        elif not relation:
            # "the third quarter" in a report of October is this year's; the fourth quarter named in
            # January is the one that has just ended.
            start_month = (quarter - 1) * (6 if half else 3) + 1
            if date(year, start_month, 1) > published and not context.future:
                year -= 1
    return (f"{year}-H{quarter}", "quarter") if half else (f"{year}-Q{quarter}", "quarter")


def _the_quarter(match: re.Match[str], context: _Context) -> tuple[str, DatePrecision] | None:
    """ "the quarter", "the latest quarter": the last one reported, i.e. the one before publication's."""
    if context.published is None:
        return None
    year, quarter = _previous_quarter(*_quarter_of(context.published))
    if "year" in match.group(0).lower():  # "the year-earlier quarter"
        year -= 1
    return f"{year}-Q{quarter}", "quarter"


def _season(match: re.Match[str], context: _Context) -> tuple[str, DatePrecision] | None:
    code = _SEASONS[match.group("season").lower()]
    if not (match.group("rel") or match.group("prep") or match.group("year")):
        return None  # "prices fall", "a harsh winter": a season is a date only when the text places it
    if match.group("year"):
        return f"{_year_number(match.group('year'))}-{code}", "season"
    published = context.published
    if published is None:
        return None
    relation = (match.group("rel") or "").lower()
    year = published.year
    started = date(year, _SEASON_START[code], 1) <= published
    if relation == "last":
        year = year if started and code != "WI" else year - 1
    elif relation == "next":
        year = year + 1 if started else year
    elif relation != "this" and not started and not context.future:
        year -= 1
    return f"{year}-{code}", "season"


def _fourth_thursday_of_november(year: int) -> date:
    first = date(year, 11, 1)
    return first + timedelta(days=(3 - first.weekday()) % 7 + 21)


def _election_day(year: int) -> date:
    """The Tuesday after the first Monday of November (US federal elections)."""
    first = date(year, 11, 1)
    first_monday = first + timedelta(days=(0 - first.weekday()) % 7)
    return first_monday + timedelta(days=1)


_HOLIDAYS: dict[str, Callable[[int], date]] = {
    "christmas eve": lambda year: date(year, 12, 24),
    "christmas day": lambda year: date(year, 12, 25),
    "christmas": lambda year: date(year, 12, 25),
    "new year's eve": lambda year: date(year, 12, 31),
    "new year's day": lambda year: date(year, 1, 1),
    "independence day": lambda year: date(year, 7, 4),
    "the fourth of july": lambda year: date(year, 7, 4),
    "halloween": lambda year: date(year, 10, 31),
    "valentine's day": lambda year: date(year, 2, 14),
    "thanksgiving day": _fourth_thursday_of_november,
    "thanksgiving": _fourth_thursday_of_november,
    "election day": _election_day,
}
_HOLIDAY_NAMES = "|".join(re.escape(name).replace("\\ ", r"\s+") for name in _HOLIDAYS)


def _holiday(match: re.Match[str], context: _Context) -> tuple[str, DatePrecision] | None:
    published = context.published
    if published is None:
        return None
    rule = _HOLIDAYS[" ".join(match.group("holiday").lower().split())]
    relation = (match.group("rel") or "").lower()
    options = [rule(year) for year in (published.year - 1, published.year, published.year + 1)]
    if relation == "last":
        options = [day for day in options if day < published]
        return _day(max(options)) if options else None
    if relation == "next":
        options = [day for day in options if day > published]
        return _day(min(options)) if options else None
    return _day(min(options, key=lambda day: abs((day - published).days)))


def _year_part(match: re.Match[str], context: _Context) -> tuple[str, DatePrecision] | None:
    """ "the end of the year", "earlier this year", "late next year": the year itself."""
    if match.group("year"):
        return _year(int(match.group("year")))
    if context.published is None:
        return None
    relation = (match.group("rel") or "").lower()
    offset = {"last": -1, "next": 1}.get(relation, 0)
    return _year(context.published.year + offset)


def _reference(kind: str) -> Resolver:
    def resolve(_: re.Match[str], __: _Context) -> tuple[str, DatePrecision] | None:
        return kind, "reference"

    return resolve


_MONTH_PREPOSITIONS = (
    "in|since|by|until|till|through|during|before|after|from|of|to|early|late|mid-?|the end of|"
    "the beginning of|the start of|the middle of|the first half of|the second half of"
)
_NOT_DIGIT_BEFORE = r"(?<![\d$£€.,/:-])"
_NOT_DIGIT_AFTER = r"(?![\d%]|,\d|\.\d|\s*(?:%|percent|per\s+cent))"

_RULES: list[tuple[re.Pattern[str], Resolver]] = [
    (
        re.compile(
            rf"\b{_WEEKDAY},?\s+(?:the\s+)?(?P<month>{_MONTH})\s+(?P<day>{_DAY})\b(?:,?\s+(?P<year>{_YEAR})\b)?"
        ),
        _month_day_year,
    ),
    (
        re.compile(
            rf"\b(?:(?P<rel>{_I.format('last|next|this')})\s+)?(?P<month>{_MONTH})\s+(?P<day>{_DAY})\b(?!:)"
            rf"(?:,?\s+(?P<year>{_YEAR})\b)?"
        ),
        _month_day_year,
    ),
    (
        re.compile(rf"\b(?P<day>{_DAY})\s+(?:of\s+)?(?P<month>{_MONTH})(?:,?\s+(?P<year>{_YEAR}))?\b"),
        _month_day_year,
    ),
    (re.compile(rf"\b(?P<year>{_YEAR})-(?P<month>[01]\d)-(?P<day>[0-3]\d)\b"), _iso_day),
    (
        re.compile(
            rf"{_NOT_DIGIT_BEFORE}\b(?P<first>[0-3]?\d)/(?P<second>[0-3]?\d)(?:/(?P<year>{_YEAR}|\d\d))?\b(?!/)"
        ),
        _numeric_day,
    ),
    (re.compile(rf"\b(?P<month>{_MONTH}),?\s+(?:of\s+)?(?P<year>{_YEAR})\b"), _month_with_year),
    (re.compile(rf"\b(?P<month>{_MONTH})\s+(?:of\s+)?(?P<rel>(?i:this|last|next))\s+year\b"), _month_of_relative_year),
    (
        re.compile(
            rf"(?:\b(?P<prep>{_I.format(_MONTH_PREPOSITIONS)})\s+)?"
            rf"(?P<span>(?:(?P<rel>{_I.format('last|next|this|early|late|mid-?')})\s*)?\b(?P<month>{_MONTH}))(?!\s*\d|\s+(?:of\s+)?{_YEAR})\b"
        ),
        _month_alone,
    ),
    (
        re.compile(r"(?i:\b(?P<span>(?:the\s+)?(?:early|mid-?|late)?\s*(?P<decade>(?:1[6-9]|20)\d0|'\d0)'?s))\b"),
        _decade,
    ),
    (re.compile(r"(?i:\b(?:the\s+)?(?P<century>\d{1,2})(?:st|nd|rd|th)\s+century)\b"), _century),
    (
        re.compile(
            r"(?i:\b(?:the\s+day\s+before\s+yesterday|the\s+day\s+after\s+tomorrow|yesterday|tomorrow|"
            r"today|tonight|(?:earlier|later)\s+today|this\s+(?:morning|afternoon|evening)|last\s+night)\b)"
        ),
        _relative_day,
    ),
    (
        re.compile(
            rf"\b(?:(?P<rel>{_I.format('last|next|this|past|coming|early|late')})\s+)?(?P<weekday>{_WEEKDAY})"
            rf"(?:\s+(?i:morning|afternoon|evening|night))?\b"
        ),
        _weekday,
    ),
    (
        re.compile(
            r"(?i:\b(?P<rel>this|last|next|(?:the\s+)?(?:previous|prior|past|coming|following|current|same)|"
            r"earlier\s+this|later\s+this|(?:early|late)\s+(?:this|last|next)|the)\s+"
            r"(?P<unit>week|weekend|month|year|quarter)(?![-\s](?:earlier|ago|old|long)))\b"
        ),
        _relative_unit,
    ),
    (
        re.compile(
            rf"(?i:\b(?P<amount>{_NUMBER})\s+(?P<unit>days?|weeks?|months?|years?)\s+"
            r"(?P<direction>ago|earlier|before|later|from\s+now|hence))\b"
        ),
        _ago,
    ),
    (
        re.compile(
            r"(?i:\b(?:the\s+(?:previous|prior)\s+year|a\s+year\s+(?:earlier|before)|the\s+year\s+before|"
            r"(?:the\s+)?year-(?:earlier|ago)(?:\s+(?:period|quarter|level|results?|figures?))?))\b"
        ),
        _year_relative,
    ),
    (
        re.compile(
            r"(?i:\b(?P<span>(?:(?P<rel>this|last|next|a\s+year\s+earlier)\s+year's\s+|"
            r"the\s+(?:(?P<ago>year-ago|year-earlier|comparable\s+year-ago|previous\s+year's)\s+)?)?"
            rf"(?:(?P<year_before>{_YEAR})\s+)?"
            r"(?P<ordinal>first|second|third|fourth|1st|2nd|3rd|4th|final)[-\s]+(?P<unit>quarter|half)"
            rf"(?:\s+of\s+(?:(?:fiscal|calendar)\s+)?(?P<year>{_YEAR}))?))\b"
        ),
        _quarter,
    ),
    (
        re.compile(r"(?i:\bthe\s+(?:latest|recent|most\s+recent|just-ended|year-earlier|year-ago|same)?\s*quarter)\b"),
        _the_quarter,
    ),
    (
        re.compile(
            r"(?i:(?:\b(?P<prep>in|during|by|until|through|since)\s+)?\b(?P<span>(?:(?P<rel>this|last|next|the|early|late)\s+)?"
            rf"(?P<season>spring|summer|fall|autumn|winter)(?:\s+of\s+(?P<year>{_YEAR}|{_SPELLED_YEAR}))?)\b)"
        ),
        _season,
    ),
    (
        re.compile(
            r"(?i:\b(?:(?:the\s+)?(?:end|beginning|start|middle|rest|remainder)\s+of\s+|early\s+|late\s+|mid-|"
            r"earlier\s+|later\s+)(?:(?P<rel>this|last|next|the)\s+year|(?P<year>(?:1[6-9]|20)\d\d))\b)"
        ),
        _year_part,
    ),
    (
        re.compile(
            rf"{_NOT_DIGIT_BEFORE}\b(?P<span>(?i:(?:fiscal|calendar|model|the\s+year|fiscal\s+year)\s+)?(?P<year>{_YEAR})){_NOT_DIGIT_AFTER}"
        ),
        _year_alone,
    ),
    (
        re.compile(rf"\b(?P<span>(?i:the\s+year\s+)?(?P<year>{_SPELLED_YEAR}))\b"),
        _year_alone,
    ),
    (
        re.compile(rf"\b(?P<month>{_MONTH})\s+(?:of\s+)?(?P<year>{_SPELLED_YEAR})\b"),
        _month_with_year,
    ),
    (re.compile(rf"(?i:\b(?:(?P<rel>last|next|this)\s+)?(?P<holiday>{_HOLIDAY_NAMES}))\b"), _holiday),
    (
        re.compile(r"(?i:\b(?:now|currently|right\s+now|at\s+present|these\s+days|nowadays|at\s+the\s+moment)\b)"),
        _reference("PRESENT_REF"),
    ),
    (
        re.compile(
            r"(?i:\b(?:recently|previously|lately|more\s+recently|the\s+past(?!\s+(?:\w+\s+)?(?:days?|weeks?|months?|years?|decades?|hours?|quarters?))|"
            r"recent\s+(?:days|weeks|months|years))\b)"
        ),
        _reference("PAST_REF"),
    ),
    (
        re.compile(
            r"(?i:\b(?:the\s+(?:near\s+)?future|the\s+(?:near|short)\s+term|soon|coming\s+(?:days|weeks|months|years)))\b"
        ),
        _reference("FUTURE_REF"),
    ),
]

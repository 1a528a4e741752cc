"""Casualty and arrest counts: "at least 23 civilians were shot dead", "Twenty-three people", "dozens".

Each count is tied to the verb that gives it its category (killed, injured, arrested), which also groups
counts that share one verb ("34 soldiers as well as 12 suspected army deserters were killed") and tells
apart counts that belong to different occurrences in one sentence. Running totals ("3,500 people have been
killed in Assad's crackdown", "since March") are flagged cumulative so that they never pose as a new event.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from ...common.models import Count, Counts, Qualifier

Category = Literal["killed", "injured", "arrested"]

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90,
}  # fmt: skip
_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
# Vague quantities: (lower bound, upper bound) of what the word can mean.
_VAGUE = {
    "dozens": (24, None),
    "scores": (40, None),
    "hundreds": (200, None),
    "thousands": (2000, None),
    "several": (3, 9),
    "a few": (2, 5),
    "a handful": (2, 5),
    "tens": (20, 99),
}
_SPECIAL = {"a dozen": 12, "dozen": 12, "a score": 20, "a couple of": 2, "a hundred": 100, "a thousand": 1000}

_WORD_NUMBER = (
    r"(?:(?:" + "|".join(sorted([*_TENS, *_UNITS], key=len, reverse=True)) + r")"
    r"(?:[-\s](?:" + "|".join(_UNITS) + r"))?"
    r"(?:\s+(?:hundred|thousand|million)(?:\s+(?:and\s+)?(?:" + "|".join([*_TENS, *_UNITS]) + r")"
    r"(?:-(?:" + "|".join(_UNITS) + r"))?)?)?)"
)
_DIGITS = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\s+(?:thousand|million))?"
_SPECIAL_RE = "|".join(re.escape(k) for k in sorted(_SPECIAL, key=len, reverse=True))
_VAGUE_RE = "|".join(re.escape(k) for k in sorted(_VAGUE, key=len, reverse=True))
_NUMBER = rf"(?:{_DIGITS}|{_WORD_NUMBER}|{_SPECIAL_RE})"

_QUALIFIERS: dict[str, Qualifier] = {
    "at least": "at_least", "no fewer than": "at_least", "no less than": "at_least", "a minimum of": "at_least",
    "more than": "more_than", "over": "more_than", "upwards of": "more_than",
    "about": "about", "around": "about", "some": "about", "approximately": "about", "nearly": "about",
    "almost": "about", "roughly": "about", "an estimated": "about", "close to": "about",
    "up to": "up_to", "as many as": "up_to", "at most": "up_to",
    "fewer than": "fewer_than", "less than": "fewer_than", "under": "fewer_than",
}  # fmt: skip
_QUALIFIER_RE = "|".join(re.escape(k) for k in sorted(_QUALIFIERS, key=len, reverse=True))

_QUANTITY = re.compile(
    rf"(?<![\w,.])(?:(?P<qual>{_QUALIFIER_RE})\s+)?"
    rf"(?:between\s+(?P<lo_b>{_NUMBER})\s+and\s+(?P<hi_b>{_NUMBER})"
    rf"|(?P<lo>{_NUMBER})(?:\s*(?:to|-|–|or)\s*(?P<hi>{_NUMBER}))?"
    rf"|(?P<vague>{_VAGUE_RE})(?:\s+of)?)"
    rf"(?![\w,]*\d)(?=[\s,.;:)'\"’]|$)",
    re.IGNORECASE,
)

# Victim nouns, most specific first; the value is the victim kind reported in the count.
_VICTIM_NOUNS: dict[str, str] = {
    "army deserters": "deserters", "deserters": "deserters", "defectors": "defectors",
    "soldiers": "soldiers", "troops": "soldiers", "servicemen": "soldiers", "security personnel": "security forces",
    "members of the security forces": "security forces", "security forces": "security forces",
    "policemen": "police", "police officers": "police", "police": "police", "officers": "police",
    "protesters": "protesters", "protestors": "protesters", "demonstrators": "protesters",
    "civilians": "civilians", "children": "children", "women": "women", "students": "students",
    "rebels": "rebels", "fighters": "fighters", "militants": "militants", "insurgents": "militants",
    "gunmen": "militants", "activists": "activists", "journalists": "journalists",
    "people": "people", "persons": "people", "residents": "civilians", "villagers": "civilians",
    "worshippers": "civilians", "pilgrims": "civilians", "prisoners": "prisoners", "detainees": "prisoners",
    "migrants": "migrants", "refugees": "refugees", "workers": "workers", "members": "members",
    "person": "people", "civilian": "civilians", "soldier": "soldiers", "protester": "protesters",
    "child": "children", "policeman": "police", "man": "people", "men": "people", "woman": "women",
    "brothers": "people", "sisters": "women", "sons": "people", "youths": "people", "youngsters": "people",
    "boys": "children", "girls": "children", "teenagers": "children", "individuals": "people",
    "passengers": "civilians", "bystanders": "civilians", "passers-by": "civilians", "tourists": "civilians",
    "farmers": "civilians", "traders": "civilians", "shopkeepers": "civilians", "labourers": "workers",
    "laborers": "workers", "devotees": "civilians", "guards": "security forces",
}  # fmt: skip
_VICTIM_RE = "|".join(re.escape(k) for k in sorted(_VICTIM_NOUNS, key=len, reverse=True))
# What may sit between the number and the victim noun: "other", "suspected army", "unarmed".
_NOUN_AFTER = re.compile(
    rf"\s+(?P<mods>(?:(?:other|more|suspected|unarmed|armed|innocent|young|civilian|syrian|army|"
    rf"pro-\w+|anti-\w+|government|opposition|[a-z]+-[a-z]+)\s+){{0,3}})(?P<noun>{_VICTIM_RE})\b",
    re.IGNORECASE,
)
# "soldiers and police": a second victim noun coordinated with the first.
_MORE_NOUNS = re.compile(rf"\s+(?:and|or)\s+(?:other\s+)?(?P<noun>{_VICTIM_RE})\b", re.IGNORECASE)
# "23 dead", "4 killed", "12 wounded", "77 deaths" — the category word right after the number.
_DIRECT_VERB = re.compile(
    r"\s+(?:(?:were|have been|had been|was|are|being)\s+)?"
    r"(?P<verb>dead|killed|died|slain|deaths|fatalities|wounded|injured|hurt|arrested|detained)\b",
    re.IGNORECASE,
)

_CATEGORY_VERBS: list[tuple[Category, re.Pattern[str]]] = [
    (
        "killed",
        re.compile(
            r"\b(?:killed|killing|kills|shot\s+dead|shot\s+and\s+killed|gunned\s+down|slain|slaughtered|"
            r"massacred|executed|murdered|dead|died|death\s+toll|lost\s+their\s+lives|bodies|"
            r"lives\s+were\s+lost|perished)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "injured",
        re.compile(r"\b(?:wounded|wounding|injured|injuring|injuries|hurt|maimed)\b", re.IGNORECASE),
    ),
    (
        "arrested",
        re.compile(
            r"\b(?:arrested|arresting|arrests|detained|detaining|detentions|nabbed|booked|rounded\s+up|taken\s+into\s+"
            r"custody|imprisoned|jailed|abducted|kidnapped|in\s+jail|detainees|prisoners)\b",
            re.IGNORECASE,
        ),
    ),
]
_MONTHS = r"january|february|march|april|may|june|july|august|september|october|november|december"
_PERIOD_NOUNS = r"crackdown|uprising|conflict|war|revolt|revolution|insurgency|unrest"
# Running totals and period tolls: "since March", "so far this year", "in Assad's crackdown", "since the
# uprising began", "over the past 24 hours" when it sums separate incidents.
_CUMULATIVE = re.compile(
    rf"\b(?:since\s+(?:the\s+)?(?:start|beginning|outbreak|uprising|unrest|protests|revolt|conflict|war|"
    rf"revolution|insurgency|crackdown|{_MONTHS}|\d{{4}}|(?:\w+\s+){{0,3}}(?:began|started|broke\s+out|erupted))|"
    rf"in\s+total|so\s+far|to\s+date|in\s+all|this\s+year|(?:last|past)\s+year|overall\s+death\s+toll|"
    rf"death\s+toll\s+(?:since|of\s+the)|(?:total|tally|toll)\s+(?:to|of)\s+(?:at\s+least\s+)?\d|"
    rf"bringing\s+(?:the\s+)?(?:total|toll|death\s+toll|number)|"
    rf"(?:'s|’s|the|an?|this|its)\s+(?:(?:\w+|\w+-\w+)\s+){{0,2}}(?:{_PERIOD_NOUNS})\b(?!\s+(?:on|in)\s+\w+day)|"
    rf"(?:over|in|during)\s+the\s+(?:past|last)\s+(?:\d+|\w+)\s+(?:weeks|months|years)|"
    rf"have\s+(?:now\s+)?been\s+killed\s+(?:in|during)\s+(?:the\s+)?(?:\w+\s+)?(?:{_PERIOD_NOUNS}|months))",
    re.IGNORECASE,
)
# A day's window is a period toll only when it sums separate incidents.
_DAY_WINDOW = re.compile(r"\b(?:over|in|during)\s+(?:the\s+)?(?:past|last)\s+(?:24|48|72)\s+hours\b", re.IGNORECASE)
_SEVERAL_INCIDENTS = re.compile(
    r"\b(?:separate|several|different|various|multiple|a\s+(?:series|string|wave|spate)\s+of)\s+(?:\w+\s+)?"
    r"(?:attacks|incidents|bombings|blasts|explosions|clashes|raids|shootings|strikes|places|towns|cities|areas)\b|"
    # a day's toll spread over a country: "killed in violence across Syria over the past 24 hours"
    r"\bacross\s+(?:the\s+)?(?:country|nation|region|province|(?-i:[A-Z][\w-]+))\b|\bnationwide\b|"
    r"\b(?:around|throughout)\s+the\s+(?:country|nation|region|province)\b",
    re.IGNORECASE,
)
# ", bringing the toll since March to 3,500": what follows frames a tally, not this count.
_TALLY_FRAMING = re.compile(r",\s+(?:bringing|raising|taking|pushing|putting|lifting)\b", re.IGNORECASE)
_FRONTED_ADVERBIAL = re.compile(r"^\s*(?:over|in|during|since|so\s+far|throughout)\b[^,;]{0,60},", re.IGNORECASE)
# "the deadliest day since the uprising began" compares one day with a period; it is not a tally.
_SUPERLATIVE_BEFORE = re.compile(
    r"\b(?:deadliest|bloodiest|worst|biggest|largest|heaviest|highest|first|most\s+\w+)\b[^,;]{0,40}$", re.IGNORECASE
)
# How many took part: "about 20,000 people took part", "thousands marched", "a crowd of 5,000".
_PARTICIPATION_AFTER = re.compile(
    r"^\s+(?:(?:had|have|has|were|are)\s+)?(?:took\s+part|marched|rallied|gathered|demonstrated|protested|joined|"
    r"turned\s+out|attended|took\s+to\s+the\s+streets|filled|massed|converged|staged|chanted|"
    r"came\s+out|poured|walked\s+out|went\s+on\s+strike|were\s+on\s+strike)\b",
    re.IGNORECASE,
)
_PARTICIPATION_BEFORE = re.compile(
    r"\b(?:crowds?|rall(?:y|ies)|march(?:es)?|protests?|demonstrations?|gatherings?|turnout)\s+of\s+(?:some\s+)?$",
    re.IGNORECASE,
)
_PARTICIPANT_NOUNS = re.compile(
    r"\s+(?:of\s+)?(?:other\s+)?(?P<noun>people|protesters|protestors|demonstrators|marchers|students|"
    r"supporters|workers|unionists|trade\s+unionists|activists|residents|pensioners|teachers|farmers|"
    r"opponents|worshippers|women|youths)\b",
    re.IGNORECASE,
)

# Numbers that are not head counts: times, ages, money, dates, distances, percentages.
_NOT_A_COUNT_AFTER = re.compile(
    r"^\s*(?:[:.]\d|%|percent|per\s+cent|years?|months?|weeks?|days?|hours?|minutes?|km|kilometres?|kilometers?|"
    r"miles?|metres?|meters?|dollars?|euros?|pounds?|am\b|pm\b|a\.m|p\.m|o'clock|tanks?|vehicles?|"
    r"rockets?|shells?|missiles?|times|of\s+the\s+(?:victims|dead)|st\b|nd\b|rd\b|th\b)",
    re.IGNORECASE,
)
_NOT_A_COUNT_BEFORE = re.compile(
    r"(?:\$|€|£|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s*|aged\s*|"
    r"age\s+of\s*|page\s*|no\.\s*|\bno\s+|\d[:.])$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class CountMention:
    """One quantified group of victims in a sentence, with offsets relative to that sentence."""

    category: Category
    value: int
    high: int | None
    qualifier: Qualifier
    victim_kind: str | None
    phrase: str
    start: int
    end: int
    verb_start: int
    cumulative: bool


def parse_number(phrase: str) -> int | None:
    """The integer a number phrase stands for: "1,100" -> 1100, "Twenty-three" -> 23, "a dozen" -> 12."""
    cleaned = " ".join(phrase.lower().replace("-", " ").split())
    if cleaned in _SPECIAL:
        return _SPECIAL[cleaned]
    digits = re.fullmatch(r"(\d{1,3}(?:,\d{3})+|\d+)(?:\s+(thousand|million))?", cleaned)
    if digits:
        return int(digits.group(1).replace(",", "")) * (_SCALES[digits.group(2)] if digits.group(2) else 1)
    total = 0
    current = 0
    seen = False
    for word in cleaned.split():
        if word == "and":
            continue
        if word in _UNITS:
            current += _UNITS[word]
        elif word in _TENS:
            current += _TENS[word]
        elif word in _SCALES:
            scale = _SCALES[word]
            if scale == 100:
                current = max(current, 1) * 100
            else:
                total += max(current, 1) * scale
                current = 0
        else:
            return None
        seen = True
    return total + current if seen else None


def _category_after(text: str, begin: int, limit: int) -> tuple[Category, int] | None:
    """The first category verb in text[begin:limit]: the verb that governs a count before it."""
    best: tuple[Category, int] | None = None
    for category, pattern in _CATEGORY_VERBS:
        match = pattern.search(text, begin, limit)
        if match and (best is None or match.start() < best[1]):
            best = (category, match.start())
    return best


def find_count_mentions(text: str) -> list[CountMention]:
    """Every casualty/arrest count in a sentence, in order of appearance."""
    candidates: list[tuple[re.Match[str], int, int | None, Qualifier, int]] = []
    for match in _QUANTITY.finditer(text):
        if match.group(0).strip() == "":
            continue
        after = text[match.end() :]
        if _NOT_A_COUNT_AFTER.match(after) or _NOT_A_COUNT_BEFORE.search(text[: match.start()]):
            continue
        parsed = _parse_quantity(match)
        if parsed is None:
            continue
        value, high, qualifier = parsed
        # Four-digit years are dates, not people ("in 2011"), unless a victim noun follows.
        candidates.append((match, value, high, qualifier, match.end()))

    mentions: list[CountMention] = []
    for index, (match, value, high, qualifier, end) in enumerate(candidates):
        noun = _NOUN_AFTER.match(text, end)
        direct = _DIRECT_VERB.match(text, end)
        governing = _verb_right_before(text, match.start())
        if noun is None and direct is None and governing is None:
            continue
        if noun is None and 1900 <= value <= 2100:
            continue
        victim_kind = _victim_kind(noun) if noun else None
        phrase_end = noun.end() if noun else end
        if noun is not None:
            more = _MORE_NOUNS.match(text, phrase_end)
            if more is not None:
                extra = _VICTIM_NOUNS[more.group("noun").lower()]
                victim_kind = f"{victim_kind}, {extra}" if victim_kind and extra != victim_kind else extra
                phrase_end = more.end()
        next_start = candidates[index + 1][0].start() if index + 1 < len(candidates) else len(text)
        category_pos: tuple[Category, int] | None
        if governing is not None:
            category_pos = governing
        elif direct is not None:
            category_pos = (_direct_category(direct.group("verb")), direct.start("verb"))
        else:
            category_pos = _category_after(text, phrase_end, len(text))
        if category_pos is None:
            continue
        category, verb_start = category_pos
        # A verb after the next count belongs to that count unless the counts are coordinated
        # ("34 soldiers as well as 12 deserters were killed").
        if verb_start > next_start and not _coordinated(text, phrase_end, next_start):
            continue
        if _is_participation(text, match.start(), phrase_end):
            continue
        clause_end = _clause_end(text, verb_start)
        if next_start > verb_start and not _coordinated(text, phrase_end, next_start):
            # "killed 12 people on Friday, bringing the toll since March to 3,500": the tally is the
            # next count's frame, not this one's.
            clause_end = min(clause_end, next_start)
        framing = _TALLY_FRAMING.search(text, match.start(), clause_end)
        if framing is not None:
            clause_end = framing.start()
        cumulative = is_cumulative(text, match.start(), clause_end)
        mentions.append(
            CountMention(
                category=category,
                value=value,
                high=high,
                qualifier=qualifier,
                victim_kind=victim_kind,
                phrase=text[match.start() : phrase_end],
                start=match.start(),
                end=phrase_end,
                verb_start=verb_start,
                cumulative=cumulative,
            )
        )
    return mentions


def is_cumulative(text: str, start: int = 0, end: int | None = None) -> bool:
    """Whether text[start:end] frames a count as a running total or a period toll rather than one
    occurrence's toll; a superlative comparison ("the deadliest day since March") is not a tally."""
    end = len(text) if end is None else end
    fronted = _FRONTED_ADVERBIAL.match(text)
    if fronted is not None and fronted.end() <= start:
        start = 0  # "Over the past 24 hours, 15 people were killed in separate attacks"
    if _DAY_WINDOW.search(text, start, end) and _SEVERAL_INCIDENTS.search(text):
        return True
    for match in _CUMULATIVE.finditer(text, start, end):
        if not _SUPERLATIVE_BEFORE.search(text, max(0, match.start() - 60), match.start()):
            return True
    return False


# A repeated tally is told apart from a new toll by its size: "12 killed" twice may be two incidents, but a
# figure this large given as a running total in one sentence is that total wherever the article repeats it.
_TALLY_REPEAT_MIN = 20


def article_tallies(sentences: Sequence[str]) -> frozenset[tuple[str, int]]:
    """(category, value) of every running total or period toll in an article, so that a headline or a
    standfirst that repeats it without its framing ("At least 70 people reportedly killed") is read as the
    same tally and not as a new event's toll."""
    return tallies_in([find_count_mentions(sentence) for sentence in sentences])


def tallies_in(mentions_per_sentence: Iterable[Sequence[CountMention]]) -> frozenset[tuple[str, int]]:
    """`article_tallies` from count mentions already found, so assembly reads each sentence once."""
    return frozenset(
        (m.category, m.value)
        for mentions in mentions_per_sentence
        for m in mentions
        if m.cumulative and m.value >= _TALLY_REPEAT_MIN
    )


def as_tallies(mentions: Sequence[CountMention], tallies: frozenset[tuple[str, int]]) -> list[CountMention]:
    """`mentions` with those repeating one of the article's tallies marked cumulative."""
    return [replace(m, cumulative=True) if (m.category, m.value) in tallies else m for m in mentions]


def _is_participation(text: str, start: int, end: int) -> bool:
    """A number of people taking part ("20,000 people took part"), not victims."""
    return bool(
        _PARTICIPATION_AFTER.match(text[end:]) or _PARTICIPATION_BEFORE.search(text[max(0, start - 40) : start])
    )


def find_participants(text: str) -> Count | None:
    """The first head count of a protest or rally in a sentence: "Police said about 20,000 people took part,
    while organisers put the figure at more than 40,000" -> about 20,000 (the first figure given)."""
    for match in _QUANTITY.finditer(text):
        if not match.group(0).strip() or _NOT_A_COUNT_AFTER.match(text[match.end() :]):
            continue
        noun = _PARTICIPANT_NOUNS.match(text, match.end())
        end = noun.end() if noun else match.end()
        if not _is_participation(text, match.start(), end):
            continue
        parsed = _parse_quantity(match)
        if parsed is None:
            continue
        value, high, qualifier = parsed
        if noun is None and 1900 <= value <= 2100:
            continue
        kind = " ".join(noun.group("noun").lower().split()) if noun else None
        return Count(value=value, high=high, qualifier=qualifier, victim_kind=kind, phrase=text[match.start() : end])
    return None


def _parse_quantity(match: re.Match[str]) -> tuple[int, int | None, Qualifier] | None:
    """(value, high, qualifier) of one `_QUANTITY` match, or None when its number does not parse."""
    qualifier: Qualifier = _QUALIFIERS[match.group("qual").lower()] if match.group("qual") else "exact"
    if match.group("vague"):
        value, high = _VAGUE[" ".join(match.group("vague").lower().split())]
        return value, high, "vague"
    parsed = parse_number(match.group("lo") or match.group("lo_b"))
    if parsed is None:
        return None
    high_text = match.group("hi") or match.group("hi_b")
    high = parse_number(high_text) if high_text else None
    if high is not None and high > parsed:
        return parsed, high, "range"
    return parsed, None, qualifier


def _victim_kind(noun: re.Match[str]) -> str:
    kind = _VICTIM_NOUNS[noun.group("noun").lower()]
    if kind == "deserters" and "army" in noun.group("mods").lower():
        return "army deserters"
    return kind


def _verb_right_before(text: str, start: int) -> tuple[Category, int] | None:
    """The verb whose object the count is: "killing at least 12 people", "wounding more than 20"."""
    window = text[max(0, start - 30) : start]
    for category, pattern in _CATEGORY_VERBS:
        for match in pattern.finditer(window):
            gap = window[match.end() :]
            if re.fullmatch(
                r"\s*(?:(?:has\s+|had\s+)?(?:rose|risen|climbed|reached|stood|stands|hit|jumped|increased)\s*)?"
                r"(?:(?:a\s+total\s+of|the\s+lives\s+of|to|at)\s+)?",
                gap,
                re.IGNORECASE,
            ):
                # "booked 3 seats": booking is an arrest only said of people ("14 youths were booked").
                if match.group(0).lower() in ("dead", "died", "detainees", "prisoners", "in jail", "booked"):
                    continue
                return category, max(0, start - 30) + match.start()
    return None


def _direct_category(verb: str) -> Category:
    verb = verb.lower()
    if verb in ("wounded", "injured", "hurt"):
        return "injured"
    if verb in ("arrested", "detained"):
        return "arrested"
    return "killed"


def _coordinated(text: str, end: int, next_start: int) -> bool:
    between = text[end:next_start].strip(" ,").lower()
    return between in ("and", "as well as", "and at least", "including", "among them", "plus", "or")


def _clause_end(text: str, verb_start: int) -> int:
    """Where the clause of a verb ends: the next ' and <number>' or the end of the sentence."""
    match = re.search(r"[;]|\band\s+(?=\d|[A-Z])", text[verb_start:])
    return verb_start + match.start() if match else len(text)


def to_count(group: list[CountMention]) -> Count:
    """One `Count` from mentions that share a verb: values add up, kinds are listed."""
    first = group[0]
    if len(group) == 1:
        return Count(
            value=first.value,
            high=first.high,
            qualifier=first.qualifier,
            victim_kind=first.victim_kind,
            phrase=first.phrase,
            cumulative=first.cumulative,
        )
    kinds = [m.victim_kind for m in group if m.victim_kind]
    qualifiers = {m.qualifier for m in group}
    qualifier: Qualifier = first.qualifier if len(qualifiers) == 1 else "at_least"
    highs = [m.high for m in group]
    high = sum(h for h in highs if h is not None) if all(h is not None for h in highs) else None
    return Count(
        value=sum(m.value for m in group),
        high=high,
        qualifier=qualifier,
        victim_kind=", ".join(dict.fromkeys(kinds)) or None,
        phrase="; ".join(m.phrase for m in group),
        cumulative=any(m.cumulative for m in group),
    )


def group_by_verb(mentions: list[CountMention]) -> list[list[CountMention]]:
    """Mentions governed by one verb form one group: one occurrence, possibly several victim kinds."""
    groups: dict[tuple[str, int], list[CountMention]] = {}
    for mention in mentions:
        groups.setdefault((mention.category, mention.verb_start), []).append(mention)
    return sorted(groups.values(), key=lambda group: group[0].start)


def counts_from_mentions(mentions: list[CountMention]) -> Counts:
    """The `Counts` of one occurrence: the first group of each category."""
    by_category: dict[str, Count] = {}
    for group in group_by_verb(mentions):
        category = group[0].category
        if category not in by_category:
            by_category[category] = to_count(group)
    return Counts(
        killed=by_category.get("killed"),
        injured=by_category.get("injured"),
        arrested=by_category.get("arrested"),
    )


def extract_counts(text: str) -> Counts:
    """The counts of a sentence that describes one occurrence."""
    return counts_from_mentions(find_count_mentions(text))

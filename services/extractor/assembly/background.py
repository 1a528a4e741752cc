"""Background prose: sentences that describe how things are, or what did not happen, not an occurrence.

A classifier trained on event sentences still fires on a place's description ("Kirkuk ... is home to
Kurds, Arabs and Turkmen") or on a comparison with the past ("It was the first large demonstration since
the new coalition government was sworn in"). Such a sentence is context for the events around it, never an
event of its own, whatever type the model gives it. The rules are deliberately narrow: a stative main
clause (a copula before any action verb) of a known background shape, and no toll of its own.
"""

from __future__ import annotations

import re

# The main clause's subject: no verb of its own before the copula ("Kirkuk, about 240 km north of
# Baghdad,", "It", "Wednesday's bombing", "Brazil").
_SUBJECT = r"^\s*(?P<subject>[^\"“;:]{0,120}?)\s+"
_PRESENT_COPULA = r"(?:is|are)(?:\s+(?:also|still|now|long))?"
_COPULA = r"(?:is|are|was|were|has\s+been|have\s+been|had\s+been)(?:\s+(?:also|still|now|long))?"
_SHAPES = [
    # "is home to", "has long been home to"
    re.compile(rf"{_SUBJECT}{_COPULA}\s+home\s+to\b", re.IGNORECASE),
    # "It was the first large demonstration since ...", "the bombing was the deadliest in the city since
    # September": a comparison with the past.
    re.compile(
        rf"{_SUBJECT}{_COPULA}\s+(?:(?:one\s+of\s+)?the|its|their)\s+(?:[\w-]+\s+){{0,3}}?"
        r"(?:first|last|largest|biggest|deadliest|bloodiest|worst|heaviest|latest|second|third|most\s+\w+)\b"
        r"[^;]*?\b(?:since|in\s+(?:years|decades|months|a\s+decade)|ever|on\s+record|this\s+year)\b",
        re.IGNORECASE,
    ),
    # "Brazil is Argentina's largest trading partner.", "Homs is a protest hub", "The town is among the
    # poorest": a present-tense description.
    re.compile(rf"{_SUBJECT}{_PRESENT_COPULA}\s+(?:a|an|the|one\s+of|among|[A-Z][\w-]*(?:'s|’s))\s", re.IGNORECASE),
]
# A verb in the subject means the copula is not the main verb ("Police said the march was the largest
# since 2008" reports a statement; "Officials who fled are ..." is still a description but rare).
_VERB_IN_SUBJECT = re.compile(
    r"\b(?:said|says|told|reported|added|announced|claimed|warned|\w+ed\s+(?:that|the|a|an|to|in|on|at))\b",
    re.IGNORECASE,
)
# A present-tense description has no action in it: "Brazil is Argentina's partner and signed ..." does.
_ACTION_AFTER = re.compile(
    r"\b(?:and|but|while|after|as)\s+(?:\w+\s+){0,3}?(?:killed|attacked|arrested|fired|shelled|marched|"
    r"protested|signed|agreed|met|launched|seized|stormed|clashed|exploded|detonated)\b",
    re.IGNORECASE,
)


# The reporter at work: "Al Jazeera's X, reporting from Amman, spoke to activists who told her ..." is how
# the news was gathered; what the activists said is the news, in the sentences that carry it.
_REPORTER_AT_WORK = re.compile(
    r"\breporting\s+from\b[^.;]*?\b(?:spoke|spoken|talked|speaking|talking)\s+(?:to|with)\b", re.IGNORECASE
)


# A sentence that says something did not happen closes a story ("No arrests have been made so far.",
# "No one was hurt.", "No group has claimed responsibility."); the model reads the action word in it. Only
# a sentence that opens with the negation is one: "Police fired tear gas but no one was hurt" still
# reports the firing. "No fewer than 20 people were killed" is a toll, not a negation.
_NON_OCCURRENCE = re.compile(
    r"^\W*(?:(?:so\s+far|however|but|yet|till\s+now|until\s+now|as\s+yet|fortunately|luckily|thankfully)\W+)*"
    r"(?:no|nobody|none)\b(?!\s+(?:fewer|less|more|sooner|longer|doubt|matter)\b)"
    r"(?:\s+[\w-]+){0,3}?\s+(?:has|have|had|was|were|is|are)\b",
    re.IGNORECASE,
)


def is_background(text: str, *, has_toll: bool = False) -> bool:
    """Whether a sentence is stative background prose, not an occurrence.

    `has_toll` says the sentence gives a count of its own (killed, injured, arrested): "It was the
    deadliest day since March, with 50 people killed" is an event whatever its shape.
    """
    if has_toll:
        return False
    if _REPORTER_AT_WORK.search(text) or _NON_OCCURRENCE.match(text):
        return True
    for index, shape in enumerate(_SHAPES):
        match = shape.match(text)
        if match is None or _VERB_IN_SUBJECT.search(match.group("subject")):
            continue
        if index == len(_SHAPES) - 1 and _ACTION_AFTER.search(text, match.end()):
            continue
        return True
    return False

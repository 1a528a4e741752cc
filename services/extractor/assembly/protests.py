"""Protests the detector missed: people who marched, rallied or took part in a demonstration.

The detector learnt occurrences mostly from violence and arrests; a peaceful march ("Thousands of people
across Kenya took part in peaceful marches to call for action on climate") often comes out as no event,
which is how most protest sentences of real protest reporting went uncoded. A sentence is promoted to
PROTEST only where it says people took part: a crowd or protest group as the subject of a protest verb,
or a participation verb governing a protest noun. A protest called for, planned, banned or merely
discussed is left alone (the detector's silence stands).
"""

from __future__ import annotations

import re

PROTEST = "PROTEST"
PEACE_PROTEST = "PEACE_PROTEST"

_CROWD = (
    r"(?:protesters|protestors|demonstrators|marchers|activists|students|workers|farmers|teachers|nurses|"
    r"doctors|residents|villagers|supporters|opposition\s+supporters|rioters|crowds?|people|women|youths|"
    r"employees|unions?|traders|drivers|lawyers|pensioners)"
)
# Verbs that are protest on their own, and verbs that are only with a protest noun near ("gathered").
_PROTEST_VERB = (
    r"(?:marched|rallied|protested|demonstrated|took\s+to\s+the\s+streets|picketed|went\s+on\s+strike|"
    r"walked\s+out|staged\s+(?:a\s+)?(?:protests?|demonstrations?|sit-ins?|walkouts?))"
)
_GENERIC_VERB = r"(?:gathered|assembled|blocked|chanted|poured\s+into|converged|participated|took\s+part|joined)"
_PROTEST_NOUN = (
    r"(?:protests?|demonstrations?|march(?:es)?|rall(?:y|ies)|sit-ins?|die-ins?|strikes?|walkouts?|vigils?|"
    r"hunger\s+strikes?|boycotts?|blockades?)"
)
_BETWEEN = r"(?:\s+[\w,'’()-]+){0,6}?\s+"
# "Hundreds of demonstrators marched", "Protesters in Athens rallied", "Thousands gathered ... in protest".
_CROWD_PROTESTS = re.compile(rf"\b{_CROWD}\b{_BETWEEN}{_PROTEST_VERB}\b", re.IGNORECASE)
_CROWD_GATHERS = re.compile(rf"\b{_CROWD}\b{_BETWEEN}{_GENERIC_VERB}\b", re.IGNORECASE)
_ANY_PROTEST_NOUN = re.compile(rf"\b{_PROTEST_NOUN}\b", re.IGNORECASE)
# "took part in peaceful marches", "participated in a die-in", "staged a sit-in", "held a rally".
_JOINED = re.compile(
    rf"\b(?:took\s+part\s+in|participated\s+in|joined|staged|held)\s+(?:[\w,'’-]+\s+){{0,4}}?{_PROTEST_NOUN}\b",
    re.IGNORECASE,
)
# "The long-awaited peaceful protest by the CDEDI was finally held in Blantyre".
_HELD = re.compile(rf"\b{_PROTEST_NOUN}\b{_BETWEEN}(?:was|were)\s+(?:\w+\s+)?(?:held|staged)\b", re.IGNORECASE)
# Before the evidence of taking part: a protest planned, called for or banned did not (yet) happen; after
# it, "to call for action" is the protest's demand.
_NOT_HAPPENED = re.compile(
    r"\b(?:will|would|shall|plan\w*|call\w*\s+(?:for|on)|urg\w*|threat\w*|vow\w*|ban\w*|prohibit\w*|"
    r"cancel\w*|postpon\w*|no|not|never|if|expected|to\s+(?:hold|stage|march|protest|join))\b",
    re.IGNORECASE,
)


def reports_protest(text: str) -> bool:
    """Whether `text` says people took part in a protest (not one called for, planned or banned)."""
    matches = [_CROWD_PROTESTS.search(text), _JOINED.search(text), _HELD.search(text)]
    if _ANY_PROTEST_NOUN.search(text) is not None:
        matches.append(_CROWD_GATHERS.search(text))
    found = [match for match in matches if match is not None]
    if not found:
        return False
    evidence = min(found, key=lambda match: match.end())
    return _NOT_HAPPENED.search(text, 0, evidence.end()) is None

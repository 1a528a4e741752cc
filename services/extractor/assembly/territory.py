"""Territory that changed hands: forces that seized, retook or freed a town, a base or a crossing.

The type head learnt fighting from attacks and clashes; a report that a place fell ("government forces
wrested control of a military camp", "rebels retook the town") reads to it as a deployment (MOBILIZE),
a release (RETREAT) or nothing, and without a word of violence it never stays an ASSAULT. PLOVER codes
taking ground as fighting (FIGHT, folded into ASSAULT here); ACLED splits it by who took it: the state
regaining ground (GOV_REGAINS_TERIT) or a non-state group taking it (NON_STATE_ACTOR_OVERTAKES_TER).
Offices, companies and "the situation" taken over are not territory, and a capture told as background
("which seized the city in 2014"), planned or feared did not happen in this report.
"""

from __future__ import annotations

import re

GOV_REGAINS_TERRITORY = "GOV_REGAINS_TERIT"
NON_STATE_TAKES_TERRITORY = "NON_STATE_ACTOR_OVERTAKES_TER"

_PLACE_NOUN = (
    r"(?:towns?|city|cities|villages?|districts?|provinces?|regions?|areas?|territor(?:y|ies)|bases?|"
    r"air\s*bases?|airports?|camps?|border|crossings?|checkpoints?|positions?|strongholds?|outposts?|"
    r"hills?|heights|highway|road|roads|neighbou?rhoods?|localit(?:y|ies)|suburbs?|port|bridge|"
    r"sites?|fields?|oil\s*fields?|dam|capital|island|settlements?|posts?)"
)
# "control of" anything but an office, a body or a state of affairs.
_NOT_TERRITORY = re.compile(
    r"^\s*(?:the\s+)?(?:situation|matter|affairs|case|investigation|company|board|party|government|"
    r"parliament|house|senate|assembly|council|ministry|budget|market|process|talks|negotiations|"
    r"administration|operations?|presidency|chair|post|office|seat)\b",
    re.IGNORECASE,
)
_CONTROL = re.compile(
    r"\b(?:seiz\w*|captur\w*|re-?captur\w*|re-?tak\w*|re-?took|took|tak(?:en|ing|es)|wrest\w*|gain\w*|"
    r"regain\w*|assum\w*|establish\w*)\s+(?:full\s+|complete\s+|total\s+|effective\s+)?control\s+(?:of|over)\b"
    r"(?P<object>[^.;]{0,40})",
    re.IGNORECASE,
)
_TOOK_PLACE = re.compile(
    r"\b(?:seized|captured|re-?captured|recapturing|re-?took|retaken|retaking|overran|overrun|"
    r"took\s+over|taken\s+over|liberated|liberating|freed)\s+(?:\w+\s+){0,4}?" + _PLACE_NOUN + r"\b",
    re.IGNORECASE,
)
_BACKGROUND = re.compile(
    r"\b(?:which|that|who)\s+(?:had\s+)?(?:seized|captured|took|overran)\b|\b(?:since|in)\s+(?:19|20)\d\d\b|"
    r"\b(?:will|would|could|may|might|aim\w*\s+to|try\w*\s+to|attempt\w*\s+to|plan\w*\s+to|bid\s+to|"
    r"threaten\w*\s+to|vow\w*\s+to|fail\w*\s+to)\b",
    re.IGNORECASE,
)
_STATE = re.compile(
    r"\b(?:army|armed\s+forces|military|troops|soldiers|government(?:\s+|-)(?:forces|troops)|"
    r"pro-government(?:\s+\w+){0,2}?\s+(?:militias?|forces|fighters)|security\s+forces|regime\s+forces|loyal\s+to\s+(?:the\s+)?(?:[\w'’]+\s+){0,4}?government|"
    r"federal\s+police|national\s+army|counter-?terrorism\s+(?:forces|service))\b",
    re.IGNORECASE,
)
_NON_STATE = re.compile(
    r"\b(?:rebels?|militants?|insurgents?|jihadists?|fighters|militias?|guerrill?as?|extremists?|"
    r"islamic\s+state|isis|isil|is\s+group|daesh|taliban|al-?shabaa?b|boko\s+haram|al-?qaeda|houthis?|"
    r"opposition|separatists?|terrorists?|gunmen)\b",
    re.IGNORECASE,
)
_REPORTED = re.compile(
    r"\b(?:said|says|say|reported|claimed|announced|according\s+to)\b(?:\s+(?:today|yesterday|on\s+\w+))?"
    r"\s+(?:that\s+)?",
    re.IGNORECASE,
)


def reported_territory_change(text: str) -> str | None:
    """The ACLED-style sub-type of a place taken in `text` (by the state or by others), else None."""
    if _BACKGROUND.search(text):
        return None
    match = _CONTROL.search(text)
    if match is not None and _NOT_TERRITORY.match(match.group("object")):
        match = None
    if match is None:
        match = _TOOK_PLACE.search(text)
    if match is None:
        return None
    verb_end = match.start("object") if "object" in match.groupdict() else match.end()
    return _taker(text[: match.start()]) or _taker(text[verb_end:], after=True)


def _taker(text: str, after: bool = False) -> str | None:
    """Who took the place: the first force named before the verb, after any "said that" (the subject:
    "security forces in a crackdown on Taliban militants recaptured"); after the verb, the side it was
    taken from ("... from government forces") tells the taker is the other."""
    if after:
        lost_by = re.search(r"\bfrom\s+(?:the\s+)?(?P<side>(?:\S+\s+){0,6})", text, re.IGNORECASE)
        if lost_by is None:
            return None
        side = lost_by.group("side")
        if _STATE.search(side):
            return NON_STATE_TAKES_TERRITORY
        if _NON_STATE.search(side):
            return GOV_REGAINS_TERRITORY
        return None
    reported = list(_REPORTED.finditer(text))
    subject = text[reported[-1].end() :] if reported else text
    state = _STATE.search(subject)
    other = _NON_STATE.search(subject)
    if state is None and other is None:
        return None
    if state is not None and (other is None or state.start() <= other.start()):
        return GOV_REGAINS_TERRITORY
    return NON_STATE_TAKES_TERRITORY

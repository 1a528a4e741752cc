"""Violence the detector missed: people killed, raped or lynched, homes set ablaze, bombers who blew up.

Part of the detector's real negatives come from police reporting, whose annotators marked only what the
police did: "a mob set 14 houses on fire", "three people were torched to death" are negatives there, and
the detector learnt to pass over violence by anyone else. A sentence is promoted to ASSAULT only where
it tells a violent act as done to someone or something: a passive of killing or harm with its victim
("seven people were murdered by vigilantes"), or a mob, rioters, gunmen or bombers as the subject of an
act of violence. A killing alleged, denied, feared, condemned as a type ("the murder of ...") or told as
a past anniversary is left to the detector.
"""

from __future__ import annotations

import re

SEXUAL_VIOLENCE = "SEX_VIOL"
MOB_VIOLENCE = "MOB_VIOL"
SUICIDE_BOMB = "SUIC_BOMB"
VIOLENT_DEMONSTRATION = "VIOL_DEMONSTR"

_HARM = (
    r"(?:gang-?raped|raped|molested|sexually\s+assaulted|lynched|murdered|stabbed(?:\s+to\s+death)?|"
    r"hacked\s+to\s+death|beaten\s+to\s+death|lynched\s+to\s+death|torched\s+to\s+death|burnt\s+alive|"
    r"burned\s+alive|burnt\s+to\s+death|burned\s+to\s+death|shot\s+dead|shot\s+and\s+killed|gunned\s+down|"
    r"beheaded|set\s+ablaze|set\s+on\s+fire|torched)"
)
# "seven people were murdered by vigilantes", "a 28-year-old woman was gang-raped", "kiosks were set ablaze".
_DONE_TO = re.compile(rf"\b(?:was|were|have\s+been|has\s+been|had\s+been|got)\s+(?:\w+ly\s+)?{_HARM}\b", re.IGNORECASE)
_ASSAILANT = (
    r"(?:mobs?|rioters|gunmen|attackers|assailants|miscreants|vigilantes|militants|bombers?|"
    r"suicide\s+bombers?|armed\s+men|unidentified\s+men|men|man)"
)
# "a mob set 14 houses on fire", "rioters torched shops", "one man molested her", "two suicide bombers
# blew themselves up".
_ASSAILANT_ACTS = re.compile(
    rf"\b{_ASSAILANT}\b(?:\s+[\w,'’-]+){{0,4}}?\s+(?:set\s+(?:\S+\s+){{0,4}}?(?:on\s+fire|ablaze|alight)|set\s+fire|torched|"
    r"lynched|nearly\s+lynched|molested|raped|gang-?raped|stabbed|hacked|shot\s+dead|gunned\s+down|"
    r"blew\s+themselves\s+up|blew\s+himself\s+up|blow\s+themselves\s+up|detonated)\b",
    re.IGNORECASE,
)
_NOT_DONE = re.compile(
    r"\b(?:alleg\w*|accus\w*|deni\w*|deny|claim\w*|if|would|could|may|might|will|feared|threat\w*|"
    r"anniversary|ago|not|no|never|rumou?rs?|unconfirmed)\b",
    re.IGNORECASE,
)
_SEXUAL = re.compile(r"\b(?:rap(?:e|ed|es|ing)|gang-?raped?|molest\w*|sexual\w*)\b", re.IGNORECASE)
_RIOT = re.compile(r"\b(?:rioters|rioting)\b", re.IGNORECASE)
_MOB = re.compile(r"\b(?:mobs?|lynch\w*|vigilantes?)\b", re.IGNORECASE)
_SUICIDE = re.compile(
    r"\b(?:suicide\s+bombers?|blew\s+(?:themselves|himself|herself)\s+up|blow\s+themselves\s+up)\b", re.IGNORECASE
)


def reported_violence(text: str) -> bool:
    """Whether `text` tells a violent act as done to someone or something (not alleged, feared or denied)."""
    for pattern in (_DONE_TO, _ASSAILANT_ACTS):
        match = pattern.search(text)
        if match is not None and _NOT_DONE.search(text, 0, match.end()) is None:
            return True
    return False


def violence_subtype(text: str) -> str | None:
    """The ACLED-style sub-type the words of a violent act name, where they name one."""
    if _SUICIDE.search(text):
        return SUICIDE_BOMB
    if _SEXUAL.search(text):
        return SEXUAL_VIOLENCE
    if _RIOT.search(text):
        return VIOLENT_DEMONSTRATION
    if _MOB.search(text):
        return MOB_VIOLENCE
    return None

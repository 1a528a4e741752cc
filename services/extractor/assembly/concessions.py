"""Concessions: easing a restriction or freeing captives is cooperation, whatever it eases.

The type head reads the restriction, not what is done to it: "The United States eased some sanctions
against Burma" comes out SANCTION and "a court freed activist pastor Evan Mawarire, following his weekend
arrest" COERCE. PLOVER codes a concession carried out (sanctions lifted, a ban or curfew ended, tariffs
cut, captives released) as RETREAT, material cooperation, and one only promised as CONCEDE. The rules
are narrow: the easing verb must govern a restriction noun (or a freeing verb a person), and a refusal
or opposition before it ("refused to lift the ban", "opposed efforts to ease sanctions") keeps the
model's type.
"""

from __future__ import annotations

import re

RETREAT = "RETREAT"
CONCEDE = "CONCEDE"

_RESTRICTION = (
    r"(?:sanctions?|bans?|embargo(?:es)?|restrictions?|curfews?|tariffs?|dut(?:y|ies)|tax(?:es)?|blockades?|"
    r"state\s+of\s+emergency|emergency\s+rule|martial\s+law|travel\s+ban|visa\s+requirements?|lockdowns?|"
    r"siege|checkpoints?)"
)
_EASE = (
    r"(?:lift(?:s|ed|ing)?|eas(?:e|es|ed|ing)|remov(?:e|es|ed|ing)|relax(?:es|ed|ing)?|waiv(?:e|es|ed|ing)|"
    r"scrap(?:s|ped|ping)?|cut(?:s|ting)?|reduc(?:e|es|ed|ing)|suspend(?:s|ed|ing)?|"
    r"repeal(?:s|ed|ing)?|rescind(?:s|ed|ing)?|drop(?:s|ped|ping)?|halv(?:e|es|ed|ing)|loosen(?:s|ed|ing)?|"
    r"ended|ends)"
)
# The easing verb, then at most a few words ("some of the", "a three-year", "all U.S.") before the noun.
_EASING = re.compile(rf"\b{_EASE}\s+(?:[\w%$.,'’-]+\s+){{0,5}}?{_RESTRICTION}\b", re.IGNORECASE)
# Freeing people: the verb, then a person-like object within a few words ("released a statement" is
# not one), or a passive that says where from ("was released from prison", not "from hospital").
_FREE = r"(?:freed|frees|releas(?:e|es|ed|ing)|pardon(?:s|ed|ing)?|set\s+free)"
_CAPTIVE = (
    r"(?:prisoners?|hostages?|detainees?|captives?|activists?|journalists?|pastor|opposition|dissidents?|"
    r"women|men|people|children|students|soldiers|fishermen|sailors|crew|nationals?|citizens?|"
    r"suspects?|protesters?|leaders?|him|her|them)"
)
# Words between the verb and the person, none of them a thing released ("a statement saying 12 men").
_NOT_CAPTIVE_WORD = (
    r"(?!(?:statements?|reports?|videos?|details|figures|data|results|footage|list|album|findings|"
    r"images?|photos?|saying|that)\b)"
)
_FREEING = re.compile(rf"\b{_FREE}\s+(?:{_NOT_CAPTIVE_WORD}[\w,'’-]+\s+){{0,5}}?{_CAPTIVE}\b", re.IGNORECASE)
_FREED_PASSIVE = re.compile(
    r"\b(?:was|were|been|being)\s+(?:freed|pardoned|set\s+free|released\s+(?:on\s+bail|from\s+"
    r"(?:jail|prison|custody|detention|captivity)))\b",
    re.IGNORECASE,
)

# A refusal, an opposition or a negation before the easing keeps the model's reading (REJECT, SANCTION).
_REFUSAL = re.compile(
    r"\b(?:refus\w*|reject\w*|oppos\w*|resist\w*|block\w*|veto\w*|den(?:y|ies|ied)|not|never|no\s+longer|"
    r"won't|wouldn't|didn't|doesn't|without|against|instead\s+of|rather\s+than|impos\w*|demand\w*|urg\w*|"
    r"call\w*\s+(?:on|for|to)|call|ask\w*|press\w*)\b[^;]*$",
    re.IGNORECASE,
)

# What the model may have made of a concession; any other type (a REQUEST to free prisoners, a
# COOPERATE deal that lifts tariffs) already says something truer.
# An ASSAULT that frees prisoners is a jailbreak, and stays one.
_MISREAD_AS = frozenset({"SANCTION", "COERCE", "REJECT", "ACCUSE", "THREATEN", "MOBILIZE"})


def concession_type(text: str, event_type: str, *, future: bool) -> str | None:
    """RETREAT (carried out) or CONCEDE (promised) where `text` reports a concession that the model typed
    as the restriction itself; None where the model's type stands."""
    if event_type not in _MISREAD_AS:
        return None
    match = _EASING.search(text) or _freeing(text)
    if match is None or _REFUSAL.search(text[: match.start()]):
        return None
    return CONCEDE if future else RETREAT


def _freeing(text: str) -> re.Match[str] | None:
    return _FREEING.search(text) or _FREED_PASSIVE.search(text)

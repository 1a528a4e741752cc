"""Actors and targets: who did what to whom, with a kind and, when inferable, a country.

Candidates come from the tagger's PER/ORG entities, country names and keyword phrases ("security
forces", "army deserters", "demonstrators"). Roles follow the event trigger: the candidate before the
trigger acts, the one after it is the target; the passive ("X were shot dead by security forces") swaps
them. The attribution clause is excluded first, so "the observatory said" never becomes an actor.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ...common.models import Actor, ActorKind
from ..types import EntitySpan
from .geo import DEMONYMS, Gazetteer

# Keyword phrases, most specific first; the phrase may be preceded by a demonym ("Syrian troops").
_KEYWORDS: list[tuple[str, ActorKind]] = [
    (r"army\s+deserters|army\s+defectors|deserters|defectors|defected\s+soldiers|free\s+\w+\s+army|"
     r"rebels?|insurgents?|militants?|armed\s+groups?|gunmen|fighters|opposition\s+fighters|militias?|"
     r"jihadists?", "rebels"),
    (r"security\s+forces?|security\s+services|security\s+force|government\s+forces|regime\s+forces|"
     r"troops|soldiers|army|military|police(?:men)?|riot\s+police|snipers|tanks|shabiha|shabbiha|"
     r"loyalists|the\s+armed\s+forces|armed\s+forces|border\s+guards", "state_forces"),
    (r"protesters|protestors|demonstrators|marchers|crowds?", "protesters"),
    (r"civilians|residents|villagers|children|people|worshippers|families|women", "civilians"),
    (r"government|regime|authorities|administration|cabinet|ministry|foreign\s+minister|prime\s+minister|"
     r"president|diplomats|officials|leaders?|king|parliament", "government"),
    (r"opposition\s+bloc|opposition|bloc|league|council|observatory|rights\s+group|delegation|committee",
     "organisation"),
]  # fmt: skip
_KEYWORD_RES = [(re.compile(rf"\b(?P<head>{pattern})\b", re.IGNORECASE), kind) for pattern, kind in _KEYWORDS]
_DEMONYM_ALTERNATION = "|".join(sorted(DEMONYMS, key=len, reverse=True))
# What may qualify a keyword actor with its country: "Syrian troops", "Syria's foreign minister".
_COUNTRY_PREFIX = re.compile(
    rf"(?:\b(?P<demonym>{_DEMONYM_ALTERNATION})|\b(?P<possessive>[A-Z][a-z]+)(?:'s|’s))\s+$", re.IGNORECASE
)
_DEMONYM_BEFORE_TITLE = re.compile(rf"\b({_DEMONYM_ALTERNATION})\s+(?:[A-Z][a-z]+\s+){{0,2}}$")
_DEMONYM_RE = re.compile(rf"\b({'|'.join(sorted(DEMONYMS, key=len, reverse=True))})\b")
_TITLES = re.compile(
    r"(?:King|Queen|Prince|President|Prime\s+Minister|Minister|Foreign\s+Minister|General|Gen\.|Sheikh|Emir|"
    r"Sultan|Mr\.?|Mrs\.?|Ms\.?|Dr\.?)\s+$"
)
_OF_COUNTRY = re.compile(r"^\s+of\s+(?P<country>[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)")
_ORG_WORDS = re.compile(
    r"\b(?:council|league|union|nations|un|nato|observatory|committee|organisation|organization|party|"
    r"front|army|movement|brotherhood|group|agency|bank|fund|court|commission|ministry|institute)\b",
    re.IGNORECASE,
)
_STATE_ORG_WORDS = re.compile(r"\b(?:army|forces|police|guard)\b", re.IGNORECASE)

# Per-type triggers: the word that carries the event, around which roles are assigned.
TRIGGERS: dict[str, str] = {
    "ASSAULT": r"killed|killing|shot|shooting|shelled|shelling|attacked|attack|attacks|clash(?:ed|es)?|"
    r"fired|fire|bombed|bombing|stormed|massacred|wounded|injured|dead|died|fighting|violence|battle",
    "COERCE": r"arrested|detained|arrests|raided|crackdown|tortured|seized|imprisoned|jailed|expelled|banned",
    "PROTEST": r"protest(?:ed|s|ing)?|demonstrat(?:ed|ion|ions)|rall(?:y|ied|ies)|march(?:ed|es)?|gather",
    "CONSULT": r"talks|met|meeting|meet|visited|visit|discussed|consulted|summit|hosted|called|spoke",
    "REQUEST": r"urged|called\s+for|called\s+on|asked|demanded|appealed|requested|must|pressed|step\s+down",
    "ACCUSE": r"accused|blamed|blame|condemned|criticised|criticized|denounced|accuses|shameful",
    "REJECT": r"opposed|rejected|refused|vetoed|denied|dismissed",
    "THREATEN": r"threatened|threatens|warned|warning|ultimatum",
    "SANCTION": r"sanctions|suspend(?:ed)?|suspension|embargo|froze|expelled|boycott",
    "SUPPORT": r"backed|supported|endorsed|praised|welcomed|confirmed",
    "AGREE": r"agreed|signed|accepted|deal|agreement|ceasefire",
    "AID": r"aid|assistance|supplied|shipment|delivered|donated|sent",
    "MOBILIZE": r"deployed|mobilised|mobilized|massed|reinforcements|arrived",
    "COOPERATE": r"cooperat(?:e|ed|ion)|joint|partnership|allied",
    "CONCEDE": r"released|conceded|withdrew|eased|lifted|amnesty|resigned",
    "RETREAT": r"withdrew|retreated|pulled\s+out|withdrawal",
}
_PASSIVE = re.compile(
    r"\b(?:was|were|been|being|is|are)\s+(?:\w+\s+){0,2}?\w*(?:ed|en|dead|down)\b[^.;]*?\bby\s+",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class ActorMention:
    """A candidate actor in a sentence (offsets relative to the sentence)."""

    actor: Actor
    start: int
    end: int


_POSSESSIVE_AFTER = re.compile(r"^(?:'s|’s)\b")
_PLACE_PREPOSITION = re.compile(
    r"\b(?:in|across|to|from|of|near|at|into|inside|throughout|over|outside)\s+(?:the\s+)?$", re.IGNORECASE
)
_COUNTRY_BEFORE_TITLE = re.compile(r"(?P<country>[A-Z][a-z]+)(?:'s|’s)\s+(?:[A-Z][a-z]+\s+){0,2}$")
_COUNTRY_APPOSITIVE = re.compile(r"^,\s+(?P<country>[A-Z][a-z]+)(?:'s|’s)\s+")


def _demonym_code(word: str) -> str | None:
    for demonym, code in DEMONYMS.items():
        if demonym.lower() == word.lower():
            return code
    return None


def _person_country(text: str, start: int, end: int, gazetteer: Gazetteer) -> str | None:
    """A person's country from "Syria's President X", "Syrian President X" or "X, Turkey's prime minister"."""
    before = text[max(0, start - 40) : start]
    match = _COUNTRY_BEFORE_TITLE.search(before)
    if match:
        code = gazetteer.country_code_of(match.group("country"))
        if code:
            return code
    demonym = _DEMONYM_BEFORE_TITLE.search(before)
    if demonym:
        return DEMONYMS.get(demonym.group(1))
    appositive = _COUNTRY_APPOSITIVE.match(text[end:])
    if appositive:
        return gazetteer.country_code_of(appositive.group("country"))
    return None


def _country_of_phrase(phrase: str, gazetteer: Gazetteer) -> str | None:
    match = _DEMONYM_RE.search(phrase)
    if match:
        return DEMONYMS.get(match.group(1))
    return None


def find_actor_mentions(
    text: str,
    entities: Sequence[EntitySpan],
    gazetteer: Gazetteer,
    *,
    default_country: str | None = None,
    exclude: Sequence[tuple[int, int]] = (),
) -> list[ActorMention]:
    """Every candidate actor in the sentence, entities first, keyword phrases filling the gaps."""
    mentions: list[ActorMention] = []
    taken: list[tuple[int, int]] = list(exclude)

    def free(start: int, end: int) -> bool:
        return not any(start < b and a < end for a, b in taken)

    for entity in entities:
        if not free(entity.start, entity.end):
            continue
        name = re.sub(r"(?:'s|’s)$", "", entity.text).strip()
        start, end = entity.start, entity.start + len(name)
        kind: ActorKind
        country: str | None = None
        if entity.label == "PER":
            kind = "person"
            title = _TITLES.search(text[max(0, start - 25) : start])
            if title:
                name = f"{title.group(0).strip()} {name}"
                start = start - len(title.group(0))
            of_country = _OF_COUNTRY.match(text[end:])
            if of_country:
                country = gazetteer.country_code_of(of_country.group("country"))
                if country:
                    end += of_country.end()
            country = country or _person_country(text, start, end, gazetteer)
        elif entity.label == "ORG":
            kind = "state_forces" if _STATE_ORG_WORDS.search(name) and "free" not in name.lower() else "organisation"
            country = _country_of_phrase(name, gazetteer) or _country_of_phrase(
                text[max(0, start - 40) : start], gazetteer
            )
            # "the Syrian National Council (SNC)": keep one mention for the name and its acronym.
            acronym = re.match(r"\s*\((?P<abbr>[A-Z]{2,6})\)", text[end:])
            if acronym:
                end += acronym.end()
        elif entity.label == "LOC":
            code = gazetteer.country_code_of(name)
            # "Syria's President", "across Syria": a modifier or a place, not a party to the event.
            if code is None or _POSSESSIVE_AFTER.match(text[end:]) or _PLACE_PREPOSITION.search(text[:start]):
                continue
            kind, country = "country", code
        else:
            continue
        mentions.append(ActorMention(Actor(name=name, kind=kind, country=country), start, end))
        taken.append((start, end))

    # Country names the tagger may have missed act too ("Russia has repeatedly opposed").
    for match in re.finditer(r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?\b", text):
        surface = match.group(0)
        if not free(match.start(), match.end()) or surface in DEMONYMS:
            continue
        code = gazetteer.country_code_of(surface)
        if code and re.match(r"^\s+(?:has|have|had|is|was|will|would|said|says)\b", text[match.end() :]):
            mentions.append(ActorMention(Actor(name=surface, kind="country", country=code), match.start(), match.end()))
            taken.append((match.start(), match.end()))

    for pattern, kind in _KEYWORD_RES:
        for match in pattern.finditer(text):
            if not free(match.start(), match.end()):
                continue
            head = " ".join(match.group("head").split())
            if kind == "civilians" and head.lower() == "people" and not re.search(r"\d|dozens|scores", text):
                continue
            start = match.start()
            country = None
            prefix = _COUNTRY_PREFIX.search(text, max(0, start - 30), start)
            if prefix is not None and free(prefix.start(), start):
                if prefix.group("demonym"):
                    country = _demonym_code(prefix.group("demonym"))
                    start = prefix.start()
                elif prefix.group("possessive"):
                    country = gazetteer.country_code_of(prefix.group("possessive"))
                    start = prefix.start() if country else start
            if kind in ("state_forces", "government") and country is None:
                country = default_country
            name = text[start : match.end()]
            if name.lower().startswith("the "):
                name = name[4:]
            mentions.append(ActorMention(Actor(name=name, kind=kind, country=country), start, match.end()))
            taken.append((start, match.end()))
    return sorted(mentions, key=lambda mention: mention.start)


def find_trigger(text: str, event_type: str | None, exclude: Sequence[tuple[int, int]] = ()) -> int | None:
    """Offset of the word that carries the event, outside the attribution clause."""
    pattern = TRIGGERS.get(event_type or "")
    if pattern is None:
        return None
    for match in re.finditer(rf"\b(?:{pattern})\b", text, re.IGNORECASE):
        if not any(a <= match.start() < b for a, b in exclude):
            return match.start()
    return None


def assign_roles(
    text: str,
    mentions: Sequence[ActorMention],
    event_type: str | None,
    exclude: Sequence[tuple[int, int]] = (),
    victims: Sequence[tuple[int, int]] = (),
) -> tuple[Actor | None, Actor | None]:
    """(actor, target) from the candidates' positions around the trigger and the voice.

    Candidates inside a count's phrase ("27 civilians") are victims: they can be the target, never the
    actor.
    """
    usable = [m for m in mentions if not any(a <= m.start < b for a, b in exclude)]
    patients_only = [m for m in usable if any(a <= m.start < b for a, b in victims)]
    if patients_only:
        agents = [m for m in usable if m not in patients_only]
        actor, target = assign_roles(text, agents, event_type, exclude) if agents else (None, None)
        return actor, patients_only[0].actor
    if not usable:
        return None, None
    trigger = find_trigger(text, event_type, exclude)
    passive = _PASSIVE.search(text)
    if passive is not None and (trigger is None or passive.start() <= trigger + 40):
        agents = [m for m in usable if m.start >= passive.end()]
        patients = [m for m in usable if m.end <= passive.start() + 1]
        actor = agents[0].actor if agents else None
        target = patients[-1].actor if patients else None
        if actor is not None:
            return actor, target
    if trigger is None:
        return usable[0].actor, (usable[1].actor if len(usable) > 1 else None)
    before = [m for m in usable if m.end <= trigger]
    after = [m for m in usable if m.start > trigger]
    actor = _subject(before) if before else None
    target = next((m.actor for m in after if actor is None or m.actor.name != actor.name), None)
    if actor is None and after:
        actor, target = after[0].actor, (after[1].actor if len(after) > 1 else None)
    return actor, target


def _subject(before: Sequence[ActorMention]) -> Actor:
    """The subject among the candidates before the trigger: a named entity or state actor beats a common
    noun next to the verb ("King Abdullah of Jordan called for" -> King Abdullah)."""
    named = [m for m in before if m.actor.kind in ("person", "organisation", "country", "state_forces")]
    return (named[-1] if named else before[-1]).actor

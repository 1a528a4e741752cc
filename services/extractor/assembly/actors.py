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
from .security import reported_security_measure

# Keyword phrases, most specific first; the phrase may be preceded by a demonym ("Syrian troops").
_KEYWORDS: list[tuple[str, ActorKind]] = [
    (r"army\s+deserters|army\s+defectors|deserters|defectors|defected\s+soldiers|free\s+\w+\s+army|"
     r"rebels?|insurgents?|militants?|armed\s+groups?|gunmen|fighters|opposition\s+fighters|militias?|"
     r"jihadists?", "rebels"),
    (r"(?:members\s+of\s+the\s+)?security\s+(?:forces?|services|personnel)|government\s+forces|"
     r"regime\s+forces|pro-government\s+forces|loyalist\s+forces|troops|soldiers?|army|military|"
     r"riot\s+police|police(?:m[ae]n)?|police\s+officers?|snipers|shabiha|shabbiha|loyalists|"
     r"the\s+armed\s+forces|armed\s+forces|border\s+guards|"
     # Equipment is an actor only as the subject of an attack ("tanks shelled"), never as an object
     # ("a new shipment of tanks arrived").
     r"tanks(?=\s+(?:shelled|fired|opened\s+fire|stormed|pounded|attacked|rolled|besieged|surrounded))",
     "state_forces"),
    (r"protesters?|protestors?|demonstrators?|marchers|crowds?", "protesters"),
    # Rioters have no kind of their own in the events schema (v1); they are nobody's side but their own.
    (r"mobs?|rioters|miscreants|arsonists|hooligans|clashing\s+groups|rival\s+groups", "unknown"),
    (r"civilians|residents|villagers|children|people|worshippers|families|women|"
     # A victim named by who she is: "a 28-year-old woman was gang-raped", "two students were stabbed".
     r"woman|girl|boy|child|teenagers?|students?|journalists?|farmers?|workers?", "civilians"),
    (r"government|regime|authorities|administration|cabinet|ministry|foreign\s+minister|prime\s+minister|"
     r"president|diplomats|officials|leaders?|king|parliament", "government"),
    (r"opposition\s+bloc|opposition|bloc|league|council|observatory|rights\s+group|delegation|committee|"
     r"(?:trade\s+)?unions",
     "organisation"),
]  # fmt: skip
_KEYWORD_RES = [(re.compile(rf"\b(?P<head>{pattern})\b", re.IGNORECASE), kind) for pattern, kind in _KEYWORDS]
# A leader's forces: "Assad's forces", "Gaddafi loyalists" -> "Assad forces", state forces.
_LEADER_FORCES = re.compile(
    r"\b(?P<owner>[A-Z][a-z]+(?:-[A-Z]?[a-z]+)?)(?:'s|’s)?\s+(?:forces|troops|loyalists|militiamen|militias?)\b"
)

# Canonical names of keyword actors: number, possessives and "fire" normalised.
_CANONICAL: list[tuple[re.Pattern[str], str]] = [
    (re.compile(pattern, re.IGNORECASE), name)
    for pattern, name in (
        (r"(?:members\s+of\s+(?:the\s+)?)?security\s+(?:forces?|services|personnel)(?:\s+fire)?", "security forces"),
        (r"(?:riot\s+)?police(?:m[ae]n)?|police\s+officers?", "police"),
        (r"soldiers?", "soldiers"),
        (r"troops?", "troops"),
        (r"(?:government|regime|pro-government|loyalist)\s+forces|loyalists", "government forces"),
        (r"(?:the\s+)?armed\s+forces", "armed forces"),
        (r"protest[eo]rs?|demonstrators?|marchers", "protesters"),
        (r"crowds?", "crowds"),
        (r"rebels?", "rebels"),
        (r"militants?", "militants"),
        (r"insurgents?", "insurgents"),
        (r"militias?", "militias"),
        (r"armed\s+groups?", "armed groups"),
        (r"fighters?", "fighters"),
        (r"jihadists?", "jihadists"),
        (r"leaders?", "leaders"),
        (r"shabb?iha", "shabiha"),
    )
]
_TITLE_WORDS = frozenset(
    {"king", "queen", "prince", "president", "prime", "minister", "foreign", "general", "gen.", "sheikh", "emir",
     "sultan", "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "dr", "dr.", "al", "el"}
)  # fmt: skip


def canonical_name(name: str) -> str:
    """One spelling per actor: "the security forces'", "security force fire", "Security Forces" ->
    "security forces"; "Assad's forces" -> "Assad forces"; names keep their case, less any possessive."""
    name = " ".join(name.split())
    name = re.sub(r"^(?:the|The)\s+", "", name)
    name = re.sub(r"(?:'s|’s|'|’)$", "", name).strip()
    for pattern, canonical in _CANONICAL:
        if pattern.fullmatch(name):
            return canonical
    leader = _LEADER_FORCES.fullmatch(name)
    if leader:
        return f"{leader.group('owner')} forces"
    return name


def same_actor(a: Actor | None, b: Actor | None) -> bool:
    """Whether two actors are one party: the same canonical name, or two persons who share a name
    ("Erdogan", "Tayyip Erdogan"), titles aside."""
    if a is None or b is None:
        return False
    if canonical_name(a.name).lower() == canonical_name(b.name).lower():
        return True
    if a.kind == "person" and b.kind == "person":
        return bool(_name_tokens(a.name) & _name_tokens(b.name))
    return False


def _name_tokens(name: str) -> set[str]:
    return {token for token in re.split(r"[\s-]+", name.lower()) if token and token not in _TITLE_WORDS}


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
    r"fired|fire|bombed|bombing|stormed|massacred|wounded|injured|dead|died|fighting|violence|battle|"
    r"rampage|lynch(?:ed|ing)?|torched|stabbed|ransacked|looted",
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


# A violent or coercive act in the passive with no agent ("a woman was gang-raped", "five protesters were
# arrested"): whoever comes before it suffered it; whoever did it is not named.
_AGENTLESS_PASSIVE = re.compile(
    r"\b(?:was|were|been|being|is|are|got)\s+(?:\w+ly\s+)?(?:gang-)?(?:raped|molested|sexually\s+assaulted|"
    r"assaulted|attacked|beaten|stabbed|shot|killed|murdered|injured|wounded|arrested|detained|abducted|"
    r"kidnapped|tortured|lynched|hacked|executed|beheaded|hanged|harassed)\b(?![^.;]*?\bby\s)",
    re.IGNORECASE,
)


_SAME_CLAUSE_GAP = re.compile(r"(?![^,;]*\b(?:while|whereas|but|and|after|before|when)\b)[^,;]{0,40}", re.IGNORECASE)


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

    for match in _LEADER_FORCES.finditer(text):
        owner_code = gazetteer.country_code_of(match.group("owner"))
        if not free(match.start(), match.end()) or match.group("owner") in ("The", "Government", "Regime"):
            continue
        if owner_code is not None:
            forces = Actor(name="armed forces", kind="state_forces", country=owner_code)
        else:
            forces = Actor(name=canonical_name(match.group(0)), kind="state_forces", country=default_country)
        mentions.append(ActorMention(forces, match.start(), match.end()))
        taken.append((match.start(), match.end()))

    for pattern, kind in _KEYWORD_RES:
        for match in pattern.finditer(text):
            if not free(match.start(), match.end()):
                continue
            if kind in ("government", "organisation") and _appositive_of_person(text, match.start(), mentions):
                # "Walid al-Muallem, Syria's foreign minister": the minister is al-Muallem, not a second party.
                taken.append((match.start(), match.end()))
                continue
            head = " ".join(match.group("head").split())
            if (
                kind == "civilians"
                and head.lower() == "people"
                and not re.search(r"\d|dozens|scores|hundreds|thousands", text)
            ):
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
            name = canonical_name(head)
            if kind != "organisation" and name == head:
                name = head.lower()  # "Authorities blame ..." -> "authorities"
            mentions.append(ActorMention(Actor(name=name, kind=kind, country=country), start, match.end()))
            taken.append((start, match.end()))
    return sorted(mentions, key=lambda mention: mention.start)


def _appositive_of_person(text: str, start: int, mentions: Sequence[ActorMention]) -> bool:
    for mention in mentions:
        if mention.actor.kind == "person" and re.fullmatch(
            r",\s+(?!(?:and|or|but|while|as|who|which)\b)(?:the\s+|a\s+|[A-Z][a-z]+(?:'s|’s)\s+|(?:\w+\s+){0,2})?",
            text[mention.end : start],
            re.IGNORECASE,
        ):
            return True
    return False


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

    Candidates inside a count's phrase ("27 civilians") or that an attack is aimed at ("attacks on the
    police") are victims: they can be the target, never the actor. The target is never the actor itself
    under another spelling: the next other party, or none.
    """
    victims = [*victims, *((m.start, m.end) for m in mentions if _AIMED_AT.search(text, max(0, m.start - 40), m.start))]
    actor, target = _assign_roles(text, mentions, event_type, exclude, victims)
    against = _PROTEST_AGAINST.search(text) if event_type == "PROTEST" else None
    if against is not None:
        # "marched ... to protest against the government's austerity plans": what they protest against.
        usable = [m for m in mentions if not any(a <= m.start < b for a, b in exclude)]
        protesters = [m for m in usable if m.end <= against.start()]
        opposed = [m.actor for m in usable if m.start >= against.end()]
        if protesters and same_actor(actor, opposed[0] if opposed else None):
            actor = _subject(protesters)
        target = next((a for a in opposed if not same_actor(a, actor)), target)
    if actor is not None and same_actor(actor, target):
        others = [
            m.actor
            for m in mentions
            if not any(a <= m.start < b for a, b in exclude) and not same_actor(m.actor, actor)
        ]
        target = others[0] if others else None
    return actor, target


# Whoever an attack, a shot or a stone is aimed at is its target, never its actor: "people began to
# launch attacks on the police", "the crowd pelted stones at security forces".
_AIMED_AT = re.compile(
    r"\b(?:attacks?|attacked|assaults?|fired|firing|shots?|shooting|stones?|bricks?|bombs?|petrol\s+bombs?|"
    r"missiles?|pelted|hurled|thrown|throwing|threw)\s+(?:\w+\s+){0,2}?(?:on|at|upon|against)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_PROTEST_AGAINST = re.compile(
    r"\b(?:protest(?:ed|ing|s)?|demonstrat(?:e|ed|ing|ion|ions)|rall(?:y|ied|ies|ying)|march(?:ed|es)?)\s+against\b",
    re.IGNORECASE,
)


def _assign_roles(
    text: str,
    mentions: Sequence[ActorMention],
    event_type: str | None,
    exclude: Sequence[tuple[int, int]],
    victims: Sequence[tuple[int, int]],
) -> tuple[Actor | None, Actor | None]:
    usable = [m for m in mentions if not any(a <= m.start < b for a, b in exclude)]
    patients_only = [m for m in usable if any(a <= m.start < b for a, b in victims)]
    if patients_only:
        agents = [m for m in usable if m not in patients_only]
        actor, target = _assign_roles(text, agents, event_type, exclude, ()) if agents else (None, None)
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
    agentless = _AGENTLESS_PASSIVE.search(text) if event_type in ("ASSAULT", "COERCE") else None
    if agentless is not None:
        patients = [m for m in usable if m.end <= agentless.start() + 1]
        # Only the passive's own subject: "97 died in police firing, while others were killed" does not
        # make the police the victims.
        if patients and _SAME_CLAUSE_GAP.fullmatch(text[patients[-1].end : agentless.start()]):
            return None, patients[-1].actor
    if trigger is None:
        return usable[0].actor, (usable[1].actor if len(usable) > 1 else None)
    before = [m for m in usable if m.end <= trigger]
    after = [m for m in usable if m.start > trigger]
    actor = _subject(before, text) if before else None
    target = next((m.actor for m in after if actor is None or m.actor.name != actor.name), None)
    if actor is None and after:
        actor, target = after[0].actor, (after[1].actor if len(after) > 1 else None)
    return actor, target


def _subject(before: Sequence[ActorMention], text: str = "") -> Actor:
    """The subject among the candidates before the trigger: a named entity or state actor beats a common
    noun next to the verb ("King Abdullah of Jordan called for" -> King Abdullah), except a mob or rioters
    right before it: "police were stumped as the mobs went on a rampage", "policemen watched a mob lynch
    two persons" are the mob's violence. A mob inside a relative clause is not ("the police that was
    accompanying the mob fired")."""
    nearest = before[-1]
    if _VIOLENT_CROWD.fullmatch(nearest.actor.name) and not (
        len(before) > 1 and _RELATIVE_CLAUSE.match(text, before[-2].end, nearest.start)
    ):
        return nearest.actor
    named = [m for m in before if m.actor.kind in ("person", "organisation", "country", "state_forces")]
    return (named[-1] if named else before[-1]).actor


_VIOLENT_CROWD = re.compile(r"(?:the\s+)?(?:mobs?|rioters|miscreants|arsonists|hooligans)", re.IGNORECASE)
_RELATIVE_CLAUSE = re.compile(r"\s*,?\s*(?:that|which|who)\b", re.IGNORECASE)


# Coercion whose agent goes unnamed because only the state does it: "the arrests were made", "over 30
# activists were taken into custody", "they arrested him"; curfews and deployments are read by
# `security.reported_security_measure`. ACLED codes these as the authorities' acts; without an actor the
# event would be dropped as having nobody in it.
_STATE_COERCION = re.compile(
    r"\b(?:(?:was|were|been|being|be)\s+(?:\w+ly\s+)?(?:arrested|detained|nabbed|rounded\s+up|picked\s+up|"
    r"taken\s+into\s+(?:\w+\s+)?custody|remanded|booked|jailed|imprisoned|deported|expelled|held\s+in\s+custody|"
    r"seized|confiscated|impounded|intercepted)|"
    r"arrests?\s+(?:were|was|have\s+been|had\s+been|has\s+been)\s+made|"
    r"(?:arrested|detained)\s+(?:him|her|them))\b",
    re.IGNORECASE,
)


def implied_state_actor(clause: str, event_type: str, country: str | None) -> Actor | None:
    """The authorities, for a coercion or a security measure that only the state carries out and whose
    agent is unnamed ("were detained", "was placed under curfew", "a company of the RAF was rushed in")."""
    state_act = event_type == "COERCE" and _STATE_COERCION.search(clause) is not None
    if not state_act and (event_type not in ("COERCE", "MOBILIZE") or reported_security_measure(clause) is None):
        return None
    return Actor(name="authorities", kind="government", country=country)

"""Actors and targets with their kind and country, from real-looking sentences."""

from __future__ import annotations

import re

import pytest

from newswire.extractor.assembly.actors import assign_roles, find_actor_mentions
from newswire.extractor.assembly.attribution import find_attribution
from newswire.extractor.assembly.geo import Gazetteer
from newswire.extractor.types import EntitySpan


def _entities(text: str, names: dict[str, str]) -> tuple[EntitySpan, ...]:
    spans = []
    for name, label in names.items():
        for match in re.finditer(re.escape(name), text):
            spans.append(EntitySpan(label, name, match.start(), match.end()))
    return tuple(sorted(spans, key=lambda s: s.start))


def _roles(text: str, event_type: str, gazetteer: Gazetteer, names: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    found = find_attribution(text)
    exclude = [(found.start, found.end)] if found else []
    mentions = find_actor_mentions(text, _entities(text, names or {}), gazetteer, default_country="SY", exclude=exclude)
    return assign_roles(text, mentions, event_type, exclude)


def test_passive_voice_puts_the_agent_first(gazetteer: Gazetteer) -> None:
    actor, target = _roles("Twenty-three protesters were shot dead by security forces in Hirak.", "ASSAULT", gazetteer)
    assert actor is not None and (actor.name, actor.kind, actor.country) == ("security forces", "state_forces", "SY")
    assert target is not None and target.kind == "protesters"


def test_active_voice(gazetteer: Gazetteer) -> None:
    actor, target = _roles("Army deserters attacked a checkpoint manned by soldiers.", "ASSAULT", gazetteer)
    assert actor is not None and actor.kind == "rebels"
    assert target is not None and target.kind == "state_forces"


def test_named_people_with_titles_and_countries(gazetteer: Gazetteer) -> None:
    text = "Earlier, King Abdullah of Jordan called for Assad to step down."
    actor, target = _roles(text, "REQUEST", gazetteer, {"Abdullah": "PER", "Assad": "PER", "Jordan": "LOC"})
    assert actor is not None and (actor.name, actor.kind, actor.country) == ("King Abdullah", "person", "JO")
    assert target is not None and target.name == "Assad"


def test_organisation_and_demonym_government(gazetteer: Gazetteer) -> None:
    text = "A delegation from the Syrian National Council (SNC) visited Moscow for talks with Russian diplomats."
    actor, target = _roles(
        text, "CONSULT", gazetteer, {"Syrian National Council": "ORG", "SNC": "ORG", "Moscow": "LOC"}
    )
    assert actor is not None and (actor.name, actor.kind) == ("Syrian National Council", "organisation")
    assert target is not None and (target.kind, target.country) == ("government", "RU")


def test_country_as_actor_but_not_as_place_or_possessive(gazetteer: Gazetteer) -> None:
    actor, _ = _roles("Russia has repeatedly opposed Western efforts to impose sanctions.", "REJECT", gazetteer)
    assert actor is not None and (actor.kind, actor.country) == ("country", "RU")
    text = "Walid al-Muallem, Syria's foreign minister, condemned the League's announcement."
    actor, target = _roles(text, "ACCUSE", gazetteer, {"Walid al-Muallem": "PER", "Syria": "LOC", "League": "ORG"})
    assert actor is not None and (actor.name, actor.country) == ("Walid al-Muallem", "SY")
    assert target is not None and target.name == "League"


def test_reporting_source_is_not_the_actor(gazetteer: Gazetteer) -> None:
    text = "Soldiers arrested 40 protesters in Hama, the observatory said."
    actor, target = _roles(text, "COERCE", gazetteer)
    assert actor is not None and actor.kind == "state_forces"
    assert target is not None and target.kind == "protesters"


@pytest.mark.parametrize(
    ("text", "actor_name", "target_kind"),
    [
        # The one force named is what the attack was aimed at, not who made it.
        (
            "People resorted to stone-throwing in Amraiwadi and began to launch attacks on the police.",
            None,
            "state_forces",
        ),
        ("Rioters hurled petrol bombs at security forces in Homs.", "rioters", "state_forces"),
        # Aimed by the force named first: it stays the actor.
        ("Security forces fired at army deserters in Homs.", "security forces", "rebels"),
    ],
)
def test_what_an_attack_is_aimed_at_is_its_target(
    text: str, actor_name: str | None, target_kind: str, gazetteer: Gazetteer
) -> None:
    actor, target = _roles(text, "ASSAULT", gazetteer)
    assert (actor.name if actor else None) == actor_name
    assert target is not None and target.kind == target_kind


@pytest.mark.parametrize(
    ("text", "actor_name"),
    [
        ("Police were stumped once again on Friday as the mobs reappeared and went on a rampage.", "mobs"),
        ("An escort party of six policemen stood and watched a mob lynch two persons.", "mob"),
        # The police named right before the verb stay its actor, with a mob elsewhere in the sentence.
        ("As the mob gathered near the temple, the police fired tear gas.", "police"),
        ("Police opened fire on the mob in the old city.", "police"),
        ("Youths pelted stones, and the police that was accompanying the mob fired at them.", "police"),
    ],
)
def test_a_mob_right_before_the_violence_is_its_actor_though_the_police_are_named(
    text: str, actor_name: str, gazetteer: Gazetteer
) -> None:
    actor, _ = _roles(text, "ASSAULT", gazetteer)
    assert actor is not None and actor.name.lower() == actor_name

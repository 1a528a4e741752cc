"""Event-level assembly rules: clause splitting, place carry-over, unknown places, appeals, the contract."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from newswire.common.models import Event, ModelInfo
from newswire.extractor.assembly.events import assemble_events, event_id, is_boilerplate
from newswire.extractor.assembly.geo import Gazetteer
from newswire.extractor.sentences import split_sentences
from newswire.extractor.types import EntitySpan, SentenceAnalysis

MODEL = ModelInfo(name="m", version="1", encoder="e")
PUBLISHED = datetime(2011, 11, 15, 9, 30, tzinfo=UTC)
ARTICLE = "cd" * 32


def _assemble(
    text: str, types: list[str | None], gazetteer: Gazetteer, locs: tuple[str, ...] = (), **kwargs: object
) -> list[Event]:
    sentences = split_sentences(text)
    analyses = []
    for sentence, event_type in zip(sentences, types, strict=True):
        entities = tuple(
            EntitySpan("LOC", m.group(0), m.start(), m.end())
            for name in locs
            for m in re.finditer(re.escape(name), sentence.text)
        )
        analyses.append(
            SentenceAnalysis(
                sentence=sentence, event_type=event_type, event_score=0.9, sub_event_type="Attack", entities=entities
            )
        )
    return assemble_events(
        analyses,
        article_id=ARTICLE,
        text=text,
        published_at=PUBLISHED,
        model=MODEL,
        gazetteer=gazetteer,
        **kwargs,  # type: ignore[arg-type]
    )


def test_event_id_is_deterministic_sha256() -> None:
    first = event_id(ARTICLE, 10, 50)
    assert first == event_id(ARTICLE, 10, 50) and re.fullmatch(r"[0-9a-f]{64}", first)
    assert first != event_id(ARTICLE, 10, 51) and first != event_id("ef" * 32, 10, 50)


def test_two_tolls_in_one_sentence_are_two_events_with_clause_evidence(gazetteer: Gazetteer) -> None:
    text = "Syrian troops shot dead 5 protesters in Hama and 3 soldiers were killed in an ambush in Idlib."
    events = _assemble(text, ["ASSAULT"], gazetteer)
    assert len(events) == 2
    first, second = events
    assert first.counts.killed is not None and first.counts.killed.value == 5
    assert second.counts.killed is not None and second.counts.killed.value == 3
    assert first.evidence[0].end <= second.evidence[0].start
    assert first.location is not None and first.location.country_code == "SY"
    for event in events:
        evidence = event.evidence[0]
        assert text[evidence.start : evidence.end] == evidence.sentence
        assert event.sub_event_type == "Attack" and event.model == MODEL and event.published_at == PUBLISHED


def test_place_is_carried_over_from_the_sentence_before(gazetteer: Gazetteer) -> None:
    text = (
        "Syrian troops stormed the province of Idlib, activists said.\n"
        "Five people were shot dead at a checkpoint, they said."
    )
    events = _assemble(text, ["ASSAULT", "ASSAULT"], gazetteer)
    shot = next(e for e in events if e.counts.killed is not None)
    assert shot.location is not None and shot.location.precision == "admin1" and shot.location.country_code == "SY"


def test_unknown_tagged_place_stays_named_but_unresolved(gazetteer: Gazetteer) -> None:
    text = "Syrian security forces killed two men in Kherbet Ghazale."
    events = _assemble(text, ["ASSAULT"], gazetteer, locs=("Kherbet Ghazale",))
    assert len(events) == 1
    location = events[0].location
    assert location is not None and (location.name, location.precision) == ("Kherbet Ghazale", "unresolved")


def test_default_date_is_publication_day_without_phrase(gazetteer: Gazetteer) -> None:
    events = _assemble("Syrian security forces killed two men in Homs.", ["ASSAULT"], gazetteer)
    assert events[0].event_date is not None
    assert (events[0].event_date.date, events[0].event_date.phrase) == ("2011-11-15", None)


def test_planned_event_without_date_has_none(gazetteer: Gazetteer) -> None:
    events = _assemble("The Arab League will meet to discuss Syria.", ["CONSULT"], gazetteer)
    assert events[0].modality == "planned" and events[0].event_date is None


def test_unknown_types_are_ignored(gazetteer: Gazetteer) -> None:
    assert _assemble("Troops killed two men in Homs.", ["NOT_A_TYPE"], gazetteer) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("There are many battles to be won, but we will battle them together.", True),
        ("If you can help today, because every gift of every size matters, please do.", True),
        ("Share This Article", True),
        ("Security forces killed 12 people in Homs.", False),
        ('"We will not stop," said one protester in Hama.', False),
        ("Troops shot dead five of our neighbours, residents said.", False),
        ("Donate now to keep independent journalism alive.", True),
        ("Your donation of any size keeps this site running.", True),
        ("New Zealand donated USD1 million to the World Food Program in Afghanistan.", False),
    ],
)
def test_boilerplate(text: str, expected: bool) -> None:
    assert is_boilerplate(text, has_entities=False) is expected


def test_an_action_without_participants_is_not_an_event(gazetteer: Gazetteer) -> None:
    # A classifier can mistake recipe steps for actions; nobody, nowhere and no toll means no event.
    text = "Fry the remaining sage leaves in a little oil until crisp. Police arrested 14 people in Athens."
    events = _assemble(text, ["ASSAULT", "COERCE"], gazetteer, locs=("Athens",))
    assert [event.event_type for event in events] == ["COERCE"]
    assert events[0].counts.arrested is not None
    assert events[0].counts.arrested.value == 14


def test_a_quoted_vague_number_held_in_jail_is_not_an_arrest(gazetteer: Gazetteer) -> None:
    text = (
        'Erdogan said: "Bashar, you who have thousands of people in jail, must find the culprits." '
        "Police arrested thousands of people in Athens on Friday."
    )
    events = _assemble(text, ["SANCTION", "COERCE"], gazetteer, locs=("Athens",))
    arrested = [event.counts.arrested for event in events if event.counts.arrested is not None]
    assert len(arrested) == 1
    assert "Athens" in events[-1].evidence[0].sentence


@pytest.mark.parametrize(
    "text",
    [
        "Senior superintendent of police B K Singh said the arrests were made when they defied prohibitory orders.",
        "A night-long curfew from 8 pm on Friday to 9 am on Saturday was imposed after looting.",
        "Over 30 activists were taken into custody at different places for deflating bus tyres.",
        "They brought him before the magistrate and arrested him under the explosives act.",
        "Two firearms and several rounds of ammunition were seized during the raid.",
    ],
)
def test_coercion_that_only_the_state_carries_out_is_the_authorities_event(gazetteer: Gazetteer, text: str) -> None:
    """No one is named, yet someone arrested them: without an actor the event would have nobody in it."""
    events = _assemble(text, ["COERCE"], gazetteer)
    assert [(e.event_type, e.actor.name if e.actor else None) for e in events] == [("COERCE", "authorities")]
    assert events[0].actor is not None and events[0].actor.kind == "government"


def test_an_unnamed_agent_stays_unnamed_outside_state_coercion(gazetteer: Gazetteer) -> None:
    assert _assemble("The building was set on fire after midnight.", ["ASSAULT"], gazetteer) == []
    assert _assemble("Talks were held in the morning.", ["COERCE"], gazetteer) == []


def test_a_say_word_used_as_a_noun_does_not_hide_the_actor(gazetteer: Gazetteer) -> None:
    text = "Police fired shots and tear gas but there were no reports of casualties."
    events = _assemble(text, ["ASSAULT"], gazetteer)
    assert [(e.actor.name if e.actor else None, e.attribution) for e in events] == [("police", None)]


def test_a_victim_named_by_who_she_is_makes_the_event(gazetteer: Gazetteer) -> None:
    events = _assemble("A 28-year-old woman was gang-raped on a bus in front of her daughter.", ["ASSAULT"], gazetteer)
    assert [(e.target.name, e.target.kind) if e.target else None for e in events] == [("woman", "civilians")]


@pytest.mark.parametrize(
    ("text", "place"),
    [
        # A country with no locative cue is the actor or the owner, not where: the event has no place.
        ("Ecuador shot down a Peruvian helicopter, killing five crew members.", None),
        ("Two aid workers were killed when their convoy was bombed, the UN envoy for Syria said.", None),
        ("Taiwan's aborigines clashed with police outside the ministry, injuring 12 officers.", None),
        # Over, on or along a country, or a part of it in the possessive, is where.
        ("Rebels shot down an army helicopter over southern Colombia, killing four soldiers.", "Colombia"),
        ("Gunmen attacked two border posts along Syria's northern border, killing six guards.", "Syria"),
        ("An earthquake destroyed villages on Cyprus, killing at least 40 people.", "Cyprus"),
        ("Gunmen killed 12 soldiers in Niger on Sunday.", "Niger"),
    ],
)
def test_a_country_named_without_a_cue_is_whose_or_who_not_where(
    gazetteer: Gazetteer, text: str, place: str | None
) -> None:
    events = _assemble(text, ["ASSAULT"], gazetteer)
    assert events, text
    located = [e.location.name for e in events if e.location is not None and e.location.inherited_from is None]
    assert located == ([place] if place else []), text

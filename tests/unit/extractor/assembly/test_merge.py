"""Merging the sentences about one occurrence, conservatively."""

from __future__ import annotations

from datetime import UTC, datetime

from newswire.common.models import ModelInfo
from newswire.extractor.assembly.events import assemble_events
from newswire.extractor.assembly.geo import Gazetteer
from newswire.extractor.sentences import split_sentences
from newswire.extractor.types import SentenceAnalysis

MODEL = ModelInfo(name="m", version="1", encoder="e")
PUBLISHED = datetime(2011, 11, 15, tzinfo=UTC)


def _assemble(text: str, types: list[str | None], gazetteer: Gazetteer):  # type: ignore[no-untyped-def]
    sentences = split_sentences(text)
    assert len(sentences) == len(types)
    analyses = [
        SentenceAnalysis(sentence=s, event_type=t, event_score=0.9) for s, t in zip(sentences, types, strict=True)
    ]
    return assemble_events(
        analyses, article_id="ab" * 32, text=text, published_at=PUBLISHED, model=MODEL, gazetteer=gazetteer
    )


def test_repeated_toll_merges(gazetteer: Gazetteer) -> None:
    text = (
        "At least 12 people were killed in Homs on Monday.\n"
        "Troops shelled the Bab Amr district.\n"
        "The 12 people killed in Homs on Monday included three children, activists said."
    )
    events = _assemble(text, ["ASSAULT", "ASSAULT", "ASSAULT"], gazetteer)
    tolls = [e for e in events if e.counts.killed is not None and e.counts.killed.value == 12]
    assert len(tolls) == 1 and len(tolls[0].evidence) == 2


def test_a_detail_sentence_with_only_a_carried_over_place_joins_the_occurrence(gazetteer: Gazetteer) -> None:
    text = (
        "A car bomb exploded near a crowded market in Kirkuk on Tuesday, killing nine people.\n"
        "The explosives had been packed into a parked car that was detonated by remote control."
    )
    (event,) = _assemble(text, ["ASSAULT", "ASSAULT"], gazetteer)
    assert event.location is not None and event.location.name == "Kirkuk" and event.location.inherited_from is None
    assert len(event.evidence) == 2


def test_different_tolls_stay_apart(gazetteer: Gazetteer) -> None:
    text = "Five soldiers were killed in Homs.\nSeven protesters were killed in Homs."
    events = _assemble(text, ["ASSAULT", "ASSAULT"], gazetteer)
    assert len(events) == 2


def test_different_places_stay_apart(gazetteer: Gazetteer) -> None:
    text = "Syrian security forces killed protesters in Homs.\nSyrian security forces killed protesters in Hama."
    events = _assemble(text, ["ASSAULT", "ASSAULT"], gazetteer)
    assert len(events) == 2


def test_same_actor_in_adjacent_sentences_merges(gazetteer: Gazetteer) -> None:
    text = "Erdogan urged Assad to step down.\nErdogan also urged Assad to punish the culprits."
    analyses = []
    for sentence in split_sentences(text):
        from newswire.extractor.types import EntitySpan

        entities = tuple(
            EntitySpan("PER", name, sentence.text.index(name), sentence.text.index(name) + len(name))
            for name in ("Erdogan", "Assad")
        )
        analyses.append(SentenceAnalysis(sentence=sentence, event_type="REQUEST", event_score=0.9, entities=entities))
    events = assemble_events(
        analyses, article_id="ab" * 32, text=text, published_at=PUBLISHED, model=MODEL, gazetteer=gazetteer
    )
    assert len(events) == 1 and len(events[0].evidence) == 2


def test_no_event_sentences_and_low_scores_are_dropped(gazetteer: Gazetteer) -> None:
    text = "Security forces killed five people in Homs.\nThe weather was fine."
    sentences = split_sentences(text)
    analyses = [
        SentenceAnalysis(sentence=sentences[0], event_type="ASSAULT", event_score=0.3),
        SentenceAnalysis(sentence=sentences[1], event_type=None, event_score=0.9),
    ]
    assert (
        assemble_events(
            analyses, article_id="ab" * 32, text=text, published_at=PUBLISHED, model=MODEL, gazetteer=gazetteer
        )
        == []
    )

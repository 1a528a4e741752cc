"""Attribution ("the observatory said") and modality (reported, claimed, threatened, planned, denied)."""

from __future__ import annotations

import pytest

from newswire.extractor.assembly.attribution import find_attribution, modality


@pytest.mark.parametrize(
    ("text", "source"),
    [
        ("At least 70 people have been killed across Syria, activists reported.", "activists"),
        ("Most of the victims were killed in Deraa, the observatory said in a statement.", "the observatory"),
        ('"Twenty-three people were shot dead by security forces," the statement said.', "the statement"),
        (
            "Four civilians were killed in the city of Homs, a protest hub, the rights group reported.",
            "the rights group",
        ),
        ('"I would step down," Abdullah said on Monday.', "Abdullah"),
        ("The UN says 3,500 people have been killed in the crackdown.", "UN"),
        ('Burhan Ghalioun, the Paris-based head of the SNC, said: "Russia has confirmed it."', "Burhan Ghalioun"),
        ("Three people died in the blast, according to the health ministry.", "the health ministry"),
    ],
)
def test_sources(text: str, source: str) -> None:
    found = find_attribution(text)
    assert found is not None and found.attribution.source == source
    assert found.attribution.phrase in text


def test_observatory_resolves_to_its_full_name() -> None:
    found = find_attribution(
        "Most victims died in Deraa, the observatory said.", ["Syrian Observatory for Human Rights"]
    )
    assert found is not None and found.attribution.source == "Syrian Observatory for Human Rights"


def test_no_attribution() -> None:
    assert find_attribution("Russia has repeatedly opposed Western efforts to impose sanctions.") is None
    # A say-word as a noun, after a clause of its own: no one is reporting here.
    assert find_attribution("Police fired shots and tear gas but there were no reports of casualties.") is None
    assert find_attribution("The claims of the opposition were denied.") is None


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("In Surat, police said that two clashing groups resorted to stone pelting on Tuesday night.", "police said"),
        ("Twelve died, activists said, adding that the army had shelled the district for hours.", "activists said"),
    ],
)
def test_a_trailing_attribution_does_not_swallow_the_event_after_it(text: str, phrase: str) -> None:
    found = find_attribution(text)
    assert found is not None and found.attribution.phrase == phrase
    assert text[found.start : found.end].strip(" ,") == phrase


def test_an_auxiliary_is_not_part_of_the_source() -> None:
    found = find_attribution("The minister has repeatedly said that the talks failed.")
    assert found is not None and found.attribution.source == "the minister"


@pytest.mark.parametrize(
    ("text", "event_type", "actor", "expected"),
    [
        ("Security forces killed 12 people in Homs.", "ASSAULT", "security forces", "asserted"),
        ("Security forces killed 12 people in Homs, activists said.", "ASSAULT", "security forces", "reported"),
        ("At least 70 people reportedly killed over past 24 hours.", "ASSAULT", None, "reported"),
        ("State media claimed that armed gangs killed 10 soldiers.", "ASSAULT", "armed gangs", "claimed"),
        ("The army denied that troops fired on protesters.", "ASSAULT", "troops", "denied"),
        ("The league threatened to impose sanctions on Syria.", "SANCTION", "league", "threatened"),
        ("The bloc will meet in Cairo on Wednesday.", "CONSULT", "bloc", "planned"),
        ("This comes ahead of an Arab League meeting in Cairo on Wednesday.", "CONSULT", "Arab League", "planned"),
        ("Erdogan also urged Assad to punish those responsible.", "REQUEST", "Erdogan", "asserted"),
    ],
)
def test_modality(text: str, event_type: str, actor: str | None, expected: str) -> None:
    found = find_attribution(text)
    assert modality(text, event_type, found.attribution if found else None, actor) == expected


def test_speaker_who_acts_asserts() -> None:
    text = '"I believe, if I were in his shoes, I would step down," Abdullah said on Monday.'
    found = find_attribution(text)
    assert found is not None
    assert modality(text, "REQUEST", found.attribution, "King Abdullah") == "asserted"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The army said its troops did not fire on the crowd.", "denied"),
        ("Police did not say how many people were arrested.", "asserted"),
        ("The ministry denied that any protesters were detained.", "denied"),
    ],
)
def test_negation_only_denies_the_event_itself(text: str, expected: str) -> None:
    assert modality(text, "COERCE", None, None) in (expected, "reported")
    assert (modality(text, "COERCE", None, None) == "denied") is (expected == "denied")

"""How `newswire extract` output is scored against the real-news sets (no model needed)."""

from __future__ import annotations

from typing import Any

from newswire.extractor.corpora import LabelledText
from newswire.extractor.event_scoring import (
    police_labels,
    predicted_quad,
    predicted_subtype,
    score_cameo,
    score_case,
    score_police,
    top_event,
)


def _event(event_type: str, confidence: float = 0.9, **fields: Any) -> dict[str, Any]:
    return {"event_type": event_type, "confidence": confidence, "counts": {}, **fields}


def _count(value: int, cumulative: bool = False) -> dict[str, Any]:
    return {"value": value, "phrase": str(value), "cumulative": cumulative}


def test_the_most_confident_event_stands_for_the_input() -> None:
    events = [_event("CONSULT", 0.6), _event("ASSAULT", 0.8, sub_event_type="ATTACK"), _event("PROTEST", 0.8)]
    assert top_event(events) == events[1]  # first in text order on a tie
    assert predicted_subtype(events) == "ATTACK"
    assert predicted_subtype([]) == "NONE"
    assert predicted_subtype([_event("ASSAULT")]) == "NONE"  # an event without a sub-type is a miss


def test_quad_class_of_the_top_event_and_statements() -> None:
    assert predicted_quad([]) == "statement"
    assert predicted_quad([_event("ASSAULT")]) == "material_conflict"
    assert predicted_quad([_event("ACCUSE")]) == "verbal_conflict"
    assert predicted_quad([_event("SANCTION")]) == "verbal_conflict"
    assert predicted_quad([_event("RETREAT")]) == "material_cooperation"
    # An appeal is filed with statements by the CAMEO sentence set.
    assert predicted_quad([_event("REQUEST")]) == "statement"


def test_police_labels_need_the_police_as_actor_except_for_arrests() -> None:
    police = {"name": "police", "kind": "state_forces"}
    mob = {"name": "mob", "kind": "civilians"}
    killed_by_police = _event("ASSAULT", actor=police, counts={"killed": _count(2)})
    assert police_labels([killed_by_police]) == {"KILL", "FORCE", "ANY_ACTION"}
    assert police_labels([_event("ASSAULT", actor=mob, counts={"killed": _count(5)})]) == frozenset()
    assert police_labels([_event("COERCE", counts={"arrested": _count(20)})]) == {"ARREST", "ANY_ACTION"}
    assert police_labels([_event("MOBILIZE", actor={"name": "policemen", "kind": "unknown"})]) == {"ANY_ACTION"}
    assert police_labels([_event("COERCE", mode="ARREST")]) == {"ARREST", "ANY_ACTION"}
    # "A curfew was imposed": coercion with nobody named is the state's; a crowd's is not.
    assert police_labels([_event("COERCE", mode="CURFEW")]) == {"ANY_ACTION"}
    assert police_labels([_event("COERCE", actor={"name": "rioters", "kind": "protesters"})]) == frozenset()
    assert police_labels([_event("ASSAULT")]) == frozenset()  # an attack by nobody named is nobody's
    # "73 people have died in police firing while 2,500 have been arrested": one COERCE event with the toll;
    # a killing by the police is force whatever type the event was coded.
    coerced = _event("COERCE", actor=police, mode="ARREST", counts={"killed": _count(73), "arrested": _count(2500)})
    assert police_labels([coerced]) == {"KILL", "FORCE", "ARREST", "ANY_ACTION"}
    # A running total is not something the police did in this sentence.
    tally = _event("ASSAULT", actor=police, counts={"killed": _count(300, cumulative=True)})
    assert "KILL" not in police_labels([tally])


def test_set_scores_count_no_event_as_an_answer() -> None:
    rows = [
        LabelledText("a", "case", True, subtype="ATTACK", plover_type="ASSAULT"),
        LabelledText("b", "case", True, subtype="NATURAL_DISASTER"),
    ]
    case = score_case(rows, [[_event("ASSAULT", sub_event_type="ATTACK")], []])
    assert case.event_rate == 0.5 and case.gold_rate == 1.0
    assert case.extra["no_event_share_political"] == 0.0
    assert 0.4 < case.score < 0.6  # right on one class of two, equally weighted

    cameo_rows = [LabelledText("s", "cameo", False, quad=0), LabelledText("t", "cameo", True, quad=4)]
    cameo = score_cameo(cameo_rows, [[], [_event("ASSAULT")]])
    assert cameo.score == 1.0 and cameo.rate_within()

    police_rows = [
        LabelledText("x", "police-dev", True, police=frozenset({"ARREST", "ANY_ACTION"})),
        LabelledText("y", "police-dev", False),
    ]
    police = score_police(police_rows, [[_event("COERCE", counts={"arrested": _count(3)})], [_event("ASSAULT")]])
    assert police.extra["f1_arrest"] == 1.0
    assert police.event_rate == 1.0 and police.gold_rate == 0.5 and not police.rate_within()

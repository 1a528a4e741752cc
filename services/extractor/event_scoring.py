"""How `newswire extract` output is scored against the real-news sets (pure functions, no model).

Each input (a sentence or a snippet) yields zero or more events as `newswire extract` prints them (JSON
objects). The unit of scoring is the input: its most confident event stands for it, and no event is an
answer too ("no event", "statement"). `benchmarks/event_quality.py` runs the pipeline and calls these.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .corpora import QUAD_NAMES, LabelledText, quad_of

NO_EVENT = "NONE"
POLICE_SCORED = ("KILL", "ARREST", "FORCE", "ANY_ACTION")
_STATE_WORDS = ("police", "constable", "cop", "officer", "army", "troops", "soldier", "forces", "rpf", "crpf")


def top_event(events: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The input's most confident event (first in text order on a tie)."""
    best: Mapping[str, Any] | None = None
    for event in events:
        if best is None or float(event.get("confidence", 0.0)) > float(best.get("confidence", 0.0)):
            best = event
    return best


def predicted_subtype(events: Sequence[Mapping[str, Any]]) -> str:
    event = top_event(events)
    return str(event.get("sub_event_type") or NO_EVENT) if event is not None else NO_EVENT


def predicted_quad(events: Sequence[Mapping[str, Any]]) -> str:
    event = top_event(events)
    return QUAD_NAMES[quad_of(str(event["event_type"]) if event is not None else None)]


def _is_state_actor(actor: Mapping[str, Any] | None) -> bool:
    if not actor:
        return False
    if actor.get("kind") == "state_forces":
        return True
    name = str(actor.get("name") or "").lower()
    return any(word in name for word in _STATE_WORDS)


def _count(event: Mapping[str, Any], field: str) -> bool:
    counts = event.get("counts") or {}
    value = counts.get(field)
    return isinstance(value, dict) and not value.get("cumulative")


# Coercion and mobilisation are the state's acts unless the text names someone else as doing them: "a
# curfew was imposed", "forces were deployed", "20 were detained" carry no actor but are the police's.
_STATE_BY_DEFAULT = ("COERCE", "MOBILIZE")
_NON_STATE_KINDS = ("rebels", "protesters", "civilians")


def police_labels(events: Sequence[Mapping[str, Any]]) -> frozenset[str]:
    """What the events say the police did, in the police set's terms.

    KILL: a killing by police or state forces. ARREST: an arrest or detention (a count of people
    arrested, the ARREST sub-type or the COERCE/ARREST mode, whoever is named: arrests are the state's).
    FORCE: an assault by police or state forces (a killing, a beating, firing, crowd control).
    ANY_ACTION: any of those, or any other event whose actor is police, state forces or government, or a
    coercion or mobilisation with no non-state actor named.
    """
    found: set[str] = set()
    for event in events:
        actor = event.get("actor")
        state = _is_state_actor(actor)
        kind = str((actor or {}).get("kind") or "")
        arrest = (
            _count(event, "arrested")
            or event.get("sub_event_type") == "ARREST"
            or (event.get("event_type") == "COERCE" and event.get("mode") == "ARREST")
        )
        if arrest:
            found.add("ARREST")
        if state and _count(event, "killed"):
            found.update(("KILL", "FORCE"))  # a killing is force, whatever type the event was coded
        if state and event.get("event_type") == "ASSAULT":
            found.add("FORCE")
        unnamed_state_act = event.get("event_type") in _STATE_BY_DEFAULT and kind not in _NON_STATE_KINDS
        if state or arrest or kind == "government" or unnamed_state_act:
            found.add("ANY_ACTION")
    if found & {"KILL", "FORCE"}:
        found.add("ANY_ACTION")
    return frozenset(found)


@dataclass(frozen=True)
class SetScore:
    """One data set's end-to-end figures."""

    name: str
    metric: str
    score: float
    event_rate: float
    gold_rate: float
    inputs: int
    extra: dict[str, float]

    def rate_within(self, tolerance: float = 0.2) -> bool:
        return abs(self.event_rate - self.gold_rate) <= tolerance * self.gold_rate


def _event_rate(predictions: Sequence[Sequence[Mapping[str, Any]]]) -> float:
    return sum(1 for events in predictions if events) / max(1, len(predictions))


def score_case(rows: Sequence[LabelledText], predictions: Sequence[Sequence[Mapping[str, Any]]]) -> SetScore:
    from sklearn.metrics import f1_score

    truth = [str(row.subtype) for row in rows]
    predicted = [predicted_subtype(events) for events in predictions]
    political = [i for i, row in enumerate(rows) if row.plover_type is not None]
    no_event = [not events for events in predictions]
    return SetScore(
        name="case",
        metric="ACLED-style sub-type weighted F1",
        score=float(f1_score(truth, predicted, labels=sorted(set(truth)), average="weighted", zero_division=0)),
        event_rate=_event_rate(predictions),
        gold_rate=1.0,
        inputs=len(rows),
        extra={
            "macro_f1": float(f1_score(truth, predicted, labels=sorted(set(truth)), average="macro", zero_division=0)),
            "no_event_share": sum(no_event) / max(1, len(rows)),
            "no_event_share_political": sum(no_event[i] for i in political) / max(1, len(political)),
        },
    )


def score_police(rows: Sequence[LabelledText], predictions: Sequence[Sequence[Mapping[str, Any]]]) -> SetScore:
    from sklearn.metrics import f1_score

    predicted = [police_labels(events) for events in predictions]
    per_label = {}
    for label in POLICE_SCORED:
        truth = [label in row.police for row in rows]
        guess = [label in labels for labels in predicted]
        per_label[label] = float(f1_score(truth, guess, zero_division=0))
    gold_rate = sum(1 for row in rows if row.is_event) / max(1, len(rows))
    return SetScore(
        name="police",
        metric="police-action macro F1 (KILL, ARREST, FORCE, ANY_ACTION)",
        score=sum(per_label.values()) / len(per_label),
        event_rate=_event_rate(predictions),
        gold_rate=gold_rate,
        inputs=len(rows),
        extra={f"f1_{label.lower()}": value for label, value in per_label.items()},
    )


def score_cameo(rows: Sequence[LabelledText], predictions: Sequence[Sequence[Mapping[str, Any]]]) -> SetScore:
    from sklearn.metrics import f1_score

    truth = [QUAD_NAMES[int(row.quad or 0)] for row in rows]
    predicted = [predicted_quad(events) for events in predictions]
    gold_rate = sum(1 for row in rows if row.is_event) / max(1, len(rows))
    return SetScore(
        name="cameo",
        metric="quad-class weighted F1 (no event = statement)",
        score=float(f1_score(truth, predicted, labels=list(QUAD_NAMES), average="weighted", zero_division=0)),
        event_rate=_event_rate(predictions),
        gold_rate=gold_rate,
        inputs=len(rows),
        extra={
            "macro_f1": float(f1_score(truth, predicted, labels=list(QUAD_NAMES), average="macro", zero_division=0)),
            "event_quad_weighted_f1": float(
                f1_score(
                    [t for t, row in zip(truth, rows, strict=True) if row.is_event],
                    [p for p, row in zip(predicted, rows, strict=True) if row.is_event],
                    labels=list(QUAD_NAMES[1:]),
                    average="weighted",
                    zero_division=0,
                )
            ),
        },
    )


def score_background(predictions: Sequence[Sequence[Mapping[str, Any]]]) -> SetScore:
    """Sentences that report nothing (CAMEO statements, police-set sentences with no action)."""
    return SetScore(
        name="background",
        metric="share of no-event sentences that yield no event",
        score=1.0 - _event_rate(predictions),
        event_rate=_event_rate(predictions),
        gold_rate=0.0,
        inputs=len(predictions),
        extra={},
    )

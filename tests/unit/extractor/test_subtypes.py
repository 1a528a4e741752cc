"""ACLED-style sub-types: the PLOVER compatibility table, the confidence rules, and the CV scores."""

from __future__ import annotations

import json

import numpy as np
import pytest

from newswire.extractor.heads import (
    DISASTER,
    SUBTYPE_COMPATIBILITY,
    SUBTYPE_MIN_CONFIDENCE,
    compatible_subtype,
)
from newswire.extractor.training import SubtypeData, cv_subtypes, subtype_probabilities, train_subtypes
from newswire.extractor.training.heads.subtypes import out_of_fold_subtypes
from tests.support import paths

MODELS = paths.MODELS
SUBTYPE_LABELS: list[str] = json.loads((MODELS / "acled-subtype" / "labels.json").read_text())["labels"]
PLOVER_LABELS: list[str] = json.loads((MODELS / "plover-event-type" / "labels.json").read_text())["labels"]


def _probs(**mass: float) -> np.ndarray:
    """A probability vector over the committed head's labels: the named mass, the rest spread evenly."""
    probs = np.zeros(len(SUBTYPE_LABELS), dtype=np.float32)
    for label, p in mass.items():
        probs[SUBTYPE_LABELS.index(label)] = p
    rest = [i for i, label in enumerate(SUBTYPE_LABELS) if label not in mass]
    probs[rest] = (1.0 - sum(mass.values())) / len(rest)
    return probs


def test_table_uses_only_labels_the_heads_know() -> None:
    assert set(SUBTYPE_COMPATIBILITY) <= (set(PLOVER_LABELS) - {"NONE"}) | {DISASTER}
    for allowed in SUBTYPE_COMPATIBILITY.values():
        assert allowed <= set(SUBTYPE_LABELS)


def test_table_encodes_the_obvious_pairings() -> None:
    assert {"ATTACK", "ARMED_CLASH", "AIR_STRIKE", "ART_MISS_ATTACK"} <= SUBTYPE_COMPATIBILITY["ASSAULT"]
    assert SUBTYPE_COMPATIBILITY["PROTEST"] >= {"PEACE_PROTEST", "PROTEST_WITH_INTER", "FORCE_AGAINST_PROTEST"}
    assert "ARREST" in SUBTYPE_COMPATIBILITY["COERCE"]
    assert SUBTYPE_COMPATIBILITY["AGREE"] == {"AGREEMENT"}
    assert all("OTHER" not in allowed for allowed in SUBTYPE_COMPATIBILITY.values())
    for disaster in ("NATURAL_DISASTER", "MAN_MADE_DISASTER"):
        assert [kind for kind, allowed in SUBTYPE_COMPATIBILITY.items() if disaster in allowed] == [DISASTER]
    for without in ("REQUEST", "AID", "SUPPORT", "THREATEN"):
        assert without not in SUBTYPE_COMPATIBILITY


def test_an_incompatible_favourite_yields_no_sub_type() -> None:
    # The seed article's death toll: the head's favourite is a disaster, far ahead of any assault sub-type.
    death_toll = _probs(NATURAL_DISASTER=0.36, FORCE_AGAINST_PROTEST=0.07, ATTACK=0.06)
    label, score = compatible_subtype("ASSAULT", SUBTYPE_LABELS, death_toll)
    assert label is None
    assert score == pytest.approx(0.07, abs=1e-6)


def test_types_without_sub_types_get_none_whatever_the_head_says() -> None:
    # King Abdullah's call on Assad to step down (REQUEST) used to come out as a territorial takeover.
    call = _probs(NON_STATE_ACTOR_OVERTAKES_TER=0.6)
    assert compatible_subtype("REQUEST", SUBTYPE_LABELS, call) == (None, 0.0)
    assert compatible_subtype(None, SUBTYPE_LABELS, call) == (None, 0.0)
    assert compatible_subtype("NONE", SUBTYPE_LABELS, call) == (None, 0.0)


def test_the_best_compatible_sub_type_wins_when_it_is_close_to_the_top() -> None:
    shot = _probs(ATTACK=0.18, NATURAL_DISASTER=0.2, ARMED_CLASH=0.1)
    label, score = compatible_subtype("ASSAULT", SUBTYPE_LABELS, shot)
    assert label == "ATTACK"
    assert score == pytest.approx(0.18, abs=1e-6)
    # The same head output under PROTEST has no protest sub-type anywhere near the top.
    assert compatible_subtype("PROTEST", SUBTYPE_LABELS, shot)[0] is None


def test_low_confidence_gives_no_sub_type() -> None:
    flat = _probs(ATTACK=SUBTYPE_MIN_CONFIDENCE - 0.02)
    assert compatible_subtype("ASSAULT", SUBTYPE_LABELS, flat)[0] is None
    assert compatible_subtype("ASSAULT", SUBTYPE_LABELS, flat, min_confidence=0.05)[0] == "ATTACK"


def test_cv_scores_report_coverage_and_accuracy_of_confident_predictions() -> None:
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(3, 16)).astype(np.float32) * 4
    labels = [name for name in ("ARREST", "ATTACK", "DIPLO") for _ in range(20)]
    features = np.concatenate([centres[i] + rng.normal(size=(20, 16)).astype(np.float32) for i in range(3)])
    scores = cv_subtypes(SubtypeData(labels, features), folds=5, seed=13)
    assert scores["weighted_f1"] == pytest.approx(1.0)
    assert scores["confident_coverage"] == pytest.approx(1.0)
    assert scores["confident_accuracy"] == pytest.approx(1.0)
    noise = rng.normal(size=(60, 16)).astype(np.float32)
    noisy = cv_subtypes(SubtypeData(labels, noise), folds=5, seed=13)
    assert 0.0 <= noisy["confident_accuracy"] <= 1.0
    assert noisy["weighted_f1"] < 0.8


def test_out_of_fold_probabilities_come_from_heads_that_never_saw_the_row() -> None:
    """Noise a head can memorise: fitted on every row it names them back, held out it is at chance. The
    columns are the sorted labels, whichever a fold's head happened to know."""
    rng = np.random.default_rng(1)
    labels = [name for name in ("DIPLO", "ARREST", "ATTACK") for _ in range(20)]
    data = SubtypeData(labels, rng.normal(size=(60, 96)).astype(np.float32))
    seen = train_subtypes(data, seed=13)
    in_sample = np.array(seen.labels)[subtype_probabilities(seen, data).argmax(axis=1)]
    assert (in_sample == np.array(labels)).mean() > 0.9
    classes, probabilities = out_of_fold_subtypes(data, folds=5, seed=13)
    assert classes == ["ARREST", "ATTACK", "DIPLO"]
    assert probabilities.shape == (60, 3)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    held_out = np.array(classes)[probabilities.argmax(axis=1)]
    assert (held_out == np.array(labels)).mean() < 0.6

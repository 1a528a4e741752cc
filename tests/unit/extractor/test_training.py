"""Detector, quad-class and type heads trained on small made-up data (no encoder, no shared data)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from newswire.extractor import training as event_training
from newswire.extractor.corpora import LabelledText
from newswire.extractor.heads import DenseHead
from newswire.extractor.lexical import lexical_matrix

_EVENTS = ["Troops shelled the village at dawn.", "Police arrested forty protesters.", "Rebels stormed the base."]
_TALK = ["The minister condemned the decision.", "The envoy criticised the ruling.", "Officials denounced the move."]
_NOTHING = ["The city is home to two million people.", "Analysts say growth will slow.", "The river is long."]


def _real(rng: np.random.Generator) -> event_training.RealNews:
    rows: list[LabelledText] = []
    for index in range(120):
        kind = index % 3
        text = [_EVENTS, _TALK, _NOTHING][kind][index % 3] + f" ({index})"
        is_event = kind != 2
        quad = {0: 4, 1: 3, 2: 0}[kind]
        rows.append(LabelledText(text, "cameo", is_event, quad=quad, plover_type="ASSAULT" if kind == 0 else None))
    # The embedding carries a weak, noisy version of the label; the words carry it cleanly.
    features = rng.normal(size=(len(rows), 8)).astype(np.float32)
    features[:, 0] += np.array([1.0 if row.is_event else -1.0 for row in rows], dtype=np.float32)
    return event_training.RealNews(rows, features, lexical_matrix([row.text for row in rows]))


def _synthetic(rng: np.random.Generator) -> event_training.SyntheticTypes:
    texts = ["The army attacked the town.", "The president accused the rebels of lying.", "Leaders met in Geneva."]
    labels = ["ASSAULT", "ACCUSE", "CONSULT"] * 10
    features = rng.normal(size=(30, 8)).astype(np.float32)
    return event_training.SyntheticTypes(
        features=features,
        lexical=lexical_matrix(texts * 10),
        labels=labels,
        weights=np.ones(30, dtype=np.float32),
        negatives=rng.normal(size=(3, 8)).astype(np.float32),
        negatives_lexical=lexical_matrix(["Share this article.", "Sign up now.", "All rights reserved."]),
        positives=rng.normal(size=(2, 8)).astype(np.float32),
        positives_lexical=lexical_matrix(["Gunmen attacked a bus.", "Police fired tear gas."]),
    )


def test_detector_is_calibrated_and_reads_words(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    real, synthetic = _real(rng), _synthetic(rng)
    head = event_training.train_detector(real, synthetic, seed=1)
    assert head.lexical is not None
    assert set(head.meta["calibration"]) >= {"slope", "intercept"}
    assert 0 <= head.meta["scores"]["heldout_ece"] < 0.2
    head.save(tmp_path / "detector")
    loaded = DenseHead.load(tmp_path / "detector")
    texts = ["Soldiers shelled the village again.", "The city is home to many people."]
    words = lexical_matrix(texts)
    probs = event_training.calibrated_event_probability(loaded, np.zeros((2, 8), np.float32), words)
    # Same (empty) embedding: the words alone tell the shelling from the description.
    assert probs[0] > 0.5 and probs[0] - probs[1] > 0.2


def test_quad_and_type_heads_and_held_out_texts() -> None:
    rng = np.random.default_rng(1)
    real, synthetic = _real(rng), _synthetic(rng)
    quad = event_training.train_quad(real, synthetic, seed=1)
    assert set(quad.labels) == {"statement", "verbal_cooperation", "verbal_conflict", "material_conflict"}
    words = lexical_matrix(["The minister condemned the attack."])
    assert quad.labels[int(quad.predict_proba(np.zeros((1, 8), np.float32), words).argmax())] == "verbal_conflict"
    types = event_training.train_types(real, synthetic, seed=1)
    assert set(types.labels) == {"ASSAULT", "ACCUSE", "CONSULT"}
    held_out = {row.text for row in real.rows[:30]}
    remaining = event_training.without(real, held_out)
    assert len(remaining.rows) == 90 and remaining.lexical.shape[0] == 90
    assert not held_out & {row.text for row in remaining.rows}


def test_expected_calibration_error() -> None:
    truth = np.array([True, False] * 50)
    assert event_training.expected_calibration_error(np.full(100, 0.5, np.float32), truth) < 1e-6
    assert event_training.expected_calibration_error(np.full(100, 0.95, np.float32), truth) > 0.4

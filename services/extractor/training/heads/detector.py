"""The event detector: does a sentence report an occurrence? Learnt from real news, Platt-calibrated.

Positives are the CAMEO sentences of the four quad classes, police-action sentences, CASE snippets and
PLOVER gold records; negatives are the CAMEO statements, police-set sentences where the police did nothing
(mostly background, comment and politics), our boilerplate lines and CoNLL sports and market sentences.
Its probability is calibrated (Platt scaling on a held-out fifth of the real sentences) so that a
threshold means what it says; `heads.calibrated_event_probability` applies that calibration at run time.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import numpy.typing as npt

from ...arrays import FloatArray
from ...heads import EVENT_LABEL, NOT_EVENT_LABEL, DenseHead, detector_margin
from ..event_sets import RealNews, SyntheticTypes
from .dense import HEAD_C, fit_with_words, stack_rows

CALIBRATION_SHARE = 0.2


# How much each source counts. The CAMEO sentences are the only real, general-news sentences labelled
# for event vs statement, so they weigh most; police-set sentences are many and about one topic.
_DETECTOR_WEIGHT = {"cameo": 3.0, "police-train": 1.0, "case": 2.0, "gsr": 2.0}


def _detector_set(real: RealNews, synthetic: SyntheticTypes) -> tuple[FloatArray, Any, list[str], FloatArray]:
    labelled = [i for i, row in enumerate(real.rows) if row.is_event is not None]
    features = np.concatenate([real.features[labelled], synthetic.negatives, synthetic.positives])
    lexical = stack_rows(real.lexical[labelled], synthetic.negatives_lexical, synthetic.positives_lexical)
    labels = [EVENT_LABEL if real.rows[i].is_event else NOT_EVENT_LABEL for i in labelled]
    labels += [NOT_EVENT_LABEL] * len(synthetic.negatives) + [EVENT_LABEL] * len(synthetic.positives)
    weights = [_DETECTOR_WEIGHT.get(real.rows[i].corpus, 1.0) for i in labelled]
    weights += [1.0] * len(synthetic.negatives) + [3.0] * len(synthetic.positives)
    return features, lexical, labels, np.array(weights, dtype=np.float32)


def _platt(scores: FloatArray, truth: npt.NDArray[np.bool_]) -> tuple[float, float]:
    """Slope and intercept mapping a raw logit margin to a calibrated probability."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=1e4, max_iter=1000)
    model.fit(scores.reshape(-1, 1), truth.astype(int))
    return float(model.coef_[0, 0]), float(model.intercept_[0])


def expected_calibration_error(probs: FloatArray, truth: npt.NDArray[np.bool_], bins: int = 10) -> float:
    """Mean |accuracy - confidence| over equal-width probability bins, weighted by bin size."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    total = 0.0
    for low, high in itertools.pairwise(edges):
        inside = (probs >= low) & ((probs < high) if high < 1.0 else (probs <= high))
        if inside.any():
            total += float(inside.sum()) * abs(float(truth[inside].mean()) - float(probs[inside].mean()))
    return total / max(1, len(probs))


def train_detector(real: RealNews, synthetic: SyntheticTypes, seed: int) -> DenseHead:
    """Fit on four fifths of the real sentences, calibrate on the fifth, refit on all with that calibration."""
    rng = np.random.default_rng(seed)
    labelled = np.array([row.is_event is not None for row in real.rows])
    held = labelled & (rng.random(len(real.rows)) < CALIBRATION_SHARE)
    features, lexical, labels, weights = _detector_set(real.select(~held), synthetic)
    first = fit_with_words(features, lexical, labels, weights, seed, c=HEAD_C, balanced=False)
    truth = np.array([bool(real.rows[i].is_event) for i in np.flatnonzero(held)])
    margins = detector_margin(first, real.features[held], real.lexical[np.flatnonzero(held)])
    slope, intercept = _platt(margins, truth)
    calibrated = 1.0 / (1.0 + np.exp(-(slope * margins + intercept)))
    features, lexical, labels, weights = _detector_set(real, synthetic)
    head = fit_with_words(features, lexical, labels, weights, seed, c=HEAD_C, balanced=False)
    head.meta = {
        **head.meta,
        "calibration": {"slope": slope, "intercept": intercept, "method": "Platt scaling on the logit margin"},
        "scores": {
            "heldout_ece": expected_calibration_error(calibrated.astype(np.float32), truth),
            "heldout_event_rate": float(truth.mean()),
            "heldout_predicted_rate_at_0.5": float((calibrated >= 0.5).mean()),
            "heldout_sentences": int(held.sum()),
        },
    }
    return head

"""Event detection, quad class and PLOVER type heads, trained on real news sentences.

The first heads learnt "event or not" and the type from synthetic stories and hand-written lines, and
on real news they called nearly every sentence an event. These three heads learn from real sentences:

- `event-detector`: does the sentence report an occurrence? Positives are the CAMEO sentences of the
  four quad classes, police-action sentences, CASE snippets and PLOVER gold records; negatives are the
  CAMEO statements, police-set sentences where the police did nothing (mostly background, comment and
  politics), our boilerplate lines and CoNLL sports and market sentences. Its probability is calibrated
  (Platt scaling on a held-out fifth of the real sentences) so that a threshold means what it says.
- `quad-class`: verbal or material, cooperation or conflict, from the CAMEO sentences and the sets whose
  labels imply a quad class.
- `plover-event-type`: the PLOVER type, from the synthetic stories' titles and codebook definitions plus
  the real sentences whose labels map to a type (CASE sub-types, police kills and arrests, gold records).

The analyzer combines the last two (p(type) x p(quad of type)) so that a type never contradicts the quad
class the real sentences taught. `exclude` leaves chosen texts out of every head, which is how the
end-to-end benchmark retrains inside each cross-validation fold.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from . import corpora
from .arrays import FloatArray
from .corpora import LabelledText
from .heads import DenseHead
from .lexical import lexical_matrix

EVENT_LABEL = "EVENT"
NOT_EVENT_LABEL = "NONE"
CALIBRATION_SHARE = 0.2
HEAD_C = 4.0  # inverse L2 strength; 5-fold CV on the CAMEO sentences preferred 4 to 1 with word features
REAL_NEWS_DATA = f"{corpora.CAMEO_FILE}, {corpora.POLICE_DIR}/train.tsv, {corpora.CASE_FILE}, {corpora.GSR_FILE}"


@dataclass
class RealNews:
    """Every labelled real sentence with its frozen-encoder features, row for row."""

    rows: list[LabelledText]
    features: FloatArray
    lexical: Any  # scipy CSR, lexical.lexical_matrix of the same rows

    def select(self, keep: npt.NDArray[np.bool_]) -> RealNews:
        index = np.flatnonzero(keep)
        return RealNews([self.rows[i] for i in index], self.features[index], self.lexical[index])


@dataclass
class SyntheticTypes:
    """The synthetic-story views and definitions that teach PLOVER types (no real sentence among them)."""

    features: FloatArray
    lexical: Any  # scipy CSR of the same rows' text
    labels: list[str]
    weights: FloatArray
    negatives: FloatArray  # boilerplate fixture and CoNLL sports/market sentences: never events
    negatives_lexical: Any
    positives: FloatArray  # our own written event sentences (models/training/event-sentences.tsv)
    positives_lexical: Any


def load_real_news(data: Path) -> list[LabelledText]:
    """Training sets only: the police set's dev split is kept for scoring."""
    return [
        *corpora.load_cameo(data),
        *corpora.load_police(data, "train"),
        *corpora.load_case(data),
        *corpora.load_gsr(data),
    ]


def encode_real_news(rows: Sequence[LabelledText], features_of: Any) -> RealNews:
    """`features_of` is `FeatureCache.sentence_features` (texts -> [N, F])."""
    texts = [row.text for row in rows]
    return RealNews(list(rows), features_of(texts, progress="real news sentences"), lexical_matrix(texts))


def _fit(
    features: FloatArray,
    lexical: Any,
    labels: Sequence[str],
    weights: FloatArray,
    seed: int,
    c: float,
    balanced: bool,
) -> DenseHead:
    """Logistic regression on [embedding ; hashed words]; the two weight blocks become one DenseHead."""
    import scipy.sparse
    from sklearn.linear_model import LogisticRegression

    stacked = scipy.sparse.hstack([scipy.sparse.csr_matrix(features), lexical]).tocsr()
    model = LogisticRegression(C=c, max_iter=3000, class_weight="balanced" if balanced else None, random_state=seed)
    model.fit(stacked, list(labels), sample_weight=weights)
    return DenseHead.from_logistic_regression(model, embedding_columns=features.shape[1])


def _stack(*blocks: Any) -> Any:
    import scipy.sparse

    return scipy.sparse.vstack(blocks).tocsr()


# How much each source counts. The CAMEO sentences are the only real, general-news sentences labelled
# for event vs statement, so they weigh most; police-set sentences are many and about one topic.
_DETECTOR_WEIGHT = {"cameo": 3.0, "police-train": 1.0, "case": 2.0, "gsr": 2.0}


def _detector_set(real: RealNews, synthetic: SyntheticTypes) -> tuple[FloatArray, Any, list[str], FloatArray]:
    labelled = [i for i, row in enumerate(real.rows) if row.is_event is not None]
    features = np.concatenate([real.features[labelled], synthetic.negatives, synthetic.positives])
    lexical = _stack(real.lexical[labelled], synthetic.negatives_lexical, synthetic.positives_lexical)
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


def detector_margin(head: DenseHead, features: FloatArray, lexical: Any) -> FloatArray:
    logits = head.logits(features, lexical)
    event = head.labels.index(EVENT_LABEL)
    margin: FloatArray = (logits[:, event] - logits[:, 1 - event]).astype(np.float32)
    return margin


def train_detector(real: RealNews, synthetic: SyntheticTypes, seed: int) -> DenseHead:
    """Fit on four fifths of the real sentences, calibrate on the fifth, refit on all with that calibration."""
    rng = np.random.default_rng(seed)
    labelled = np.array([row.is_event is not None for row in real.rows])
    held = labelled & (rng.random(len(real.rows)) < CALIBRATION_SHARE)
    features, lexical, labels, weights = _detector_set(real.select(~held), synthetic)
    first = _fit(features, lexical, labels, weights, seed, c=HEAD_C, balanced=False)
    truth = np.array([bool(real.rows[i].is_event) for i in np.flatnonzero(held)])
    margins = detector_margin(first, real.features[held], real.lexical[np.flatnonzero(held)])
    slope, intercept = _platt(margins, truth)
    calibrated = 1.0 / (1.0 + np.exp(-(slope * margins + intercept)))
    features, lexical, labels, weights = _detector_set(real, synthetic)
    head = _fit(features, lexical, labels, weights, seed, c=HEAD_C, balanced=False)
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


def calibrated_event_probability(head: DenseHead, features: FloatArray, lexical: Any) -> FloatArray:
    """p(the sentence reports an occurrence), with the head's stored calibration (identity if none)."""
    margin = detector_margin(head, features, lexical)
    calibration = head.meta.get("calibration") or {}
    slope = float(calibration.get("slope", 1.0))
    intercept = float(calibration.get("intercept", 0.0))
    probs: FloatArray = (1.0 / (1.0 + np.exp(-(slope * margin + intercept)))).astype(np.float32)
    return probs


_QUAD_WEIGHT = {"cameo": 3.0, "police-train": 0.5, "case": 1.0, "gsr": 2.0}


def train_quad(real: RealNews, synthetic: SyntheticTypes, seed: int) -> DenseHead:
    """Five classes: the four quads and "statement / appeal", the class the CAMEO set gives appeals and
    the one a REQUEST belongs to. Whether a sentence is an event at all is the detector's business."""
    rows = [i for i, row in enumerate(real.rows) if row.quad is not None]
    synthetic_quads = [corpora.PLOVER_QUAD.get(label) for label in synthetic.labels]
    synthetic_rows = [i for i, quad in enumerate(synthetic_quads) if quad is not None]
    features = np.concatenate([real.features[rows], synthetic.features[synthetic_rows]])
    lexical = _stack(real.lexical[rows], synthetic.lexical[synthetic_rows])
    labels = [corpora.QUAD_NAMES[int(real.rows[i].quad or 0)] for i in rows]
    labels += [corpora.QUAD_NAMES[int(synthetic_quads[i] or 0)] for i in synthetic_rows]
    weights = [_QUAD_WEIGHT.get(real.rows[i].corpus, 1.0) for i in rows]
    weights += [0.5 * float(synthetic.weights[i]) for i in synthetic_rows]
    return _fit(features, lexical, labels, np.array(weights, dtype=np.float32), seed, c=HEAD_C, balanced=True)


def train_types(real: RealNews, synthetic: SyntheticTypes, seed: int) -> DenseHead:
    """PLOVER types: synthetic views and definitions plus the real sentences whose labels name a type."""
    rows = [i for i, row in enumerate(real.rows) if row.plover_type is not None]
    features = np.concatenate([synthetic.features, real.features[rows]])
    lexical = _stack(synthetic.lexical, real.lexical[rows])
    labels = list(synthetic.labels) + [str(real.rows[i].plover_type) for i in rows]
    weights = np.concatenate([synthetic.weights, np.full(len(rows), 2.0, dtype=np.float32)])
    return _fit(features, lexical, labels, weights.astype(np.float32), seed, c=HEAD_C, balanced=True)


def without(real: RealNews, excluded_texts: Collection[str]) -> RealNews:
    """The sentences not held out (for a cross-validation fold)."""
    if not excluded_texts:
        return real
    excluded = set(excluded_texts)
    return real.select(np.array([row.text not in excluded for row in real.rows]))

"""The ACLED-style sub-type head: copies of the encoder's top layers fine-tuned (`top_layers.py`) on the
cached hidden state below them, or logistic regression on frozen features where the encoder cannot."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ...arrays import FloatArray, IntArray
from ...heads import SUBTYPE_MIN_CONFIDENCE, DenseHead, TransformerHead
from ...top_layers import TopLayerConfig, fit_top_layers, supports_top_layers
from ..data import ACLED_FILE, load_acled
from ..features import FeatureCache
from ..progress import log_progress
from .dense import fit_dense


@dataclass
class SubtypeData:
    """The ACLED-style snippets as every sub-type head kind reads them."""

    labels: list[str]
    pooled: FloatArray  # [N, 2H] frozen features, for the dense fallback
    states: FloatArray | None = None  # [N, T, H] hidden states below the fine-tuned layers
    mask: IntArray | None = None


DEFAULT_TOP_LAYERS = TopLayerConfig()


def build_subtype_data(
    cache: FeatureCache, data: Path, config: TopLayerConfig | None = DEFAULT_TOP_LAYERS
) -> SubtypeData:
    """Frozen features always; hidden states too when the encoder can fine-tune its top layers (and
    `config` asks for it: None means the logistic-regression head)."""
    texts, labels = load_acled(data / ACLED_FILE)
    pooled = cache.sentence_features(texts, progress="acled snippets")
    if config is None or not supports_top_layers(cache.encoder.model):
        return SubtypeData(labels, pooled)
    tap = cache.encoder.layer_count - config.layers
    states, mask = cache.layer_states(texts, tap, progress=f"acled snippets, layer {tap}")
    return SubtypeData(labels, pooled, states, mask)


def train_subtypes(
    data: SubtypeData,
    seed: int,
    model: Any = None,
    config: TopLayerConfig | None = None,
    initial: TransformerHead | None = None,
) -> DenseHead | TransformerHead:
    """Fine-tuned top layers where the encoder allows it (`model` given), else logistic regression."""
    if model is not None and data.states is not None and data.mask is not None:
        return fit_top_layers(model, data.states, data.mask, data.labels, seed, config, initial)
    return fit_dense(data.pooled, data.labels, seed)


def subtype_subset(data: SubtypeData, index: IntArray) -> SubtypeData:
    return SubtypeData(
        labels=[data.labels[i] for i in index],
        pooled=data.pooled[index],
        states=data.states[index] if data.states is not None else None,
        mask=data.mask[index] if data.mask is not None else None,
    )


def subtype_probabilities(head: DenseHead | TransformerHead, data: SubtypeData) -> FloatArray:
    if isinstance(head, TransformerHead):
        assert data.states is not None and data.mask is not None
        width = int(data.mask.sum(axis=1).max())
        parts = [
            head.predict_proba(data.states[i : i + 64, :width], data.mask[i : i + 64, :width])
            for i in range(0, len(data.labels), 64)
        ]
        return np.concatenate(parts).astype(np.float32)
    return head.predict_proba(data.pooled)


def out_of_fold_subtypes(
    data: SubtypeData,
    folds: int,
    seed: int,
    model: Any = None,
    config: TopLayerConfig | None = None,
    initial: TransformerHead | None = None,
    *,
    split_seed: int | None = None,
) -> tuple[list[str], FloatArray]:
    """Each snippet's probabilities from a head trained without its fold (stratified; the split follows
    `split_seed`, by default `seed`), over the sorted labels: what a held-out snippet would get."""
    from sklearn.model_selection import StratifiedKFold

    label_array = np.array(data.labels)
    classes = sorted(set(data.labels))
    probabilities = np.zeros((len(label_array), len(classes)), dtype=np.float32)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed if split_seed is None else split_seed)
    for fold, (train_idx, test_idx) in enumerate(splitter.split(data.pooled, label_array)):
        started = time.monotonic()
        head = train_subtypes(subtype_subset(data, train_idx), seed, model, config, initial)
        columns = [classes.index(label) for label in head.labels]  # a fold may lack a rare class
        probabilities[np.ix_(test_idx, columns)] = subtype_probabilities(head, subtype_subset(data, test_idx))
        log_progress(f"  sub-types fold {fold + 1}/{folds}", started)
    return classes, probabilities


def cv_subtypes(
    data: SubtypeData,
    folds: int,
    seed: int,
    model: Any = None,
    config: TopLayerConfig | None = None,
    initial: TransformerHead | None = None,
) -> dict[str, float]:
    from sklearn.metrics import accuracy_score, f1_score

    classes, probabilities = out_of_fold_subtypes(data, folds, seed, model, config, initial)
    truth = data.labels
    predicted = [classes[i] for i in probabilities.argmax(axis=1)]
    # What the extractor reports: a sub-type only at p >= SUBTYPE_MIN_CONFIDENCE (how often, how right).
    confident = probabilities.max(axis=1) >= SUBTYPE_MIN_CONFIDENCE
    correct = np.array(truth) == np.array(predicted)
    return {
        "weighted_f1": float(f1_score(truth, predicted, average="weighted")),
        "macro_f1": float(f1_score(truth, predicted, average="macro")),
        "accuracy": float(accuracy_score(truth, predicted)),
        "confident_coverage": float(confident.mean()),
        "confident_accuracy": float(correct[confident].mean()) if confident.any() else 0.0,
    }

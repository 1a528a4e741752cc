"""The PLOVER type head as first trained, on synthetic stories alone; `benchmarks/event_type_quality.py`
cross-validates it against the story, body, first-sentence and title views."""

from __future__ import annotations

import numpy as np

from ...heads import NO_EVENT, DenseHead
from ..event_sets import EventData, story_training_set
from ..progress import log_progress
from .dense import fit_dense, predict_labels


def train_events(data: EventData, seed: int) -> DenseHead:
    stories = np.arange(len(data.story_labels))
    negatives = np.arange(len(data.negatives))
    features, labels, weights = story_training_set(data, stories, negatives)
    return fit_dense(features, labels, seed, sample_weight=weights)


def cv_events(data: EventData, folds: int, seed: int) -> dict[str, float]:
    from sklearn.metrics import f1_score, precision_score, recall_score
    from sklearn.model_selection import StratifiedKFold

    labels = np.array(data.story_labels)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    neg_split = list(splitter.split(data.negatives, np.array(data.negative_sources)))
    doc_true: list[str] = []
    doc_pred: list[str] = []
    body_pred: list[str] = []
    first_pred: list[str] = []
    title_pred: list[str] = []
    first_true: list[str] = []
    neg_true: list[bool] = []
    neg_pred: list[bool] = []
    for fold, (train_idx, test_idx) in enumerate(splitter.split(labels, labels)):
        neg_train, neg_test = neg_split[fold]
        features, fold_labels, weights = story_training_set(data, train_idx, neg_train)
        head = fit_dense(features, fold_labels, seed, sample_weight=weights)
        doc_true.extend(labels[test_idx])
        doc_pred.extend(predict_labels(head, data.story[test_idx]))
        body_pred.extend(predict_labels(head, data.doc[test_idx]))
        first_true.extend(labels[test_idx])
        first_pred.extend(predict_labels(head, data.first[test_idx]))
        title_pred.extend(predict_labels(head, data.title[test_idx]))
        held_out = np.concatenate([data.first[test_idx], data.negatives[neg_test]])
        no_event_prob = head.predict_proba(held_out)[:, head.labels.index(NO_EVENT)]
        neg_true.extend([False] * len(test_idx) + [True] * len(neg_test))
        neg_pred.extend((no_event_prob > 0.5).tolist())
        log_progress(f"  events fold {fold + 1}/{folds}")
    types = sorted(set(data.story_labels))
    return {
        "story_macro_f1": float(f1_score(doc_true, doc_pred, labels=types, average="macro")),
        "story_weighted_f1": float(f1_score(doc_true, doc_pred, labels=types, average="weighted")),
        "body_only_macro_f1": float(f1_score(doc_true, body_pred, labels=types, average="macro")),
        "first_sentence_macro_f1": float(f1_score(first_true, first_pred, labels=types, average="macro")),
        "title_macro_f1": float(f1_score(first_true, title_pred, labels=types, average="macro")),
        "no_event_precision": float(precision_score(neg_true, neg_pred)),
        "no_event_recall": float(recall_score(neg_true, neg_pred)),
    }

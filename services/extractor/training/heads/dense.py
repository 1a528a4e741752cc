"""Logistic regression turned into numpy-only `DenseHead`s: the fit every linear head shares."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...arrays import FloatArray
from ...heads import DenseHead

HEAD_C = 4.0  # inverse L2 strength; 5-fold CV on the CAMEO sentences preferred 4 to 1 with word features


def fit_dense(
    features: FloatArray,
    labels: Sequence[str],
    seed: int,
    sample_weight: FloatArray | None = None,
    c: float = 4.0,
) -> DenseHead:
    """Multinomial logistic regression; its weights become a numpy-only DenseHead."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=c, max_iter=2000, class_weight="balanced", random_state=seed)
    model.fit(features, list(labels), sample_weight=sample_weight)
    return DenseHead.from_logistic_regression(model)


def predict_labels(head: DenseHead, features: FloatArray) -> list[str]:
    return [head.labels[i] for i in head.predict_proba(features).argmax(axis=1)]


def fit_with_words(
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


def stack_rows(*blocks: Any) -> Any:
    import scipy.sparse

    return scipy.sparse.vstack(blocks).tocsr()

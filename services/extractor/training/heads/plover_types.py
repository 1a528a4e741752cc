"""The PLOVER type head: synthetic stories' titles and codebook definitions, plus the real sentences
whose labels map to a type. The analyzer weighs its p(type) by the quad-class head's p(quad of type), so
a type never contradicts the quad class the real sentences taught."""

from __future__ import annotations

import numpy as np

from ...heads import DenseHead
from ..event_sets import RealNews, SyntheticTypes
from .dense import HEAD_C, fit_with_words, stack_rows


def train_types(real: RealNews, synthetic: SyntheticTypes, seed: int) -> DenseHead:
    """PLOVER types: synthetic views and definitions plus the real sentences whose labels name a type."""
    rows = [i for i, row in enumerate(real.rows) if row.plover_type is not None]
    features = np.concatenate([synthetic.features, real.features[rows]])
    lexical = stack_rows(synthetic.lexical, real.lexical[rows])
    labels = list(synthetic.labels) + [str(real.rows[i].plover_type) for i in rows]
    weights = np.concatenate([synthetic.weights, np.full(len(rows), 2.0, dtype=np.float32)])
    return fit_with_words(features, lexical, labels, weights.astype(np.float32), seed, c=HEAD_C, balanced=True)

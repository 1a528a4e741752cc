"""The quad-class head (verbal or material, cooperation or conflict), from the CAMEO sentences and the
sets whose labels imply a quad class."""

from __future__ import annotations

import numpy as np

from ... import corpora
from ...heads import DenseHead
from ..event_sets import RealNews, SyntheticTypes
from .dense import HEAD_C, fit_with_words, stack_rows

_QUAD_WEIGHT = {"cameo": 3.0, "police-train": 0.5, "case": 1.0, "gsr": 2.0}


def train_quad(real: RealNews, synthetic: SyntheticTypes, seed: int) -> DenseHead:
    """Five classes: the four quads and "statement / appeal", the class the CAMEO set gives appeals and
    the one a REQUEST belongs to. Whether a sentence is an event at all is the detector's business."""
    rows = [i for i, row in enumerate(real.rows) if row.quad is not None]
    synthetic_quads = [corpora.PLOVER_QUAD.get(label) for label in synthetic.labels]
    synthetic_rows = [i for i, quad in enumerate(synthetic_quads) if quad is not None]
    features = np.concatenate([real.features[rows], synthetic.features[synthetic_rows]])
    lexical = stack_rows(real.lexical[rows], synthetic.lexical[synthetic_rows])
    labels = [corpora.QUAD_NAMES[int(real.rows[i].quad or 0)] for i in rows]
    labels += [corpora.QUAD_NAMES[int(synthetic_quads[i] or 0)] for i in synthetic_rows]
    weights = [_QUAD_WEIGHT.get(real.rows[i].corpus, 1.0) for i in rows]
    weights += [0.5 * float(synthetic.weights[i]) for i in synthetic_rows]
    return fit_with_words(features, lexical, labels, np.array(weights, dtype=np.float32), seed, c=HEAD_C, balanced=True)

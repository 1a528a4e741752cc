"""The PLOVER mode head: modes are coded per type, so it learns "TYPE/MODE" labels from the stories."""

from __future__ import annotations

import numpy as np

from ...heads import DenseHead
from ..event_sets import EventData
from .dense import fit_dense


def train_modes(data: EventData, seed: int) -> DenseHead:
    """Modes are coded per type in PLOVER; stories without a mode teach the "-" (unspecified) label."""
    labels = [f"{t}/{m}" if m else f"{t}/-" for t, m in zip(data.story_labels, data.story_modes, strict=True)]
    features = np.concatenate([data.story, data.title, data.first])
    return fit_dense(features, labels * 3, seed, c=2.0)

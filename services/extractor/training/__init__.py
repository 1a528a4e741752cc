"""`newswire train` and what it is built from: the data readers, the encoder cache, one trainer per head
and the model card. The serving path (analyzer, heads, pipeline, assembly) never imports this package.

Layout, each module importing only those above it: `progress`; `data` (raw text); `features` (the
encoder cache); `event_sets` (the encoded event sets); `heads/` (`dense`, then one module per head);
`model_card`; `command` (`main`).
"""

from ..heads import calibrated_event_probability
from .command import build_parser, main
from .data import (
    ACLED_FILE,
    CONLL_DIR,
    PLOVER_CODEBOOK,
    PLOVER_FILE,
    REAL_NEWS_DATA,
    detokenize,
    load_acled,
    load_conll,
    load_plover,
    load_real_news,
)
from .event_sets import (
    EventData,
    RealNews,
    SyntheticTypes,
    build_event_data,
    encode_real_news,
    synthetic_types,
    without,
)
from .features import FeatureCache
from .heads.dense import fit_dense
from .heads.detector import expected_calibration_error, train_detector
from .heads.modes import train_modes
from .heads.ner import TaggedSentence, build_ner_data, evaluate_tagger, train_tagger
from .heads.plover_types import train_types
from .heads.quad import train_quad
from .heads.story_types import cv_events, train_events
from .heads.subtypes import SubtypeData, build_subtype_data, cv_subtypes, subtype_probabilities, train_subtypes
from .model_card import END_TO_END_FILE, write_model_card

__all__ = [
    "ACLED_FILE",
    "CONLL_DIR",
    "END_TO_END_FILE",
    "PLOVER_CODEBOOK",
    "PLOVER_FILE",
    "REAL_NEWS_DATA",
    "EventData",
    "FeatureCache",
    "RealNews",
    "SubtypeData",
    "SyntheticTypes",
    "TaggedSentence",
    "build_event_data",
    "build_ner_data",
    "build_parser",
    "build_subtype_data",
    "calibrated_event_probability",  # the detector's calibration as the analyzer applies it, for tests
    "cv_events",
    "cv_subtypes",
    "detokenize",
    "encode_real_news",
    "evaluate_tagger",
    "expected_calibration_error",
    "fit_dense",
    "load_acled",
    "load_conll",
    "load_plover",
    "load_real_news",
    "main",
    "subtype_probabilities",
    "synthetic_types",
    "train_detector",
    "train_events",
    "train_modes",
    "train_quad",
    "train_subtypes",
    "train_tagger",
    "train_types",
    "without",
    "write_model_card",
]

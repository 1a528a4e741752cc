"""`newswire train`: fit the small heads on frozen encoder outputs, from `../shared/data`.

The encoder is frozen, so each data set is encoded once (and cached on disk keyed by encoder and data
fingerprint); the heads then train in seconds to minutes on CPU. The sub-type head fine-tunes copies of
the encoder's top layers on the cached hidden state below them (`top_layers.py`). Every random choice is seeded, so the
same command on the same data yields the same heads. Nothing from the data's text is stored in the
artifacts: only weights, label names and scores.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ..encoding import Encoder
from ..heads import (
    DETECTOR_HEAD,
    EVENT_HEAD,
    MODE_HEAD,
    NER_HEAD,
    QUAD_HEAD,
    SUBTYPE_HEAD,
    SUBTYPE_MIN_CONFIDENCE,
    SUBTYPE_MIN_SHARE_OF_TOP,
    SUBTYPE_OVERRIDE_CONFIDENCE,
    TransformerHead,
)
from ..top_layers import TopLayerConfig
from .data import ACLED_FILE, CONLL_DIR, PLOVER_CODEBOOK, PLOVER_FILE, REAL_NEWS_DATA, REPO_MODELS_DIR, load_real_news
from .event_sets import build_event_data, encode_real_news, synthetic_types
from .features import FeatureCache
from .heads.detector import train_detector
from .heads.modes import train_modes
from .heads.ner import build_ner_data, evaluate_tagger, train_tagger
from .heads.plover_types import train_types
from .heads.quad import train_quad
from .heads.subtypes import build_subtype_data, cv_subtypes, train_subtypes
from .model_card import write_model_card
from .progress import log_progress

SUBTYPE_NOTES = (
    "each measured under the same stratified 5-fold CV (seed 13): on frozen features, logistic regression, "
    "SVM and MLP 0.71-0.75, per-layer features 0.72-0.74, word and character n-grams stacked with them 0.76; "
    "fine-tuning the top 1, 2, 3 layers 0.77, 0.79, 0.80 (0.7990); top 3 plus each snippet's sentences as extra "
    "examples 0.79, top 2 first tuned on PLOVER titles 0.78, top 3 without class weights 0.79; this head: "
    "the top 4 layers (cv5 scores below; one and two torch threads gave the same 0.8012)"
)


HEAD_INPUT = "[mean-pool ; max-pool] (768) ; hashed word unigrams+bigrams (32,768, lexical.py)"
NO_EVENT_SOURCES = "models/training/no-event-lines.txt and CoNLL-2003 sports/market sentences"


SUBTYPE_DECODING = (
    "a sentence of an article's lead (its first sentences, up to three, in the first paragraph) reads a blend, "
    "half and half, of its own distribution and the head's distribution over the whole lead, which is what the "
    "head was fitted on (analyzer.LEAD_SUBTYPE_SHARE; on the CASE snippets end to end, with ATTRIB allowed for "
    "ASSAULT: 0.7548 without the lead, 0.7676 half and half, 0.7719 with the lead alone); reported only when "
    "compatible with the predicted PLOVER type "
    f"(heads.SUBTYPE_COMPATIBILITY), at p >= {SUBTYPE_MIN_CONFIDENCE} and p >= {SUBTYPE_MIN_SHARE_OF_TOP} x the "
    f"top sub-type's p; a sure sub-type (p >= {SUBTYPE_OVERRIDE_CONFIDENCE}) settles ASSAULT vs COERCE and makes "
    "a DISASTER of a harm-typed sentence, and a sure ATTRIB that no likely accusation takes stays with an ASSAULT "
    "or a REJECT (heads.reconcile_type_and_subtype); cv_confident_* = share of snippets whose top p clears the "
    "floor, and accuracy among them"
)


def _common_meta(encoder: Encoder, seed: int, command: str, seconds: float) -> dict[str, Any]:
    return {
        "encoder": encoder.name,
        "encoder_fingerprint": encoder.fingerprint,
        "max_length": encoder.max_length,
        "seed": seed,
        "command": command,
        "train_seconds": round(seconds, 1),
        "host": f"{platform.machine()} CPU" if encoder.device == "cpu" else encoder.device,
    }


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newswire train", description=__doc__.splitlines()[0])
    parser.add_argument("what", nargs="?", default="all", choices=["events", "subtypes", "ner", "all"])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"), help="the shared data folder")
    parser.add_argument("--out", type=Path, default=REPO_MODELS_DIR, help="where heads are written")
    parser.add_argument("--encoder", default="default", help="Hugging Face id or local path")
    parser.add_argument("--device", default="cpu")
    parser.add_argument(
        "--threads", type=int, default=None, help="torch intra-op threads (default: the CPU count, at most 4)"
    )
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--cv", type=int, default=5, help="cross-validation folds for the scores (0: skip)")
    parser.add_argument("--epochs", type=int, default=8, help="NER tagger epochs")
    parser.add_argument(
        "--subtype-layers",
        type=int,
        default=TopLayerConfig.layers,
        help="top encoder layers the sub-type head fine-tunes (0: logistic regression on frozen features)",
    )
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=Path("build/train-cache"),
        help="encoder outputs are cached here between runs ('none' disables)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    command = "newswire train " + " ".join(argv if argv is not None else sys.argv[1:])
    np.random.seed(args.seed)
    import torch

    torch.manual_seed(args.seed)
    cache_dir = None if str(args.cache_dir).lower() == "none" else args.cache_dir
    started_all = time.monotonic()
    encoder = Encoder(args.encoder, device=args.device, threads=args.threads)
    cache = FeatureCache(encoder, cache_dir)
    out: Path = args.out
    what: str = args.what
    steps: list[tuple[str, Callable[[], None]]] = []

    def events() -> None:
        started = time.monotonic()
        data = build_event_data(cache, args.data, args.seed)
        synthetic = synthetic_types(data)
        real = encode_real_news(load_real_news(args.data), cache.sentence_features)
        meta = _common_meta(encoder, args.seed, command, time.monotonic() - started)
        detector = train_detector(real, synthetic, args.seed)
        detector.meta = {
            **meta,
            **detector.meta,
            "data": f"real sentences: {REAL_NEWS_DATA}; negatives also {NO_EVENT_SOURCES}",
            "architecture": f"binary logistic regression on {HEAD_INPUT}, Platt-calibrated",
        }
        detector.save(out / DETECTOR_HEAD)
        quads = train_quad(real, synthetic, args.seed)
        quads.meta = {
            **meta,
            "data": f"real sentences of the four quad classes ({REAL_NEWS_DATA}); {PLOVER_FILE}",
            "architecture": f"multinomial logistic regression on {HEAD_INPUT}, class-balanced",
        }
        quads.save(out / QUAD_HEAD)
        types = train_types(real, synthetic, args.seed)
        types.meta = {
            **meta,
            "data": (
                f"{PLOVER_FILE} (per story: title, and title+body mean), {PLOVER_CODEBOOK} definitions, "
                "models/training/event-sentences.tsv, and the real sentences whose labels name a PLOVER type "
                "(CASE sub-types, police kills/force/arrests, PLOVER gold records)"
            ),
            "architecture": f"multinomial logistic regression on {HEAD_INPUT}, class-balanced; at decoding "
            "p(type) is weighed by the quad-class head's p(the type's quad class)",
        }
        types.save(out / EVENT_HEAD)
        modes = train_modes(data, args.seed)
        modes.meta = {
            **meta,
            "data": f"{PLOVER_FILE} (labels TYPE/MODE; '-' = no mode)",
            "architecture": "multinomial logistic regression; decoding restricted to the predicted type",
        }
        modes.save(out / MODE_HEAD)
        log_progress(f"events: {json.dumps(detector.meta['scores'])}", started)

    def subtypes() -> None:
        started = time.monotonic()
        config = TopLayerConfig(layers=max(1, args.subtype_layers))
        data = build_subtype_data(cache, args.data, config if args.subtype_layers > 0 else None)
        model = encoder.model if data.states is not None else None
        scores = cv_subtypes(data, args.cv, args.seed, model, config) if args.cv > 1 else {}
        head = train_subtypes(data, args.seed, model, config)
        if isinstance(head, TransformerHead):
            architecture = (
                f"the encoder's top {head.layer_count} layers fine-tuned (from hidden state {head.tap_layer} of the "
                "shared pass), mean-pooled, softmax; class-balanced loss; weights stored as float16"
            )
        else:
            architecture = "multinomial logistic regression on [mean-pool ; max-pool], class-balanced (encoder "
            architecture += "is not BERT-style, so its top layers cannot be fine-tuned)"
        head.meta = {
            **head.meta,
            **_common_meta(encoder, args.seed, command, time.monotonic() - started),
            "data": str(ACLED_FILE),
            "architecture": architecture,
            "min_confidence": SUBTYPE_MIN_CONFIDENCE,
            "decoding": SUBTYPE_DECODING,
            "notes": SUBTYPE_NOTES,
            "scores": {f"cv{args.cv}_{k}": v for k, v in scores.items()},
        }
        head.save(out / SUBTYPE_HEAD)
        log_progress(f"subtypes: {json.dumps(scores)}", started)

    def ner() -> None:
        started = time.monotonic()
        train = build_ner_data(cache, args.data / CONLL_DIR / "train.txt", "conll train")
        dev = build_ner_data(cache, args.data / CONLL_DIR / "dev.txt", "conll dev")
        head = train_tagger(train, args.seed, epochs=args.epochs, dev=dev)
        scores = evaluate_tagger(head, dev)
        head.meta = {
            **_common_meta(encoder, args.seed, command, time.monotonic() - started),
            "data": f"{CONLL_DIR}/train.txt; scored on dev.txt",
            "architecture": "word-piece BiLSTM over [token embeddings ; case features], BIO Viterbi",
            "case_features": "see heads.CASE_FEATURE_NAMES",
            "scores": {f"conll_dev_entity_{k}": v for k, v in scores.items()},
        }
        head.save(out / NER_HEAD)
        log_progress(f"ner: {json.dumps(scores)}", started)

    if what in {"events", "all"}:
        steps.append(("events", events))
    if what in {"subtypes", "all"}:
        steps.append(("subtypes", subtypes))
    if what in {"ner", "all"}:
        steps.append(("ner", ner))
    step_seconds: dict[str, float] = {}
    for name, step in steps:
        log_progress(f"training {name}")
        step_started = time.monotonic()
        step()
        step_seconds[name] = round(time.monotonic() - step_started, 1)
    step_seconds["total"] = round(time.monotonic() - started_all, 1)
    run = {
        "command": command,
        "cache": "none (every text encoded)" if cache_dir is None else str(cache_dir),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, device {args.device}",
        "seconds": step_seconds,
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / "training-run.json").write_text(json.dumps(run, indent=2) + "\n")
    write_model_card(out)
    log_progress(f"done: {what}", started_all)
    return 0

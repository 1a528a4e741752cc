"""End-to-end event quality on real news: `newswire extract` output scored against gold, never a head alone.

Usage:
  python benchmarks/event_quality.py ../shared/data                  # every set, 5 folds (about 20 min)
  python benchmarks/event_quality.py ../shared/data --sets police,cameo  # no sub-type retraining (about 8 min)

Per fold, the event heads (detector, quad class, PLOVER type) are retrained without that fold's CAMEO
sentences and CASE snippets, and, when the CASE set is scored, the sub-type head (its fine-tuned top
layers) too (about three minutes a fold; kept in --cache-dir, keyed by encoder, seed, data and fold, so
a rerun after an assembly or decoding change reuses them). Then the held-out inputs go through `newswire
extract -` (sentence split, encoder, heads, assembly) with those heads, in a subprocess, exactly as a
user runs it. The police set's dev split is
never trained on: each fold's model codes a fifth of it. Every input is scored once, by a model that
never saw it.

Prints per set the score, the event rate (share of inputs that yield an event) beside the gold rate,
and finally one line per set that the README quotes.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import orjson
from _extract_cli import extract_events

from newswire.extractor import corpora
from newswire.extractor.analyzer import default_models_dir
from newswire.extractor.corpora import LabelledText
from newswire.extractor.encoding import Encoder
from newswire.extractor.event_scoring import SetScore, score_background, score_cameo, score_case, score_police
from newswire.extractor.heads import DETECTOR_HEAD, EVENT_HEAD, QUAD_HEAD, SUBTYPE_HEAD
from newswire.extractor.training import (
    END_TO_END_FILE,
    FeatureCache,
    RealNews,
    SubtypeData,
    SyntheticTypes,
    build_event_data,
    build_subtype_data,
    encode_real_news,
    load_real_news,
    synthetic_types,
    train_detector,
    train_quad,
    train_subtypes,
    train_types,
    without,
    write_model_card,
)
from newswire.extractor.training.heads.subtypes import DEFAULT_TOP_LAYERS, subtype_subset

ALL_SETS = ("case", "police", "cameo", "background")


def _folds(labels: Sequence[str], folds: int, seed: int) -> list[np.ndarray]:
    """Test indices per fold, stratified as `newswire train` stratifies its own CV."""
    from sklearn.model_selection import StratifiedKFold

    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    return [test for _, test in splitter.split(np.zeros(len(labels)), np.array(labels))]


def _fold_models(
    base: Path,
    out: Path,
    real: RealNews,
    synthetic: SyntheticTypes,
    excluded: set[str],
    seed: int,
    subtypes: tuple[SubtypeData, np.ndarray, Any, Path | None] | None,
) -> dict[str, float]:
    """Heads for one fold in `out`: the bundled ones, with every head that saw held-out text retrained."""
    shutil.copytree(base, out, dirs_exist_ok=True)
    train = without(real, excluded)
    detector = train_detector(train, synthetic, seed)
    detector.save(out / DETECTOR_HEAD)
    train_quad(train, synthetic, seed).save(out / QUAD_HEAD)
    train_types(train, synthetic, seed).save(out / EVENT_HEAD)
    if subtypes is not None:
        data, train_index, model, cached = subtypes
        if cached is not None and (cached / "weights.npz").exists():
            shutil.copytree(cached, out / SUBTYPE_HEAD, dirs_exist_ok=True)
        else:
            head = train_subtypes(subtype_subset(data, train_index), seed, model, DEFAULT_TOP_LAYERS)
            head.meta = {**head.meta, **_bundled_subtype_decoding(base)}
            head.save(out / SUBTYPE_HEAD)
            if cached is not None:
                head.save(cached)
    scores: dict[str, float] = detector.meta["scores"]
    return scores


def _bundled_subtype_decoding(base: Path) -> dict[str, Any]:
    """The bundled head's decoding settings (min_confidence) carry over to a fold's retrained head."""
    meta: dict[str, Any] = orjson.loads((base / SUBTYPE_HEAD / "labels.json").read_bytes())
    return {key: meta[key] for key in ("min_confidence",) if key in meta}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="the shared data folder (../shared/data)")
    parser.add_argument("--sets", default=",".join(ALL_SETS), help=f"comma-separated subset of {ALL_SETS}")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--limit", type=int, default=0, help="score only the first N inputs of each set (smoke)")
    parser.add_argument("--record", type=Path, help="also write the figures as JSON (models/end-to-end.json)")
    parser.add_argument("--threshold", type=float, help="event threshold (default: the extractor's setting)")
    parser.add_argument("--cache-dir", type=Path, default=Path("build/train-cache"), help="encoder-output cache")
    parser.add_argument("--dump", type=Path, help="also write every input with its gold and its events (JSON lines)")
    args = parser.parse_args()
    sets = [name.strip() for name in args.sets.split(",") if name.strip()]
    unknown = set(sets) - set(ALL_SETS)
    if unknown:
        parser.error(f"unknown sets {sorted(unknown)}; choose from {ALL_SETS}")
    started = time.monotonic()
    data: Path = args.data
    encoder = Encoder("default")
    cache = FeatureCache(encoder, args.cache_dir)
    synthetic = synthetic_types(build_event_data(cache, data, args.seed))
    real = encode_real_news(load_real_news(data), cache.sentence_features)

    cameo = corpora.load_cameo(data)
    case = corpora.load_case(data)
    police = corpora.load_police(data, "dev")
    cameo_folds = _folds([str(row.quad) for row in cameo], args.folds, args.seed)
    case_folds = _folds([str(row.subtype) for row in case], args.folds, args.seed)
    subtype_data = build_subtype_data(cache, data) if "case" in sets else None
    subtype_model = encoder.model if subtype_data is not None and subtype_data.states is not None else None

    def limited(rows: list[LabelledText]) -> set[int]:
        return set(range(len(rows) if args.limit <= 0 else min(args.limit, len(rows))))

    wanted = {"cameo": limited(cameo), "case": limited(case), "police": limited(police)}
    predictions: dict[str, dict[int, list[dict[str, Any]]]] = {name: {} for name in ("cameo", "case", "police")}
    calibration: list[dict[str, float]] = []
    base = default_models_dir()
    for fold in range(args.folds):
        fold_started = time.monotonic()
        held_cameo = [int(i) for i in cameo_folds[fold]]
        held_case = [int(i) for i in case_folds[fold]]
        held_police = [i for i in range(len(police)) if i % args.folds == fold]
        excluded = {cameo[i].text for i in held_cameo} | {case[i].text for i in held_case}
        subtypes = None
        if subtype_data is not None:
            train_index = np.array(sorted(set(range(len(case))) - set(held_case)))
            key = hashlib.sha256(
                # the fine-tuning settings too: a cached head trained otherwise is not this one
                f"{encoder.fingerprint}|{args.seed}|{sorted(set(subtype_data.labels))}|{DEFAULT_TOP_LAYERS}".encode()
                + (data / corpora.CASE_FILE).read_bytes()
                + train_index.tobytes()
            ).hexdigest()[:16]
            cached = args.cache_dir / f"event-quality-subtypes-{key}" if args.cache_dir else None
            subtypes = (subtype_data, train_index, subtype_model, cached)
        with tempfile.TemporaryDirectory(prefix="newswire-fold-") as tmp:
            models = Path(tmp) / "models"
            calibration.append(_fold_models(base, models, real, synthetic, excluded, args.seed, subtypes))
            items: list[tuple[str, str]] = []
            if "cameo" in sets or "background" in sets:
                items += [(f"cameo:{i}", cameo[i].text) for i in held_cameo if i in wanted["cameo"]]
            if "case" in sets:
                items += [(f"case:{i}", case[i].text) for i in held_case if i in wanted["case"]]
            if "police" in sets or "background" in sets:
                items += [(f"police:{i}", police[i].text) for i in held_police if i in wanted["police"]]
            found = extract_events(items, models, args.threshold)
        for key, _ in items:
            name, index = key.split(":")
            predictions[name][int(index)] = found.get(key, [])
        print(f"fold {fold + 1}/{args.folds}: {len(items)} inputs ({time.monotonic() - fold_started:.0f}s)", flush=True)

    def collected(name: str, rows: list[LabelledText]) -> tuple[list[LabelledText], list[list[dict[str, Any]]]]:
        keys = sorted(predictions[name])
        return [rows[i] for i in keys], [predictions[name][i] for i in keys]

    if args.dump is not None:
        with args.dump.open("wb") as handle:
            for set_name, labelled in (("cameo", cameo), ("case", case), ("police", police)):
                for position, events in sorted(predictions[set_name].items()):
                    row = dataclasses.asdict(labelled[position]) | {
                        "set": set_name,
                        "index": position,
                        "events": events,
                    }
                    handle.write(orjson.dumps(row, default=sorted) + b"\n")
    results: list[SetScore] = []
    if "case" in sets:
        results.append(score_case(*collected("case", case)))
    if "police" in sets:
        results.append(score_police(*collected("police", police)))
    if "cameo" in sets:
        results.append(score_cameo(*collected("cameo", cameo)))
    if "background" in sets:
        rows_c, preds_c = collected("cameo", cameo)
        rows_p, preds_p = collected("police", police)
        results.append(
            score_background(
                [p for r, p in zip(rows_c, preds_c, strict=True) if not r.is_event]
                + [p for r, p in zip(rows_p, preds_p, strict=True) if not r.is_event]
            )
        )
    command = "python benchmarks/event_quality.py " + " ".join(sys.argv[1:])
    ece = float(np.mean([c["heldout_ece"] for c in calibration]))
    print(f"\nend to end through `newswire extract`, {args.folds}-fold (seed {args.seed}), {command}")
    print(f"detector calibration (head only, held-out fifth of each fold's training sentences): ECE {ece:.4f}")
    for result in results:
        within = "within" if result.rate_within() else "OUTSIDE"
        extra = ", ".join(f"{key} {value:.4f}" for key, value in result.extra.items())
        print(
            f"{result.name}: {result.metric} {result.score:.4f} | event rate {result.event_rate:.3f} vs gold "
            f"{result.gold_rate:.3f} ({within} ±20%) | {result.inputs} inputs" + (f" | {extra}" if extra else "")
        )
    print(f"total {time.monotonic() - started:.0f}s")
    if args.record is not None:
        record = {
            "command": command,
            "folds": args.folds,
            "seed": args.seed,
            "detector_ece": ece,
            "seconds": round(time.monotonic() - started),
            "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
            "precision": serving_precision(),
            "sets": [dataclasses.asdict(result) for result in results],
        }
        args.record.write_text(json.dumps(record, indent=2) + "\n")
        if args.record.name == END_TO_END_FILE and (args.record.parent / "MODEL_CARD.md").exists():
            write_model_card(args.record.parent)  # the card states the figures just recorded
    return 0


def serving_precision() -> str:
    """The encoder arithmetic `newswire extract` ran in: the heads are trained in fp32 whatever it is."""
    from newswire.extractor.encoding.torch import resolve_precision
    from newswire.extractor.settings import ExtractorSettings

    options = ExtractorSettings().extractor
    return "onnx" if options.backend == "onnx" else resolve_precision(options.precision, options.device)


if __name__ == "__main__":
    raise SystemExit(main())

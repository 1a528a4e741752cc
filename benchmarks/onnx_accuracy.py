"""Accuracy cost of the ONNX encoder (int8, and fp32 as a control) against the torch fp32 encoder.

The committed heads are applied unchanged to each encoder's outputs (no retraining), so any change is the
encoder's: NER entity F1 (seqeval) on a CoNLL-2003 file; for the event heads, agreement with the torch
predictions and macro/weighted F1 (scikit-learn) on a fixed, seeded sample of PLOVER story titles and
first sentences and on all ACLED-style snippets. The event heads were trained on those data sets, so
their absolute F1 here is optimistic; the torch-vs-ONNX difference is the figure this script is for.

Usage:
  python benchmarks/onnx_accuracy.py --data ../shared/data [--onnx build/onnx/all-MiniLM-L6-v2] [--sample 600]
Export first with `newswire export-onnx` (or `python -m newswire.extractor.encoding.export`).
"""

from __future__ import annotations

import argparse
import os
import random
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from newswire.extractor.analyzer import default_models_dir
from newswire.extractor.encoding import FP32_FILE, INT8_FILE, Encoder, OnnxEncoder, TextEncoder, default_onnx_path
from newswire.extractor.heads import (
    EVENT_HEAD,
    NER_HEAD,
    NO_EVENT,
    SUBTYPE_HEAD,
    DenseHead,
    SubtypeHead,
    TaggerHead,
    TransformerHead,
    load_subtype_head,
)
from newswire.extractor.training import (
    ACLED_FILE,
    CONLL_DIR,
    PLOVER_FILE,
    FeatureCache,
    SubtypeData,
    build_ner_data,
    evaluate_tagger,
    load_acled,
    load_plover,
    subtype_probabilities,
)


def _predict(head: DenseHead, encoder: TextEncoder, texts: Sequence[str]) -> list[str]:
    features = FeatureCache(encoder, None).sentence_features(texts)  # type: ignore[arg-type]
    return [head.labels[i] for i in head.predict_proba(features).argmax(axis=1)]


def _predict_subtypes(head: SubtypeHead, encoder: TextEncoder, texts: Sequence[str]) -> list[str]:
    """The sub-type head on this encoder's outputs: pooled features, or the hidden state it starts from."""
    if not isinstance(head, TransformerHead):
        return _predict(head, encoder, texts)
    cache = FeatureCache(encoder, None)  # type: ignore[arg-type]
    states, mask = cache.layer_states(texts, head.tap_layer)
    data = SubtypeData(labels=[""] * len(texts), pooled=np.zeros((len(texts), 0), np.float32), states=states, mask=mask)
    return [head.labels[i] for i in subtype_probabilities(head, data).argmax(axis=1)]


def _f1(truth: Sequence[str], predicted: Sequence[str], labels: Sequence[str], average: str) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(list(truth), list(predicted), labels=list(labels), average=average, zero_division=0))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--ner-file", type=Path, default=None, help="default: DATA/ner-conll2003/dev.txt")
    parser.add_argument("--onnx", type=Path, default=default_onnx_path("default"), help="export folder")
    parser.add_argument("--models", type=Path, default=default_models_dir())
    parser.add_argument("--sample", type=int, default=600, help="PLOVER stories in the fixed sample")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--skip-fp32-onnx", action="store_true", help="only torch vs int8")
    args = parser.parse_args()
    ner_file: Path = args.ner_file or args.data / CONLL_DIR / "dev.txt"

    encoders: dict[str, TextEncoder] = {"torch-fp32": Encoder("default")}
    if not args.skip_fp32_onnx:
        encoders["onnx-fp32"] = OnnxEncoder(args.onnx / FP32_FILE)
    encoders["onnx-int8"] = OnnxEncoder(args.onnx / INT8_FILE)
    threads = getattr(encoders["onnx-int8"], "threads", "?")
    import torch

    print(f"load average {os.getloadavg()}, torch threads {torch.get_num_threads()}, onnx threads {threads}")

    event_head = DenseHead.load(args.models / EVENT_HEAD)
    subtype_head = load_subtype_head(args.models / SUBTYPE_HEAD)
    tagger = TaggerHead.load(args.models / NER_HEAD)
    stories = load_plover(args.data / PLOVER_FILE)
    picked = sorted(random.Random(args.seed).sample(range(len(stories)), min(args.sample, len(stories))))
    plover_texts = [stories[i].title for i in picked] + [
        stories[i].sentences[0] for i in picked if stories[i].sentences
    ]
    plover_gold = [stories[i].label for i in picked] + [stories[i].label for i in picked if stories[i].sentences]
    plover_types = sorted(set(plover_gold))
    acled_texts, acled_gold = load_acled(args.data / ACLED_FILE)
    acled_types = sorted(set(acled_gold))

    predictions: dict[str, dict[str, list[str]]] = {}
    print(f"NER: {ner_file}; PLOVER: {len(plover_texts)} titles+first sentences; ACLED: {len(acled_texts)} snippets")
    print(f"{'encoder':<11} {'NER F1':>7} {'NER P':>6} {'NER R':>6} {'PLOVER mF1':>10} {'ACLED wF1':>9} {'s':>5}")
    for label, encoder in encoders.items():
        started = time.monotonic()
        ner = evaluate_tagger(tagger, build_ner_data(FeatureCache(encoder, None), ner_file, progress=""))  # type: ignore[arg-type]
        plover = _predict(event_head, encoder, plover_texts)
        acled = _predict_subtypes(subtype_head, encoder, acled_texts)
        predictions[label] = {"plover": plover, "acled": acled}
        print(
            f"{label:<11} {ner['f1']:7.4f} {ner['precision']:6.4f} {ner['recall']:6.4f} "
            f"{_f1(plover_gold, plover, plover_types, 'macro'):10.4f} "
            f"{_f1(acled_gold, acled, acled_types, 'weighted'):9.4f} {time.monotonic() - started:5.0f}"
        )
    reference = predictions["torch-fp32"]
    for label, predicted in predictions.items():
        if label == "torch-fp32":
            continue
        plover_agree = np.mean([a == b for a, b in zip(reference["plover"], predicted["plover"], strict=True)])
        acled_agree = np.mean([a == b for a, b in zip(reference["acled"], predicted["acled"], strict=True)])
        event_flip = np.mean(
            [(a == NO_EVENT) != (b == NO_EVENT) for a, b in zip(reference["plover"], predicted["plover"], strict=True)]
        )
        print(
            f"{label} vs torch-fp32: PLOVER type agreement {plover_agree:.4f} (event/no-event flips {event_flip:.4f}), "
            f"ACLED sub-type agreement {acled_agree:.4f}"
        )
    print(f"load average after: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""HEAD ONLY, not end to end: the ACLED-style sub-type head's 5-fold CV on the CASE snippets for variants
of its fine-tuning, to tell whether the head (not the pipeline) can carry issue 9's 0.82.

Each variant retrains inside every fold (stratified, fixed split), and `--seeds 13,14` also scores the
average of the seeds' probabilities (an ensemble, which would cost the extractor one more pass of the
sub-type layers per seed). The end-to-end figure stays `event_quality.py --sets case`'s.

    python benchmarks/subtype_head_variants.py ../shared/data --layers 4 --seeds 13
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from newswire.extractor.encoding import Encoder
from newswire.extractor.top_layers import TopLayerConfig
from newswire.extractor.training.features import FeatureCache
from newswire.extractor.training.heads.subtypes import build_subtype_data, out_of_fold_subtypes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="the shared data folder (../shared/data)")
    parser.add_argument("--layers", type=int, default=TopLayerConfig.layers, help="top layers fine-tuned")
    parser.add_argument("--epochs", type=int, default=TopLayerConfig.epochs)
    parser.add_argument("--label-smoothing", type=float, default=TopLayerConfig.label_smoothing)
    parser.add_argument("--seeds", default="13", help="comma-separated; more than one also scores their average")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--cache-dir", type=Path, default=Path("build/train-cache"), help="encoder-output cache")
    args = parser.parse_args()
    from sklearn.metrics import f1_score

    config = TopLayerConfig(layers=args.layers, epochs=args.epochs, label_smoothing=args.label_smoothing)
    encoder = Encoder("default")
    data = build_subtype_data(FeatureCache(encoder, args.cache_dir), args.data, config)
    labels = np.array(data.labels)
    classes = np.array(sorted(set(data.labels)))
    seeds = [int(seed) for seed in args.seeds.split(",") if seed.strip()]
    # one split for every seed, so that the seeds differ only in training
    runs = [out_of_fold_subtypes(data, args.folds, seed, encoder.model, config, split_seed=13)[1] for seed in seeds]
    print(f"HEAD ONLY, {args.folds}-fold CV on {len(labels)} CASE snippets, {config}")
    for seed, probabilities in zip(seeds, runs, strict=True):
        score = f1_score(labels, classes[probabilities.argmax(axis=1)], average="weighted")
        print(f"seed {seed}: weighted F1 {score:.4f}")
    if len(runs) > 1:
        average = np.mean(runs, axis=0)
        score = f1_score(labels, classes[average.argmax(axis=1)], average="weighted")
        print(f"average of {len(runs)} seeds: weighted F1 {score:.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""5-fold cross-validated F1 (scikit-learn) of the event-type heads on their data set.

Usage:
  python benchmarks/event_type_quality.py ../shared/data/event-types-plover/synthetic_stories.csv
  python benchmarks/event_type_quality.py ../shared/data/event-types-acled/case2021-task2-dev.tsv

A .csv is the PLOVER stories (16 types + the "no event" negatives, as `newswire train events` builds
them); a .tsv is the CASE 2021 ACLED-style sub-types. Heads are re-fitted inside each fold with the same
code and seed as `newswire train`: the PLOVER heads on frozen encoder features, the sub-type head by
fine-tuning the encoder's top four layers (about three minutes per fold on a 2-core CPU).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from newswire.extractor.encoding import Encoder
from newswire.extractor.training import (
    ACLED_FILE,
    PLOVER_FILE,
    FeatureCache,
    build_event_data,
    build_subtype_data,
    cv_events,
    cv_subtypes,
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_file", type=Path)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--encoder", default="default")
    parser.add_argument("--cache-dir", type=Path, default=None, help="reuse encoder outputs across runs")
    args = parser.parse_args()
    started = time.monotonic()
    cache = FeatureCache(Encoder(args.encoder), args.cache_dir)
    data_file: Path = args.data_file.resolve()
    if data_file.suffix == ".tsv":
        data_root = data_file.parents[len(ACLED_FILE.parts) - 1]
        subtypes = build_subtype_data(cache, data_root)
        model = cache.encoder.model if subtypes.states is not None else None
        scores = cv_subtypes(subtypes, args.folds, args.seed, model)
        kind = "fine-tuned top layers" if model is not None else "logistic regression on frozen features"
        print(
            f"ACLED-style sub-types, {len(subtypes.labels)} snippets, {len(set(subtypes.labels))} classes, "
            f"{args.folds}-fold CV, {kind}"
        )
    else:
        data_root = data_file.parents[len(PLOVER_FILE.parts) - 1]
        data = build_event_data(cache, data_root, args.seed)
        scores = cv_events(data, args.folds, args.seed)
        print(
            f"PLOVER types, {len(data.story_labels)} stories + {len(data.negatives)} no-event lines, "
            f"{args.folds}-fold CV"
        )
    for key, value in scores.items():
        print(f"{key}: {value:.4f}")
    print(f"seconds: {time.monotonic() - started:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

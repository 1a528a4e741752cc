"""Entity-level F1 (seqeval) of the committed NER head on a CoNLL-2003 file (the dev set for issue 5).

Usage: python benchmarks/ner_quality.py ../shared/data/ner-conll2003/dev.txt [--models models] [--encoder default]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from newswire.extractor.analyzer import default_models_dir
from newswire.extractor.encoding import Encoder
from newswire.extractor.heads import NER_HEAD, TaggerHead
from newswire.extractor.training import FeatureCache, build_ner_data, evaluate_tagger


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_file", type=Path)
    parser.add_argument("--models", type=Path, default=default_models_dir())
    parser.add_argument("--encoder", default="default")
    args = parser.parse_args()
    head = TaggerHead.load(args.models / NER_HEAD)
    started = time.monotonic()
    sentences = build_ner_data(FeatureCache(Encoder(args.encoder), None), args.data_file, progress="")
    scores = evaluate_tagger(head, sentences)
    print(f"file: {args.data_file} ({len(sentences)} sentences)")
    print(f"entity F1 (seqeval): {scores['f1']:.4f}")
    print(f"precision: {scores['precision']:.4f}  recall: {scores['recall']:.4f}")
    print(f"seconds: {time.monotonic() - started:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Extractor throughput on this machine: torch (fp32, bf16) vs ONNX Runtime (fp32, int8), micro-batched
across articles.

Usage:
  python benchmarks/extractor_throughput.py [--onnx build/onnx/all-MiniLM-L6-v2] [--threads 2] [--copies 3]
      [--backends torch,torch-bf16,onnx-fp32,onnx-int8] [--article-batches 1,4,16] [--sentence-batches 16,64]
      [--rounds 2]

The workload is the demo site's articles (services/demo/site/articles/*.html, cleaned by the cleaner)
plus the seed article, repeated `--copies` times. For each backend, article micro-batch size and encoder
sentence batch size it runs `EventExtractor.extract` (sentence split, one model pass per micro-batch,
event assembly) over the whole workload and reports the best round: on a shared machine the fastest
round is what the code costs, the rest is other load, which is printed next to each figure (1-minute load
average). "model sent/s" is the model stage alone (`SentenceAnalyzer.analyze` on all sentences at once).
Export the ONNX graphs first: `newswire export-onnx` (or `python -m newswire.extractor.encoding.export`).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SEED_ARTICLE = REPO.parent / "shared" / "examples" / "seed-article.txt"


def _article_id(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()[:32]


def _ints(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--onnx", type=Path, default=None, help="export folder (default: build/onnx/<encoder>)")
    parser.add_argument("--threads", type=int, default=min(2, os.cpu_count() or 1), help="torch and ORT intra-op")
    parser.add_argument("--copies", type=int, default=3, help="times the article set is repeated")
    parser.add_argument("--article-batches", type=_ints, default=[1, 4, 16])
    parser.add_argument("--sentence-batches", type=_ints, default=[16, 64])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--backends", default="torch,torch-bf16,onnx-fp32,onnx-int8")
    parser.add_argument("--seed-article", type=Path, default=SEED_ARTICLE)
    args = parser.parse_args()
    import torch

    # The inter-op pool can only be sized before torch's first parallel work; the intra-op counts go to
    # each analyzer below.
    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)

    from datetime import UTC, datetime

    from newswire.cleaner.extract import clean_html
    from newswire.extractor.analyzer import SentenceAnalyzer
    from newswire.extractor.assembly.geo import default_gazetteer
    from newswire.extractor.encoding import FP32_FILE, INT8_FILE, default_onnx_path
    from newswire.extractor.pipeline import ArticleInput, EventExtractor
    from newswire.extractor.sentences import split_sentences

    onnx_dir: Path = args.onnx or default_onnx_path("default")
    base: list[ArticleInput] = []
    for page in sorted((REPO / "services" / "demo" / "site" / "articles").glob("*.html")):
        cleaned = clean_html(page.read_text(encoding="utf-8"))
        base.append(ArticleInput(_article_id(page.stem), cleaned.text, cleaned.published_at, title=cleaned.title))
    if args.seed_article.is_file():
        base.append(
            ArticleInput(
                _article_id("seed"), args.seed_article.read_text(encoding="utf-8"), datetime(2011, 11, 15, tzinfo=UTC)
            )
        )
    articles = [
        ArticleInput(_article_id(f"{a.article_id}-{copy}"), a.text, a.published_at, title=a.title)
        for copy in range(args.copies)
        for a in base
    ]
    sentences = [s for a in articles for s in split_sentences(a.text)]
    seed = base[-1]
    default_gazetteer()
    print(
        f"cpu_count {os.cpu_count()}, threads: torch intra-op {torch.get_num_threads()}, interop 1, ORT intra-op "
        f"{args.threads}, inter-op 1"
    )
    print(
        f"workload: {len(articles)} articles ({len(base)} distinct x {args.copies}), {len(sentences)} sentences; "
        f"single-article latency on the {'seed' if args.seed_article.is_file() else 'last demo'} article "
        f"({len(split_sentences(seed.text))} sentences)"
    )
    print(f"best of {args.rounds} rounds; load = 1-min load average when the figure was taken\n")
    print(f"{'backend':<10} {'art/batch':>9} {'sent/batch':>10} {'sent/s':>8} {'art/s':>7} {'load':>5}")

    paths = {"onnx-fp32": onnx_dir / FP32_FILE, "onnx-int8": onnx_dir / INT8_FILE}
    summary: list[str] = []
    for backend in args.backends.split(","):
        analyzer = SentenceAnalyzer(
            backend="torch" if backend.startswith("torch") else "onnx",
            precision="bf16" if backend == "torch-bf16" else "fp32",
            onnx_path=paths.get(backend),
            batch_size=64,
            torch_threads=args.threads,
            onnx_threads=args.threads,
        )
        extractor = EventExtractor(analyzer)
        extractor.extract(base[:2])  # warm-up: lazy allocations, first-call graph optimisation
        for sentence_batch in args.sentence_batches:
            analyzer.batch_size = sentence_batch
            for article_batch in args.article_batches:
                best = float("inf")
                for _ in range(args.rounds):
                    started = time.perf_counter()
                    for begin in range(0, len(articles), article_batch):
                        extractor.extract(articles[begin : begin + article_batch])
                    best = min(best, time.perf_counter() - started)
                load = os.getloadavg()[0]
                print(
                    f"{backend:<10} {article_batch:>9} {sentence_batch:>10} {len(sentences) / best:8.1f} "
                    f"{len(articles) / best:7.2f} {load:5.2f}",
                    flush=True,
                )
        analyzer.batch_size = max(args.sentence_batches)
        model_best = float("inf")
        for _ in range(args.rounds):
            started = time.perf_counter()
            analyzer.analyze(sentences)
            model_best = min(model_best, time.perf_counter() - started)
        latencies = []
        for _ in range(max(3, args.rounds * 2)):
            started = time.perf_counter()
            extractor.extract([seed])
            latencies.append(time.perf_counter() - started)
        summary.append(
            f"{backend:<10} model stage {len(sentences) / model_best:7.1f} sent/s (batch {analyzer.batch_size}); "
            f"one article alone: best {min(latencies) * 1000:6.0f} ms, "
            f"median {statistics.median(latencies) * 1000:6.0f} ms"
            f"  load {os.getloadavg()[0]:.2f}  [{analyzer.encoder_name}]"
        )
        del extractor, analyzer
    print()
    print("\n".join(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

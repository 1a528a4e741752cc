"""How fast the whole encoder fine-tunes on this machine: the figure behind "fine-tune or not" (issue 9).

Usage:
  python benchmarks/finetune_speed.py ../shared/data [--batch 32] [--steps 6] [--threads 2]

Runs forward + backward + AdamW steps of all-MiniLM-L6-v2 with a small classification head on CAMEO
sentences (real news length), skips the first step (warm-up), and prints sentences per second and what
that means for training over the real-news rows and for 5-fold retraining inside the benchmark.
Nothing is saved.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from newswire.extractor import corpora
from newswire.extractor.encoding import Encoder


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="the shared data folder (../shared/data)")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=3, help="epochs assumed for the projection")
    parser.add_argument("--rows", type=int, default=25_900, help="training rows assumed (real + synthetic views)")
    args = parser.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    torch.manual_seed(13)
    encoder = Encoder("default")
    model, tokenizer = encoder.model, encoder.tokenizer
    texts = corpora.texts(corpora.load_cameo(args.data))[: args.batch * args.steps]
    head = torch.nn.Linear(model.config.hidden_size, 5)
    optimiser = torch.optim.AdamW([*model.parameters(), *head.parameters()], lr=3e-5)
    model.train()
    seconds: list[float] = []
    width = 0
    for step in range(args.steps):
        batch = tokenizer(
            texts[step * args.batch : (step + 1) * args.batch],
            padding=True,
            truncation=True,
            max_length=128,
            return_tensors="pt",
        )
        width = max(width, int(batch["input_ids"].shape[1]))
        started = time.perf_counter()
        pooled = model(**batch).last_hidden_state[:, 0]
        loss: Any = torch.nn.functional.cross_entropy(head(pooled), torch.zeros(len(pooled), dtype=torch.long))
        loss.backward()
        optimiser.step()
        optimiser.zero_grad()
        seconds.append(time.perf_counter() - started)
    rate = args.batch / (sum(seconds[1:]) / max(1, len(seconds) - 1))
    epoch_minutes = args.rows / rate / 60
    print(
        f"full fine-tuning of {encoder.name}, batch {args.batch} CAMEO sentences (up to {width} tokens), "
        f"{args.threads} threads: {rate:.1f} sentences/s"
    )
    print(
        f"one epoch over {args.rows} rows: {epoch_minutes:.1f} min; {args.epochs} epochs for one model: "
        f"{args.epochs * epoch_minutes:.0f} min; with 5-fold retraining in the benchmark: "
        f"{6 * args.epochs * epoch_minutes:.0f} min"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

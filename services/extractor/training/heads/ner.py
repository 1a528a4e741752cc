"""The NER tagger: a word-piece BiLSTM over token embeddings and case features, trained with torch and
stored as numpy arrays that `heads.TaggerHead` runs."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ...arrays import FloatArray, IntArray
from ...heads import NER_TAGS, TaggerHead, bio_transition_mask, case_features, viterbi
from ..data import load_conll
from ..features import FeatureCache
from ..progress import log_progress


@dataclass
class TaggedSentence:
    embeddings: FloatArray  # [n, H] float16
    features: FloatArray  # [n, F]
    labels: IntArray  # [n] tag index per word piece
    first_piece: IntArray  # [n] word index for a word's first piece, -1 for continuation pieces
    word_tags: list[str]


def build_ner_data(cache: FeatureCache, path: Path, progress: str) -> list[TaggedSentence]:
    sentences = load_conll(path)
    texts: list[str] = []
    spans: list[list[tuple[int, int]]] = []
    for words, _ in sentences:
        position = 0
        word_spans = []
        for word in words:
            word_spans.append((position, position + len(word)))
            position += len(word) + 1
        texts.append(" ".join(words))
        spans.append(word_spans)
    encoded = cache.token_features(texts, progress=progress)
    tag_index = {tag: i for i, tag in enumerate(NER_TAGS)}
    out: list[TaggedSentence] = []
    for (words, tags), text, word_spans, (embeddings, offsets) in zip(sentences, texts, spans, encoded, strict=True):
        starts = {start: i for i, (start, _) in enumerate(word_spans)}
        ends = np.array([end for _, end in word_spans])
        labels = np.zeros(len(offsets), np.int64)
        first_piece = np.full(len(offsets), -1, np.int64)
        for piece, (start, _end) in enumerate(offsets.tolist()):
            word_index = min(int(np.searchsorted(ends, start, side="right")), len(words) - 1)
            tag = tags[word_index]
            if start in starts:
                first_piece[piece] = starts[start]
            elif tag.startswith("B-"):
                tag = "I-" + tag[2:]
            labels[piece] = tag_index.get(tag, 0)
        features = case_features(text, offsets, np.zeros(len(offsets), np.int64))
        out.append(TaggedSentence(embeddings, features, labels, first_piece, list(tags)))
    return out


def _torch_tagger(input_size: int, projection: int, hidden: int, tags: int, dropout: float) -> Any:
    import torch
    from torch import nn

    class Tagger(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.proj = nn.Linear(input_size, projection)
            self.drop = nn.Dropout(dropout)
            self.lstm = nn.LSTM(projection, hidden, batch_first=True, bidirectional=True)
            self.out = nn.Linear(2 * hidden, tags)

        def forward(self, inputs: Any, lengths: Any) -> Any:
            x = self.drop(torch.relu(self.proj(self.drop(inputs))))
            packed = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
            output, _ = self.lstm(packed)
            output, _ = nn.utils.rnn.pad_packed_sequence(output, batch_first=True, total_length=x.shape[1])
            return self.out(self.drop(output))

    return Tagger()


def _batch_tensors(batch: Sequence[TaggedSentence]) -> tuple[Any, Any, Any]:
    import torch

    longest = max(len(s.labels) for s in batch)
    dims = batch[0].embeddings.shape[1] + batch[0].features.shape[1]
    inputs = np.zeros((len(batch), longest, dims), np.float32)
    labels = np.full((len(batch), longest), -100, np.int64)
    for row, sentence in enumerate(batch):
        n = len(sentence.labels)
        inputs[row, :n] = np.concatenate([sentence.embeddings.astype(np.float32), sentence.features], axis=1)
        labels[row, :n] = sentence.labels
    lengths = torch.tensor([max(len(s.labels), 1) for s in batch])
    return torch.from_numpy(inputs), torch.from_numpy(labels), lengths


def train_tagger(
    train: Sequence[TaggedSentence],
    seed: int,
    epochs: int = 8,
    dev: Sequence[TaggedSentence] | None = None,
    projection: int = 256,
    hidden: int = 192,
    batch_size: int = 32,
    lr: float = 3e-3,
) -> TaggerHead:
    import torch

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    usable = [s for s in train if len(s.labels) > 0]
    input_size = usable[0].embeddings.shape[1] + usable[0].features.shape[1]
    model = _torch_tagger(input_size, projection, hidden, len(NER_TAGS), dropout=0.3)
    optimiser = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
    steps_per_epoch = (len(usable) + batch_size - 1) // batch_size
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimiser, max_lr=lr, total_steps=epochs * steps_per_epoch, pct_start=0.1
    )
    loss_fn = torch.nn.CrossEntropyLoss(ignore_index=-100)
    started = time.monotonic()
    for epoch in range(epochs):
        model.train()
        # Bucket by length for speed, shuffle buckets for SGD noise; both seeded.
        order = rng.permutation(len(usable))
        chunks = [order[i : i + batch_size * 50] for i in range(0, len(order), batch_size * 50)]
        batches: list[list[int]] = []
        for chunk in chunks:
            chunk_sorted = sorted(chunk.tolist(), key=lambda i: len(usable[i].labels))
            batches.extend(chunk_sorted[i : i + batch_size] for i in range(0, len(chunk_sorted), batch_size))
        total = 0.0
        for batch_index in rng.permutation(len(batches)):
            inputs, labels, lengths = _batch_tensors([usable[i] for i in batches[batch_index]])
            logits = model(inputs, lengths)
            loss = loss_fn(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1))
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimiser.step()
            scheduler.step()
            total += float(loss.detach())
        message = f"  ner epoch {epoch + 1}/{epochs} loss {total / max(len(batches), 1):.4f}"
        if dev is not None:
            head = _tagger_head_from_torch(model)
            message += f" dev F1 {evaluate_tagger(head, dev)['f1']:.4f}"
        log_progress(message, started)
    return _tagger_head_from_torch(model)


def _tagger_head_from_torch(model: Any) -> TaggerHead:
    def arr(tensor: Any) -> FloatArray:
        return np.asarray(tensor.detach().cpu().numpy(), dtype=np.float32)

    lstm = model.lstm
    arrays = {
        "proj_W": arr(model.proj.weight),
        "proj_b": arr(model.proj.bias),
        "w_ih": arr(lstm.weight_ih_l0),
        "w_hh": arr(lstm.weight_hh_l0),
        "b_ih": arr(lstm.bias_ih_l0),
        "b_hh": arr(lstm.bias_hh_l0),
        "w_ih_r": arr(lstm.weight_ih_l0_reverse),
        "w_hh_r": arr(lstm.weight_hh_l0_reverse),
        "b_ih_r": arr(lstm.bias_ih_l0_reverse),
        "b_hh_r": arr(lstm.bias_hh_l0_reverse),
        "out_W": arr(model.out.weight),
        "out_b": arr(model.out.bias),
    }
    return TaggerHead(tags=list(NER_TAGS), arrays=arrays)


def _batched_log_probs(head: TaggerHead, sentences: Sequence[TaggedSentence]) -> list[FloatArray]:
    """Torch-batched inference for evaluation speed; the numpy path gives the same numbers."""
    import torch

    a = head.arrays
    hidden = a["w_hh"].shape[1]
    model = _torch_tagger(a["proj_W"].shape[1], a["proj_W"].shape[0], hidden, len(head.tags), 0.0)
    with torch.no_grad():
        model.proj.weight.copy_(torch.from_numpy(a["proj_W"]))
        model.proj.bias.copy_(torch.from_numpy(a["proj_b"]))
        for name, key in (
            ("weight_ih_l0", "w_ih"),
            ("weight_hh_l0", "w_hh"),
            ("bias_ih_l0", "b_ih"),
            ("bias_hh_l0", "b_hh"),
            ("weight_ih_l0_reverse", "w_ih_r"),
            ("weight_hh_l0_reverse", "w_hh_r"),
            ("bias_ih_l0_reverse", "b_ih_r"),
            ("bias_hh_l0_reverse", "b_hh_r"),
        ):
            getattr(model.lstm, name).copy_(torch.from_numpy(a[key]))
        model.out.weight.copy_(torch.from_numpy(a["out_W"]))
        model.out.bias.copy_(torch.from_numpy(a["out_b"]))
    model.eval()
    out: list[FloatArray] = []
    with torch.inference_mode():
        for i in range(0, len(sentences), 128):
            batch = sentences[i : i + 128]
            inputs, _, lengths = _batch_tensors(batch)
            logits = torch.log_softmax(model(inputs, lengths), dim=-1).numpy()
            out.extend(logits[row, : len(s.labels)] for row, s in enumerate(batch))
    return out


def evaluate_tagger(head: TaggerHead, sentences: Sequence[TaggedSentence]) -> dict[str, float]:
    from seqeval.metrics import f1_score, precision_score, recall_score

    start, trans = bio_transition_mask(head.tags)
    truth: list[list[str]] = []
    predicted: list[list[str]] = []
    for sentence, log_probs in zip(sentences, _batched_log_probs(head, sentences), strict=True):
        path = viterbi(log_probs, start, trans) if len(log_probs) else []
        words = ["O"] * len(sentence.word_tags)
        for piece, tag_id in enumerate(path):
            word = int(sentence.first_piece[piece])
            if word >= 0:
                words[word] = head.tags[tag_id]
        truth.append(sentence.word_tags)
        predicted.append(words)
    return {
        "f1": float(f1_score(truth, predicted)),
        "precision": float(precision_score(truth, predicted)),
        "recall": float(recall_score(truth, predicted)),
    }

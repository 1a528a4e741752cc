"""The ONNX Runtime backend: the same `encode()` contract as the torch `Encoder`, from a graph we export ourselves.

The heads only read the encoder's hidden states, so that is all the graph returns; tokenisation, offsets
and pooling stay in Python and are shared with the torch path, so heads trained on torch features read the
ONNX features unchanged. The graphs come from `newswire export-onnx` (`export.py`), which this module does
not import: serving needs ONNX Runtime and the export folder, never torch.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np

from ...common.paths import build_dir
from ..arrays import FloatArray, IntArray
from .base import (
    DEFAULT_ENCODER_NAME,
    EncodedBatch,
    FileTokenizer,
    default_intra_op_threads,
    empty_batch,
    encoder_display_name,
    is_default_encoder,
    tokenize,
)

FP32_FILE = "encoder.onnx"
INT8_FILE = "encoder.int8.onnx"
META_FILE = "export.json"

Quantize = Literal["none", "int8"]


class OnnxEncoder:
    """An exported encoder graph run by ONNX Runtime; tokenizer and metadata come from the export folder
    (local files only). `threads` left as None takes `default_intra_op_threads()`, as torch does."""

    def __init__(
        self, path: Path, device: str = "cpu", threads: int | None = None, max_length: int | None = None
    ) -> None:
        import onnxruntime as ort

        self.graph = resolve_onnx_file(Path(path))
        directory = self.graph.parent
        meta_file = directory / META_FILE
        meta: dict[str, Any] = json.loads(meta_file.read_text()) if meta_file.is_file() else {}
        self.variant = "int8" if self.graph.name == INT8_FILE else "fp32"
        self.precision = self.variant
        base_name = str(meta.get("encoder") or encoder_display_name(str(directory)))
        self.name = f"{base_name}+onnx-{self.variant}"
        # Heads were trained on the source weights; matching their fingerprint keeps the mismatch check quiet.
        self.fingerprint = str(meta.get("encoder_fingerprint") or file_sha256(self.graph)[:10])
        self.device = device
        self.max_length = int(max_length or meta.get("max_length") or 128)
        self.tokenizer: Any
        if (directory / "tokenizer.json").is_file():
            self.tokenizer = FileTokenizer(directory / "tokenizer.json")
        else:
            from transformers import AutoTokenizer

            self.tokenizer = AutoTokenizer.from_pretrained(str(directory), use_fast=True, local_files_only=True)
            if not getattr(self.tokenizer, "is_fast", False):
                raise ValueError(f"ONNX export in {directory} has no fast tokenizer; offsets are required")
        options = ort.SessionOptions()
        self.threads = threads if threads is not None else default_intra_op_threads()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        providers = ["CPUExecutionProvider"]
        if device.startswith("cuda") and "CUDAExecutionProvider" in ort.get_available_providers():
            providers.insert(0, "CUDAExecutionProvider")
        self.session = ort.InferenceSession(str(self.graph), sess_options=options, providers=providers)
        self.input_names = [node.name for node in self.session.get_inputs()]
        self.hidden_size = int(meta.get("hidden_size") or self.session.get_outputs()[0].shape[-1])
        self.output_names = {node.name for node in self.session.get_outputs()}
        self.layer_count = int(meta.get("layer_count") or 0)

    def _output_for(self, layer: int) -> str:
        if layer == self.layer_count:
            return "last_hidden_state"
        name = hidden_state_output(layer)
        if name not in self.output_names:
            raise ValueError(
                f"the ONNX export {self.graph} has no {name} output (exported before newswire exposed hidden "
                f"states); run `newswire export-onnx` again"
            )
        return name

    def hidden_state(self, texts: Sequence[str], layer: int) -> tuple[FloatArray, IntArray]:
        """The exported graph runs whole: the full pass, keeping tap `layer`."""
        encoded = self.encode(texts, layers=[layer])
        return encoded.hidden_states[layer], encoded.attention_mask

    def encode(self, texts: Sequence[str], layers: Sequence[int] = ()) -> EncodedBatch:
        if not texts:
            return empty_batch(self.hidden_size, layers)
        tokenized = tokenize(self.tokenizer, texts, self.max_length)
        feed = {name: tokenized.inputs[name] for name in self.input_names}
        wanted = ["last_hidden_state", *(self._output_for(layer) for layer in layers)]
        outputs = [np.asarray(array, dtype=np.float32) for array in self.session.run(wanted, feed)]
        tokens = outputs[0]
        return EncodedBatch(
            hidden_states=dict(zip(layers, outputs[1:], strict=True)),
            token_embeddings=tokens,
            attention_mask=tokenized.attention_mask,
            offsets=tokenized.offsets,
            pooled=mean_pool_normalised(tokens, tokenized.attention_mask),
            special_tokens_mask=tokenized.special_tokens_mask,
        )


def hidden_state_output(layer: int) -> str:
    """The graph's name for hidden state `layer`; the export and the runtime must agree on it."""
    return f"hidden_state_{layer}"


def mean_pool_normalised(tokens: FloatArray, attention_mask: IntArray) -> FloatArray:
    """The torch path's pooling in numpy: mean over real tokens, then L2 normalisation."""
    mask = attention_mask[..., None].astype(np.float32)
    summed = (tokens * mask).sum(axis=1)
    counts = np.clip(mask.sum(axis=1), 1e-9, None)
    mean = summed / counts
    norms = np.clip(np.linalg.norm(mean, axis=1, keepdims=True), 1e-12, None)
    pooled: FloatArray = (mean / norms).astype(np.float32)
    return pooled


def resolve_onnx_file(path: Path, prefer: Quantize = "int8") -> Path:
    """A graph file, or an export folder (its int8 graph when present and preferred, else fp32)."""
    if path.is_file():
        return path
    if path.is_dir():
        order = (INT8_FILE, FP32_FILE) if prefer == "int8" else (FP32_FILE, INT8_FILE)
        for name in order:
            if (path / name).is_file():
                return path / name
    raise FileNotFoundError(f"no ONNX encoder at {path}; run `newswire export-onnx --out {path.parent}`")


def default_onnx_path(name_or_path: str = "default", root: Path | None = None) -> Path:
    return (root if root is not None else default_onnx_root()) / encoder_slug(name_or_path)


def default_onnx_root() -> Path:
    """`build/onnx` of the checkout (ignored by git: the graphs are large and reproducible), or the user's
    cache for an installed package."""
    return build_dir("onnx")


def encoder_slug(name_or_path: str) -> str:
    """Folder name for one encoder's export (the packaged default is filed under its public name)."""
    name = DEFAULT_ENCODER_NAME if is_default_encoder(name_or_path) else name_or_path
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name.strip("/")).strip("_") or "encoder"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()

"""The shared sentence encoder, on torch or on ONNX Runtime, behind one `TextEncoder` contract.

`base` is what both backends share; `torch` and `onnx` each import only `base`, and this package picks
between them in `load_encoder`. Neither backend imports its runtime until an encoder is built, so an
install with one runtime imports the package. The ONNX export (`export`, which needs torch) is not
imported here: serving never loads it.
"""

from __future__ import annotations

from pathlib import Path

from .base import (
    DEFAULT_ENCODER_ALIASES,
    DEFAULT_ENCODER_NAME,
    EncodedBatch,
    TextEncoder,
    Tokenized,
    default_intra_op_threads,
    empty_batch,
    encoder_display_name,
    resolve_encoder,
    tokenize,
)
from .onnx import FP32_FILE, INT8_FILE, META_FILE, OnnxEncoder, default_onnx_path, resolve_onnx_file
from .torch import Encoder

__all__ = [
    "DEFAULT_ENCODER_ALIASES",
    "DEFAULT_ENCODER_NAME",
    "FP32_FILE",
    "INT8_FILE",
    "META_FILE",
    "EncodedBatch",
    "Encoder",
    "OnnxEncoder",
    "TextEncoder",
    "Tokenized",
    "default_intra_op_threads",
    "default_onnx_path",
    "empty_batch",
    "encoder_display_name",
    "load_encoder",
    "resolve_encoder",
    "resolve_onnx_file",
    "tokenize",
]


def load_encoder(
    name_or_path: str = "default",
    device: str = "cpu",
    backend: str = "torch",
    onnx_path: Path | None = None,
    torch_threads: int | None = None,
    onnx_threads: int | None = None,
    precision: str = "fp32",
) -> TextEncoder:
    """The configured backend: torch (default) or an ONNX export made by `newswire export-onnx`.

    Thread counts left as None take `default_intra_op_threads()`; ONNX Runtime falls back to `torch_threads`
    so that one setting sizes either backend. `precision` is the torch backend's (see `Encoder`); an ONNX
    export carries its own.
    """
    if backend == "torch":
        return Encoder(name_or_path, device=device, threads=torch_threads, precision=precision)
    if backend == "onnx":
        return OnnxEncoder(
            onnx_path if onnx_path is not None else default_onnx_path(name_or_path),
            device=device,
            threads=onnx_threads if onnx_threads is not None else torch_threads,
        )
    raise ValueError(f"unknown encoder backend {backend!r}; expected 'torch' or 'onnx'")

"""ONNX Runtime encoder: the same `encode()` contract as the torch `Encoder`, from a graph we export ourselves.

The heads only read the encoder's last hidden state, so that is all the graph returns; tokenisation, offsets
and pooling stay in Python and are shared with the torch path, so heads trained on torch features read the
ONNX features unchanged. `newswire export-onnx` writes the fp32 graph and, optionally, a dynamically
quantised int8 copy (weights int8, activations quantised on the fly) that is smaller and faster on CPU at a
small, measured accuracy cost (benchmarks/onnx_accuracy.py).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from ..common.paths import build_dir
from .arrays import FloatArray
from .encoder import (
    DEFAULT_ENCODER_ALIASES,
    EncodedBatch,
    Encoder,
    IntArray,
    default_intra_op_threads,
    empty_batch,
    encoder_display_name,
    tokenize,
)

FP32_FILE = "encoder.onnx"
INT8_FILE = "encoder.int8.onnx"
META_FILE = "export.json"
DEFAULT_OPSET = 17
# A fresh export is compared with torch on this sentence; fp32 graphs agree to ~1e-5.
_CHECK_SENTENCE = "Security forces killed 23 people on the road to Deraa, activists said on Tuesday."
_FP32_TOLERANCE = 1e-3

Quantize = Literal["none", "int8"]


def default_onnx_root() -> Path:
    """`build/onnx` of the checkout (ignored by git: the graphs are large and reproducible), or the user's
    cache for an installed package."""
    return build_dir("onnx")


def encoder_slug(name_or_path: str) -> str:
    """Folder name for one encoder's export (the packaged default is filed under its public name)."""
    name = "all-MiniLM-L6-v2" if name_or_path.strip().lower() in DEFAULT_ENCODER_ALIASES else name_or_path
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name.strip("/")).strip("_") or "encoder"


def default_onnx_path(name_or_path: str = "default", root: Path | None = None) -> Path:
    return (root if root is not None else default_onnx_root()) / encoder_slug(name_or_path)


@dataclass(frozen=True, slots=True)
class ExportResult:
    directory: Path
    fp32: Path
    int8: Path | None
    seconds: float
    max_abs_diff_fp32: float


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def export_encoder(
    encoder: str = "default",
    out_dir: Path | None = None,
    quantize: Quantize = "int8",
    opset: int = DEFAULT_OPSET,
    max_length: int = 128,
) -> ExportResult:
    """Export the encoder's hidden states (dynamic batch and sequence axes), optionally quantised to int8.

    `out_dir` receives the graph(s), the tokenizer and `export.json`, so the folder alone is enough to
    run `OnnxEncoder` offline.
    """
    import torch
    from transformers import AutoModel

    started = time.monotonic()
    source = Encoder(encoder, device="cpu", max_length=max_length)
    directory = Path(out_dir) if out_dir is not None else default_onnx_path(encoder)
    directory.mkdir(parents=True, exist_ok=True)
    # Eager attention traces into plain MatMul/Softmax ops that every ONNX Runtime build runs and quantises.
    model = AutoModel.from_pretrained(source.path, attn_implementation="eager", local_files_only=True)
    model.eval()
    input_names = [name for name in ("input_ids", "attention_mask", "token_type_ids") if name in _input_names(source)]

    layer_count = int(model.config.num_hidden_layers)
    output_names = ["last_hidden_state", *(hidden_state_output(i) for i in range(layer_count))]

    class HiddenStates(torch.nn.Module):
        """The last hidden state plus every earlier one, for heads that re-run the top layers."""

        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, *inputs: torch.Tensor) -> tuple[torch.Tensor, ...]:
            output = self.inner(**dict(zip(input_names, inputs, strict=True)), output_hidden_states=True)
            return (output.last_hidden_state, *output.hidden_states[:layer_count])

    sample = source.tokenizer(
        [_CHECK_SENTENCE, "Talks in Moscow."], padding=True, truncation=True, max_length=max_length, return_tensors="pt"
    )
    fp32 = directory / FP32_FILE
    dynamic = {name: {0: "batch", 1: "sequence"} for name in [*input_names, *output_names]}
    # The tracer's warnings concern mask-building branches that are constant for an encoder (no KV cache);
    # the fp32 comparison below is what catches a bad trace.
    with torch.inference_mode(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            HiddenStates(model),
            tuple(sample[name] for name in input_names),
            str(fp32),
            input_names=input_names,
            output_names=output_names,
            dynamic_axes=dynamic,
            opset_version=opset,
            do_constant_folding=True,
            dynamo=False,
        )
    source.tokenizer.save_pretrained(str(directory))
    max_diff = _compare_with_torch(source, fp32)
    if max_diff > _FP32_TOLERANCE:
        raise RuntimeError(f"exported graph disagrees with torch by {max_diff:.2e} (> {_FP32_TOLERANCE:.0e})")
    int8: Path | None = None
    if quantize == "int8":
        from onnxruntime.quantization import QuantType, quantize_dynamic

        int8 = directory / INT8_FILE
        quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8, per_channel=True)
    meta = {
        "encoder": source.name,
        "encoder_source": encoder,
        "encoder_fingerprint": source.fingerprint,
        "hidden_size": source.hidden_size,
        "layer_count": layer_count,
        "max_length": max_length,
        "input_names": input_names,
        "opset": opset,
        "quantization": {"method": "onnxruntime.quantization.quantize_dynamic", "weights": "QInt8", "per_channel": True}
        if int8 is not None
        else None,
        "files": {path.name: _sha256(path) for path in (fp32, int8) if path is not None},
        "max_abs_diff_fp32_vs_torch": max_diff,
    }
    (directory / META_FILE).write_text(json.dumps(meta, indent=2) + "\n")
    return ExportResult(directory, fp32, int8, time.monotonic() - started, max_diff)


def _input_names(encoder: Encoder) -> list[str]:
    return list(getattr(encoder.tokenizer, "model_input_names", ["input_ids", "attention_mask"]))


def _compare_with_torch(source: Encoder, graph: Path) -> float:
    onnx_encoder = OnnxEncoder(graph, threads=1)
    texts = [_CHECK_SENTENCE, "Talks in Moscow.", "The Arab League meets in Cairo on Saturday to discuss Syria."]
    expected, actual = source.encode(texts), onnx_encoder.encode(texts)
    real = expected.attention_mask.astype(bool)
    return float(np.abs(expected.token_embeddings - actual.token_embeddings)[real].max())


def hidden_state_output(layer: int) -> str:
    return f"hidden_state_{layer}"


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


def mean_pool_normalised(tokens: FloatArray, attention_mask: IntArray) -> FloatArray:
    """The torch path's pooling in numpy: mean over real tokens, then L2 normalisation."""
    mask = attention_mask[..., None].astype(np.float32)
    summed = (tokens * mask).sum(axis=1)
    counts = np.clip(mask.sum(axis=1), 1e-9, None)
    mean = summed / counts
    norms = np.clip(np.linalg.norm(mean, axis=1, keepdims=True), 1e-12, None)
    pooled: FloatArray = (mean / norms).astype(np.float32)
    return pooled


class OnnxEncoder:
    """An exported encoder graph run by ONNX Runtime; tokenizer and metadata come from the export folder
    (local files only). `threads` left as None takes `default_intra_op_threads()`, as torch does."""

    def __init__(
        self, path: Path, device: str = "cpu", threads: int | None = None, max_length: int | None = None
    ) -> None:
        import onnxruntime as ort
        from transformers import AutoTokenizer

        self.graph = resolve_onnx_file(Path(path))
        directory = self.graph.parent
        meta_file = directory / META_FILE
        meta: dict[str, Any] = json.loads(meta_file.read_text()) if meta_file.is_file() else {}
        self.variant = "int8" if self.graph.name == INT8_FILE else "fp32"
        base_name = str(meta.get("encoder") or encoder_display_name(str(directory)))
        self.name = f"{base_name}+onnx-{self.variant}"
        # Heads were trained on the source weights; matching their fingerprint keeps the mismatch check quiet.
        self.fingerprint = str(meta.get("encoder_fingerprint") or _sha256(self.graph)[:10])
        self.device = device
        self.max_length = int(max_length or meta.get("max_length") or 128)
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


def main(argv: list[str]) -> int:
    """`newswire export-onnx`: reproducible export of the encoder graph the ONNX backend runs."""
    parser = argparse.ArgumentParser(
        prog="newswire export-onnx", description="export the encoder to ONNX (and int8) for the onnx backend"
    )
    parser.add_argument("--encoder", default="default", help="Hugging Face id or local path (default: all-MiniLM)")
    parser.add_argument(
        "--out",
        type=Path,
        default=default_onnx_root(),
        help="root folder; the export goes to OUT/<encoder name>/ (default: build/onnx, ignored by git)",
    )
    parser.add_argument("--quantize", choices=["int8", "none"], default="int8")
    parser.add_argument("--opset", type=int, default=DEFAULT_OPSET)
    args = parser.parse_args(argv)
    if args.opset < DEFAULT_OPSET:
        parser.error(f"--opset must be >= {DEFAULT_OPSET}")
    result = export_encoder(args.encoder, default_onnx_path(args.encoder, args.out), args.quantize, args.opset)
    for graph in (result.fp32, result.int8):
        if graph is not None:
            print(f"{graph} ({graph.stat().st_size / 1e6:.1f} MB)")
    print(f"fp32 vs torch max |diff|: {result.max_abs_diff_fp32:.2e}; {result.seconds:.1f} s")
    print(f"use: NEWSWIRE_EXTRACTOR__BACKEND=onnx NEWSWIRE_EXTRACTOR__ONNX_PATH={result.directory}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

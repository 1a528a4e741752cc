"""`newswire export-onnx`: the encoder graph the ONNX backend runs, made from the torch encoder.

Writes the fp32 graph and, optionally, a dynamically quantised int8 copy (weights int8, activations
quantised on the fly) that is smaller and faster on CPU at a small, measured accuracy cost
(benchmarks/onnx_accuracy.py). It needs torch, which the runtime (`onnx.py`) does not: the two live apart so
that serving never imports the exporter. Also runs as `python -m newswire.extractor.encoding.export`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .onnx import (
    FP32_FILE,
    INT8_FILE,
    META_FILE,
    OnnxEncoder,
    Quantize,
    default_onnx_path,
    default_onnx_root,
    file_sha256,
    hidden_state_output,
)
from .torch import Encoder

DEFAULT_OPSET = 17
# A fresh export is compared with torch on this sentence; fp32 graphs agree to ~1e-5.
_CHECK_SENTENCE = "Security forces killed 23 people on the road to Deraa, activists said on Tuesday."
_FP32_TOLERANCE = 1e-3


@dataclass(frozen=True, slots=True)
class ExportResult:
    directory: Path
    fp32: Path
    int8: Path | None
    seconds: float
    max_abs_diff_fp32: float


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
        "files": {path.name: file_sha256(path) for path in (fp32, int8) if path is not None},
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

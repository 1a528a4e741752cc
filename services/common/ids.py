"""Deterministic ids: a reprocessed article yields the same ids, so consumers can de-duplicate."""

from __future__ import annotations

import hashlib


def stable_id(*parts: str | int) -> str:
    joined = "\x1f".join(str(part) for part in parts)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()

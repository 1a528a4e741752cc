"""Near-duplicate detection, so that a syndicated copy is marked instead of coded a second time.

Agencies' reports are republished by many sites with their own header, footer and a few edits; the
clean texts then share most of their word shingles. A MinHash signature per article estimates the
Jaccard similarity of shingle sets, and LSH bands find candidates without comparing against every
article of the last N days. The state is a plain dict of compact entries so that it can live in a
Kafka-backed table and survive restarts.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from datasketch import MinHash, MinHashLSH

_TOKEN = re.compile(r"\w+", re.UNICODE)
STATE_VERSION = 1
CANDIDATE_JACCARD = 0.3
MIN_CONTAINED_SHINGLES = 40
"""A copy judged by containment must be long enough for the estimate to mean something."""
MINHASH_SCHEME = "affine32"
"""Fixed so that signatures saved in the state stay comparable across datasketch upgrades."""


def shingles(text: str, size: int) -> set[bytes]:
    tokens = _TOKEN.findall(text.casefold())
    if not tokens:
        return set()
    if len(tokens) < size:
        return {" ".join(tokens).encode()}
    return {" ".join(tokens[i : i + size]).encode() for i in range(len(tokens) - size + 1)}


def fingerprint(text: str, shingle_size: int = 3) -> str:
    """64-bit SimHash of the text's word shingles, as 16 hex digits: equal texts share it, and
    near-equal texts differ in few bits, which makes it a cheap key to compare copies by eye or in SQL."""
    grams = shingles(text, shingle_size)
    if not grams:
        return "0" * 16
    digests = np.frombuffer(
        b"".join(hashlib.blake2b(gram, digest_size=8).digest() for gram in sorted(grams)), dtype=">u8"
    )
    bits = np.unpackbits(digests.astype(">u8").view(np.uint8).reshape(-1, 8), axis=1)
    votes = bits.sum(axis=0, dtype=np.int64) * 2 - len(grams)
    value = 0
    for bit in votes > 0:
        value = (value << 1) | int(bit)
    return f"{value:016x}"


@dataclass(frozen=True)
class _Entry:
    at: datetime
    signature: np.ndarray[Any, np.dtype[np.uint32]]
    duplicate_of: str | None
    size: int
    """Number of distinct shingles: with the Jaccard estimate it gives containment (a cut-down copy)."""


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class NearDuplicateIndex:
    """Articles of the last `max_age_days` (by the newest time seen), queried by MinHash LSH.

    `add` is idempotent: adding an article id again returns the answer it got the first time, so a
    message redelivered after a crash is marked the same way.
    """

    def __init__(
        self,
        *,
        threshold: float = 0.5,
        containment: float = 0.8,
        num_perm: int = 64,
        shingle_size: int = 5,
        max_age_days: float = 7.0,
        seed: int = 1,
    ) -> None:
        self.threshold = threshold
        self.containment = containment
        self.num_perm = num_perm
        self.shingle_size = shingle_size
        self.max_age = timedelta(days=max_age_days)
        self.seed = seed
        # Candidates are gathered below the thresholds, so that a copy cut to half the original
        # (Jaccard about 0.5, containment 1.0) is still found; each candidate is then checked.
        self._lsh = MinHashLSH(threshold=min(threshold, CANDIDATE_JACCARD), num_perm=num_perm)
        self._entries: dict[str, _Entry] = {}
        self._newest: datetime | None = None
        self._permutations = MinHash(num_perm=num_perm, seed=seed, scheme=MINHASH_SCHEME).permutations

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._entries

    def _minhash(self, hashvalues: np.ndarray[Any, np.dtype[np.uint32]] | None = None) -> MinHash:
        return MinHash(
            num_perm=self.num_perm,
            seed=self.seed,
            hashvalues=hashvalues,
            permutations=self._permutations,
            scheme=MINHASH_SCHEME,
        )

    def signature(self, text: str) -> tuple[MinHash, int] | None:
        grams = shingles(text, self.shingle_size)
        if not grams:
            return None
        minhash = self._minhash()
        minhash.update_batch(list(grams))
        return minhash, len(grams)

    def add(self, article_id: str, text: str, at: datetime) -> str | None:
        """Index the article; return the id of the first-seen article it copies, or None."""
        known = self._entries.get(article_id)
        if known is not None:
            return known.duplicate_of
        # A page that claims a date in the future must not push the window ahead and expire everything.
        at = min(_as_utc(at), datetime.now(UTC) + timedelta(days=1))
        self._newest = at if self._newest is None or at > self._newest else self._newest
        self.expire()
        signed = self.signature(text)
        if signed is None:
            return None
        minhash, size = signed
        duplicate_of = self._best_match(minhash, size)
        signature = np.asarray(minhash.hashvalues, dtype=np.uint32)
        self._entries[article_id] = _Entry(at, signature, duplicate_of, size)
        self._lsh.insert(article_id, minhash)
        return duplicate_of

    def is_copy(self, jaccard: float, size_a: int, size_b: int) -> bool:
        """Near-equal texts, or the shorter one almost wholly inside the longer (a cut-down copy)."""
        if jaccard >= self.threshold:
            return True
        smaller = min(size_a, size_b)
        if smaller < MIN_CONTAINED_SHINGLES:
            return False
        intersection = jaccard * (size_a + size_b) / (1 + jaccard)
        return intersection / smaller >= self.containment

    def _best_match(self, minhash: MinHash, size: int) -> str | None:
        """Among the copies found, the original: a copy points at what it copied."""
        best: tuple[datetime, str] | None = None
        for candidate in self._lsh.query(minhash):
            entry = self._entries[candidate]
            if not self.is_copy(minhash.jaccard(self._minhash(entry.signature)), size, entry.size):
                continue
            root = entry.duplicate_of if entry.duplicate_of in self._entries else None
            original = root or candidate
            original_at = self._entries[original].at
            if best is None or (original_at, original) < best:
                best = (original_at, original)
        return best[1] if best else None

    def expire(self, now: datetime | None = None) -> int:
        """Drop entries older than the window before `now` (default: the newest time seen)."""
        reference = _as_utc(now) if now else self._newest
        if reference is None:
            return 0
        cutoff = reference - self.max_age
        stale = [article_id for article_id, entry in self._entries.items() if entry.at < cutoff]
        for article_id in stale:
            del self._entries[article_id]
            self._lsh.remove(article_id)
        return len(stale)

    def packed(self, article_id: str) -> list[Any] | None:
        """One entry as `to_state()` stores it, for stores that persist entries one at a time."""
        entry = self._entries.get(article_id)
        return entry_state(entry) if entry is not None else None

    def to_state(self) -> dict[str, Any]:
        """JSON-serialisable: each entry is [epoch seconds, base64 signature, duplicate_of, shingle count]."""
        return {
            "version": STATE_VERSION,
            "threshold": self.threshold,
            "containment": self.containment,
            "num_perm": self.num_perm,
            "shingle_size": self.shingle_size,
            "max_age_days": self.max_age.total_seconds() / 86400,
            "seed": self.seed,
            "entries": {article_id: entry_state(entry) for article_id, entry in self._entries.items()},
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> NearDuplicateIndex:
        if state.get("version") != STATE_VERSION:
            raise ValueError(f"unsupported near-duplicate state version {state.get('version')!r}")
        index = cls(
            threshold=float(state["threshold"]),
            containment=float(state["containment"]),
            num_perm=int(state["num_perm"]),
            shingle_size=int(state["shingle_size"]),
            max_age_days=float(state["max_age_days"]),
            seed=int(state["seed"]),
        )
        for article_id, packed in state["entries"].items():
            index.restore_entry(article_id, packed)
        return index

    def restore_entry(self, article_id: str, packed: list[Any]) -> None:
        """Put back one entry of `to_state()["entries"]` (also for a table that stores entries one by one)."""
        if article_id in self._entries:
            return
        epoch, signature_b64, duplicate_of, size = packed
        signature = np.frombuffer(base64.b64decode(signature_b64), dtype="<u4").astype(np.uint32)
        if signature.shape != (self.num_perm,):
            raise ValueError(f"signature of {article_id!r} has {signature.size} values, expected {self.num_perm}")
        at = datetime.fromtimestamp(float(epoch), tz=UTC)
        self._entries[article_id] = _Entry(at, signature, duplicate_of, int(size))
        self._lsh.insert(article_id, self._minhash(signature))
        self._newest = at if self._newest is None or at > self._newest else self._newest


def entry_state(entry: _Entry) -> list[Any]:
    return [
        round(entry.at.timestamp(), 3),
        base64.b64encode(entry.signature.astype("<u4").tobytes()).decode("ascii"),
        entry.duplicate_of,
        entry.size,
    ]

"""Content-Encoding decoding with an output bound: our own zlib loop, so that a gzip bomb is stopped after
the byte cap instead of inflated in memory. (Charsets are decoded by `newswire.common.charsets`.)"""

from __future__ import annotations

import zlib

from .errors import PermanentFetchError


class BodyDecoder:
    """Content-Encoding decoding with an output bound, so a bomb never inflates beyond the cap."""

    def __init__(self, coding: str) -> None:
        self.coding = coding
        self.consumed = 0
        if coding in ("", "identity"):
            self._z: zlib._Decompress | None = None
        elif coding in ("gzip", "x-gzip"):
            self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif coding == "deflate":
            self._z = zlib.decompressobj(zlib.MAX_WBITS)
        else:
            raise PermanentFetchError(f"unsupported content-encoding: {coding!r}")
        self._raw_deflate_tried = coding != "deflate"

    @property
    def compressed(self) -> bool:
        """Whether the body is inflated here: only then can a small wire body be a bomb."""
        return self._z is not None

    def decode(self, data: bytes, max_out: int) -> bytes:
        if self._z is None:
            self.consumed += len(data)
            return data[:max_out]
        try:
            out = self._z.decompress(data, max_out)
        except zlib.error:
            if self._raw_deflate_tried or self.consumed:
                raise PermanentFetchError(f"corrupt body: invalid {self.coding} data") from None
            self._raw_deflate_tried = True  # some servers send raw deflate without the zlib header
            self._z = zlib.decompressobj(-zlib.MAX_WBITS)
            return self.decode(data, max_out)
        self.consumed += len(data) - len(self._z.unconsumed_tail)
        return out

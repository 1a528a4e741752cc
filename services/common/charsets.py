"""HTML bytes to text, one way for every service: a page the cleaner is handed as bytes reads as the same
text the fetcher would have put on `articles.raw`.

Needs charset-normalizer, which the fetcher's extra names and trafilatura (the cleaner's) depends on.
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer

_WESTERN = frozenset({"cp1252", "iso8859-15"})
_META_CHARSET = re.compile(rb"""<meta[^>]{0,300}?charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.IGNORECASE)
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


def _header_charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    for param in content_type.split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


def _codec_name(label: str | None) -> str | None:
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().lower()).name
    except LookupError:
        return None
    # WHATWG: pages labelled latin-1/ascii are decoded as windows-1252.
    return "cp1252" if name in ("iso8859-1", "ascii") else name


def _strict(body: bytes, encoding: str) -> str | None:
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _mostly_non_latin(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return False
    non_latin = sum(1 for ch in letters if ord(ch) > 0x24F and not 0x1E00 <= ord(ch) <= 0x1EFF)
    return non_latin / len(letters) > 0.3


def decode_html(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode a page so that nothing arrives as mojibake; returns (text, codec name). Never raises: what
    no codec reads cleanly comes back with replacement characters, for the caller to judge.

    Order: BOM; valid UTF-8 (a legacy page is almost never valid UTF-8 by chance, and UTF-8 served
    under a Latin-1 label is the most common lie); a declared non-Western charset (header, then meta)
    that decodes cleanly; detection, preferred over a Western label when it finds a non-Latin script
    (Arabic in windows-1256 labelled ISO-8859-1); the Western label; detection; windows-1252.
    """
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(encoding, errors="replace"), encoding
    declared = [_codec_name(_header_charset(content_type))]
    meta = _META_CHARSET.search(body[:4096])
    declared.append(_codec_name(meta.group(1).decode("ascii", "ignore")) if meta else None)
    labels = [name for name in dict.fromkeys(declared) if name]
    if body.isascii():
        return body.decode("ascii"), labels[0] if labels else "utf-8"
    text = _strict(body, "utf-8")
    if text is not None:
        return text, "utf-8"
    western = next((name for name in labels if name in _WESTERN), None)
    for name in labels:
        if name not in _WESTERN and name != "utf-8":
            text = _strict(body, name)
            if text is not None:
                return text, name
    matches = charset_normalizer.from_bytes(body[:100_000])
    best = matches.best()
    detected = _codec_name(best.encoding) if best is not None else None
    if best is not None and detected is not None:
        candidate = body.decode(detected, errors="replace")
        if _mostly_non_latin(candidate):
            return candidate, detected
        # Latin-script detection is weak (cp1250 vs cp1252 often tie); the web's default wins ties.
        tied = any(m.encoding == "cp1252" and m.chaos <= best.chaos + 0.01 for m in matches)
        if western is None and not tied:
            return candidate, detected
    chosen = western or "cp1252"
    return body.decode(chosen, errors="replace"), chosen

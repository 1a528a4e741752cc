"""Language of the clean text, so that the extractor can route or skip non-English articles."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

MIN_LETTERS = 20
MIN_CONFIDENCE = 0.3
SAMPLE_CHARS = 1200
_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)


@lru_cache(maxsize=1)
def _identifier() -> Any:
    """Load py3langid's model once per process (it is read-only after loading)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text, or None when the text is too short or the guess too unsure."""
    sample = text[:SAMPLE_CHARS]
    if len(_LETTERS.findall(sample[:400])) < MIN_LETTERS:
        return None
    code, confidence = _identifier().classify(sample)
    if float(confidence) < MIN_CONFIDENCE:
        return None
    return str(code)

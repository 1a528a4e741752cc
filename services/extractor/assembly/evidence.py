"""Fields the heads guess without a word to back them are left out.

Every field of an event is meant to stand on its evidence. The mode and sub-type heads, trained on
synthetic stories and CASE snippets, name an arrest for almost any sentence about the police ("the
police force was present at the meet in full strength" comes out COERCE/ARREST); an analyst counting
arrests wants only those the text reports. An arrest mode or sub-type is kept only where the sentence
says someone was taken.
"""

from __future__ import annotations

import re

ARREST = "ARREST"

_TAKEN = re.compile(
    r"\b(?:arrest\w*|detain\w*|detention\w*|custody|held|holding|nab\w*|apprehend\w*|captur\w*|"
    r"round(?:s|ed|ing)?\s+up|picked\s+up|taken\s+in(?:to)?|booked|jail\w*|imprison\w*|remand\w*|"
    r"abduct\w*|kidnap\w*|seiz\w*|caught|in\s+connection\s+with|charged)\b",
    re.IGNORECASE,
)


def supported_arrest(text: str) -> bool:
    """Whether `text` says someone was (or is to be) taken into custody."""
    return _TAKEN.search(text) is not None


def backed_mode_and_subtype(text: str, mode: str | None, sub_type: str | None) -> tuple[str | None, str | None]:
    """The mode and sub-type with an arrest that the text does not report removed."""
    if ARREST not in (mode, sub_type) or supported_arrest(text):
        return mode, sub_type
    return (None if mode == ARREST else mode), (None if sub_type == ARREST else sub_type)

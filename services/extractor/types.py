"""Types passed between the model stage (encoder + heads) and the pure-Python event assembly.

The model stage turns sentences into `SentenceAnalysis`; assembly turns those into `Event`s. Keeping
this seam explicit lets assembly be unit-tested on hand-written analyses without loading a model.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence and its character span in the article's clean text."""

    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class EntitySpan:
    """An entity found by the token tagger; offsets are relative to the sentence text."""

    label: str  # PER, ORG, LOC, MISC
    text: str
    start: int
    end: int
    score: float = 1.0


@dataclass(frozen=True, slots=True)
class SentenceAnalysis:
    """Everything the models say about one sentence."""

    sentence: Sentence
    event_type: str | None  # a PLOVER type or DISASTER, or None for "no event"
    event_score: float
    event_scores: dict[str, float] = field(default_factory=dict)
    mode: str | None = None
    sub_event_type: str | None = None  # ACLED-style sub-type
    entities: tuple[EntitySpan, ...] = ()
    # The sub-type head's distribution where it ran: when the words change the type in assembly, the
    # sub-type is read again for the new type instead of being dropped.
    sub_type_scores: dict[str, float] = field(default_factory=dict)

"""Sentence analyses without a model, for tests of assembly and the document view."""

from __future__ import annotations

from newswire.extractor.sentences import split_sentences
from newswire.extractor.types import EntitySpan, SentenceAnalysis


def analyses_with_places(text: str, locations: list[str], label: str = "LOC") -> list[SentenceAnalysis]:
    """`text` split as the extractor splits it, each named location tagged LOC (or `label`) where a tagger
    would put it (first occurrence in each sentence), no event."""
    analyses = []
    for sentence in split_sentences(text):
        entities = tuple(
            EntitySpan(label, name, sentence.text.index(name), sentence.text.index(name) + len(name))
            for name in locations
            if name in sentence.text
        )
        analyses.append(SentenceAnalysis(sentence=sentence, event_type=None, event_score=0.0, entities=entities))
    return analyses

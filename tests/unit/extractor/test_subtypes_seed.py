"""Sub-types on the seed article's sentences, decoded through the analyzer (loads the encoder: slow)."""

from __future__ import annotations

import pytest

from newswire.extractor.heads import SUBTYPE_COMPATIBILITY
from newswire.extractor.types import Sentence, SentenceAnalysis

SENTENCES = {
    "total": (
        "At least 70 people have been killed in violence across Syria over the past 24 hours in one of the "
        "bloodiest days since an anti-government uprising began eight months ago, activists reported."
    ),
    "clashes": (
        "The UK-based Syrian Observatory for Human Rights said on Tuesday that 27 civilians were shot dead by "
        "security forces and 34 soldiers as well as 12 suspected army deserters were killed in clashes."
    ),
    "crackdown": (
        "The UN says 3,500 people have been killed in Assad's crackdown on the protests and human rights groups "
        "say security forces have carried out killings and torture which constitute crimes against humanity."
    ),
    "king": "Earlier, King Abdullah of Jordan called for Assad to step down in the interest of the Syrian people.",
    "shot": (
        '"Twenty-three people were shot dead by security forces posted along the road between the towns of '
        'Kherbet Ghazale and Hirak," the statement said.'
    ),
}


@pytest.fixture(scope="module")
def results() -> dict[str, SentenceAnalysis]:
    from newswire.extractor.analyzer import SentenceAnalyzer

    analyzer = SentenceAnalyzer(batch_size=8)
    texts = list(SENTENCES.values())
    analyses = analyzer.analyze([Sentence(text=t, start=0, end=len(t)) for t in texts])
    return dict(zip(SENTENCES, analyses, strict=True))


@pytest.mark.slow
def test_every_reported_sub_type_fits_its_event_type(results: dict[str, SentenceAnalysis]) -> None:
    for analysis in results.values():
        if analysis.sub_event_type is not None:
            assert analysis.event_type is not None
            assert analysis.sub_event_type in SUBTYPE_COMPATIBILITY[analysis.event_type]


@pytest.mark.slow
def test_seed_article_gets_no_absurd_sub_types(results: dict[str, SentenceAnalysis]) -> None:
    assert all(a.sub_event_type not in {"NATURAL_DISASTER", "MAN_MADE_DISASTER"} for a in results.values())
    assert results["king"].event_type == "REQUEST"
    assert results["king"].sub_event_type is None
    assert results["shot"].event_type == "ASSAULT"
    assert results["shot"].sub_event_type in SUBTYPE_COMPATIBILITY["ASSAULT"]

"""The model stage on real sentences from the seed article (loads the encoder: slow)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from newswire.extractor.encoding import Encoder, resolve_encoder
from newswire.extractor.types import Sentence, SentenceAnalysis
from tests.support import paths

MODELS = paths.MODELS

SHOT = (
    '"Twenty-three people were shot dead by security forces posted along the road between the towns of '
    'Kherbet Ghazale and Hirak," the statement said.'
)
DELEGATION = (
    "The new death figures come as a delegation from the main Syrian opposition bloc, the Syrian National "
    "Council (SNC), visited Moscow for talks with Russian diplomats."
)
KING = "Earlier, King Abdullah of Jordan called for Assad to step down in the interest of the Syrian people."
APPEAL = (
    "Because of people like you, another world is possible. There are many battles to be won, but we will "
    "battle them together—all of us. If you can help today—because every gift of every size matters—please do."
)
HOMS = (
    "At least four other civilians were killed by security force fire in the city of Homs, a protest hub in "
    "central Syria, the rights group reported."
)


def _sentence(text: str, start: int = 0) -> Sentence:
    return Sentence(text=text, start=start, end=start + len(text))


def test_default_encoder_resolves_to_the_packaged_folder() -> None:
    folder = Path(resolve_encoder("default"))
    assert (folder / "config.json").exists()
    assert resolve_encoder("") == resolve_encoder("all-MiniLM-L6-v2") == str(folder)
    assert resolve_encoder("/some/local/model") == "/some/local/model"
    assert resolve_encoder("org/some-model") == "org/some-model"


@pytest.fixture(scope="module")
def analyzer() -> object:
    from newswire.extractor.analyzer import SentenceAnalyzer

    return SentenceAnalyzer(batch_size=4)


@pytest.fixture(scope="module")
def seed_results(analyzer: object) -> dict[str, SentenceAnalysis]:
    from newswire.extractor.analyzer import SentenceAnalyzer

    assert isinstance(analyzer, SentenceAnalyzer)
    texts = {"shot": SHOT, "delegation": DELEGATION, "king": KING, "appeal": APPEAL, "homs": HOMS}
    results = analyzer.analyze([_sentence(t, 100 * i) for i, t in enumerate(texts.values())])
    return dict(zip(texts, results, strict=True))


@pytest.mark.slow
def test_encoder_outputs_line_up_with_the_text() -> None:
    encoder = Encoder()
    batch = encoder.encode(["King Abdullah visited Moscow.", "Hi"])
    assert batch.token_embeddings.shape[0] == 2
    assert batch.token_embeddings.dtype == np.float32
    assert batch.token_embeddings.shape[2] == encoder.hidden_size == 384
    np.testing.assert_allclose(np.linalg.norm(batch.pooled, axis=1), 1.0, rtol=1e-5)
    real = batch.special_tokens_mask[0] == 0
    pieces = ["King Abdullah visited Moscow."[a:b] for a, b in batch.offsets[0][real]]
    assert pieces[0] == "King"
    assert "Moscow" in pieces
    assert batch.attention_mask[1].sum() < batch.attention_mask[0].sum()  # padding is masked
    assert len(encoder.fingerprint) == 10


@pytest.mark.slow
def test_a_hidden_state_run_only_up_to_its_layer_equals_the_full_pass_tap() -> None:
    encoder = Encoder()
    texts = ["Gunmen stormed a school on Monday. They seized 40 pupils.", "Hi"]
    hidden, mask = encoder.hidden_state(texts, 2)  # first, so no earlier full pass can mask a side effect
    full = encoder.encode(texts, layers=[2])
    fresh = Encoder().encode(texts, layers=[2])
    real = mask.astype(bool)
    np.testing.assert_array_equal(mask, full.attention_mask)
    np.testing.assert_allclose(hidden[real], full.hidden_states[2][real], atol=1e-5)
    # the full model is untouched by the partial run
    np.testing.assert_allclose(full.hidden_states[2][real], fresh.hidden_states[2][real], atol=1e-5)
    np.testing.assert_allclose(full.token_embeddings[real], fresh.token_embeddings[real], atol=1e-5)


@pytest.mark.slow
def test_seed_article_sentences_get_sensible_event_types(seed_results: dict[str, SentenceAnalysis]) -> None:
    assert seed_results["shot"].event_type == "ASSAULT"
    assert seed_results["homs"].event_type == "ASSAULT"
    assert seed_results["delegation"].event_type == "CONSULT"
    assert seed_results["king"].event_type == "REQUEST"
    assert seed_results["appeal"].event_type is None
    assert seed_results["appeal"].event_score < 0.5 <= seed_results["shot"].event_score


@pytest.mark.slow
def test_sub_type_and_scores_come_with_events(seed_results: dict[str, SentenceAnalysis]) -> None:
    shot = seed_results["shot"]
    assert shot.sub_event_type is not None
    assert set(shot.event_scores) >= {"ASSAULT", "CONSULT", "PROTEST"}
    assert shot.event_scores["ASSAULT"] == max(shot.event_scores.values())
    assert seed_results["appeal"].sub_event_type is None


@pytest.mark.slow
def test_entities_are_found_with_offsets_relative_to_the_sentence(
    seed_results: dict[str, SentenceAnalysis],
) -> None:
    for analysis in seed_results.values():
        for entity in analysis.entities:
            assert analysis.sentence.text[entity.start : entity.end] == entity.text
    king = {(e.label, e.text) for e in seed_results["king"].entities}
    assert ("LOC", "Jordan") in king
    assert any(label == "PER" and "Abdullah" in text for label, text in king)
    assert any(label == "PER" and text == "Assad" for label, text in king)
    delegation = {(e.label, e.text) for e in seed_results["delegation"].entities}
    assert ("LOC", "Moscow") in delegation
    assert any(label == "ORG" and "Syrian National Council" in text for label, text in delegation)
    shot = {(e.label, e.text) for e in seed_results["shot"].entities}
    assert ("LOC", "Hirak") in shot


@pytest.mark.slow
def test_results_do_not_depend_on_batching(analyzer: object, seed_results: dict[str, SentenceAnalysis]) -> None:
    from newswire.extractor.analyzer import SentenceAnalyzer

    assert isinstance(analyzer, SentenceAnalyzer)
    alone = analyzer.analyze([_sentence(KING, 200)])[0]
    batched = seed_results["king"]
    assert alone.event_type == batched.event_type
    assert alone.event_score == pytest.approx(batched.event_score, abs=2e-3)
    assert [(e.label, e.start, e.end) for e in alone.entities] == [(e.label, e.start, e.end) for e in batched.entities]
    assert analyzer.analyze([]) == []


@pytest.mark.slow
def test_model_identity_is_reported(analyzer: object) -> None:
    from newswire.extractor.analyzer import SentenceAnalyzer

    assert isinstance(analyzer, SentenceAnalyzer)
    assert analyzer.encoder_name == "all-MiniLM-L6-v2"
    assert analyzer.model_name.endswith("all-MiniLM-L6-v2")
    heads, encoder = analyzer.model_version.split("+")
    assert len(heads) == 10
    assert encoder == analyzer.encoder.fingerprint


def test_missing_models_dir_is_a_clear_error(tmp_path: Path) -> None:
    from newswire.extractor.analyzer import SentenceAnalyzer

    with pytest.raises(FileNotFoundError, match="newswire train"):
        SentenceAnalyzer(models_dir=tmp_path)


def test_a_lead_passage_is_its_opening_sentences_within_the_first_paragraph() -> None:
    from newswire.extractor.analyzer import lead_passage
    from newswire.extractor.sentences import split_sentences

    text = "Gunmen stormed a school. They seized 40 pupils. Police gave chase. Parents gathered.\nLater, talks."
    assert lead_passage(text, split_sentences(text), first=10) == [10, 11, 12]
    headline = "School attacked\nGunmen stormed a school. They seized 40 pupils."
    assert lead_passage(headline, split_sentences(headline)) == [0]
    assert lead_passage("", []) == []


@pytest.mark.slow
def test_a_lead_sentence_reads_its_sub_type_with_the_whole_lead(analyzer: object) -> None:
    from newswire.extractor.analyzer import LEAD_SUBTYPE_SHARE, SentenceAnalyzer

    assert isinstance(analyzer, SentenceAnalyzer)
    first = "Gunmen stormed a village school in northern Nigeria on Friday."
    second = "They seized 40 pupils and two teachers, police said."
    sentences = [_sentence(first), _sentence(second, len(first) + 1)]
    alone = analyzer.analyze(sentences)
    read_together = analyzer.analyze(sentences, leads=[[0, 1]])
    passage = analyzer.analyze([_sentence(f"{first} {second}")])[0]
    assert passage.sub_type_scores, "the sub-type head runs on the passage"
    for own, blended in zip(alone, read_together, strict=True):
        assert own.event_score == blended.event_score
        if not own.sub_type_scores:
            continue
        for label, p in blended.sub_type_scores.items():
            expected = (1 - LEAD_SUBTYPE_SHARE) * own.sub_type_scores[label] + LEAD_SUBTYPE_SHARE * (
                passage.sub_type_scores[label]
            )
            assert p == pytest.approx(expected, abs=2e-3)
    # a one-sentence lead is the sentence itself
    assert analyzer.analyze(sentences, leads=[[0], [1]]) == alone


@pytest.mark.slow
def test_the_numpy_heads_run_with_the_configured_blas_threads(
    analyzer: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from threadpoolctl import threadpool_info

    from newswire.extractor.analyzer import SentenceAnalyzer

    assert isinstance(analyzer, SentenceAnalyzer)
    seen: list[int] = []
    inner = analyzer._analyze

    def watched(*args: object, **kwargs: object) -> list[SentenceAnalysis]:
        seen.extend(int(pool["num_threads"]) for pool in threadpool_info() if pool["user_api"] == "blas")
        return inner(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(analyzer, "_analyze", watched)
    monkeypatch.setattr(analyzer, "blas_threads", 1)
    analyzer.analyze([_sentence(SHOT, 0)])
    assert seen and set(seen) == {1}

"""The numpy heads: their maths, their files, and the committed artifacts (no encoder loaded here)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from newswire.common.models import PLOVER_TYPES
from newswire.extractor.corpora import QUAD_NAMES
from newswire.extractor.heads import (
    DETECTOR_HEAD,
    EVENT_HEAD,
    EVENT_LABEL,
    MODE_HEAD,
    NER_HEAD,
    NER_TAGS,
    NO_EVENT,
    NOT_EVENT_LABEL,
    QUAD_HEAD,
    SUBTYPE_HEAD,
    DenseHead,
    TaggerHead,
    TransformerHead,
    bio_transition_mask,
    case_features,
    load_subtype_head,
    pooled_features,
    reconcile_type_and_subtype,
    spans_from_tags,
    viterbi,
)
from newswire.extractor.lexical import LEXICAL_FEATURES
from newswire.extractor.sentences import split_sentences
from newswire.extractor.training import TaggedSentence, detokenize, fit_dense, load_plover
from newswire.extractor.training.heads.ner import _batched_log_probs, _tagger_head_from_torch, _torch_tagger
from tests.support import paths

MODELS = paths.MODELS


def _offsets(text: str) -> np.ndarray:
    """Word and punctuation offsets, as a BERT basic tokenizer would cut them (one piece per chunk)."""
    import re

    return np.array([m.span() for m in re.finditer(r"\w+|[^\w\s]", text)], dtype=np.int64)


def test_dense_head_round_trips_through_its_files(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    features = np.concatenate([rng.normal(-2, 1, (30, 4)), rng.normal(2, 1, (30, 4))]).astype(np.float32)
    labels = ["calm"] * 30 + ["storm"] * 30
    head = fit_dense(features, labels, seed=1)
    head.meta = {"note": "x"}
    head.save(tmp_path / "h")
    loaded = DenseHead.load(tmp_path / "h")
    probs = loaded.predict_proba(features)
    assert loaded.labels == ["calm", "storm"]
    assert loaded.meta == {"note": "x"}
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)
    predicted = [loaded.labels[i] for i in probs.argmax(axis=1)]
    assert sum(p == t for p, t in zip(predicted, labels, strict=True)) >= 57


def test_hidden_layer_dense_head_applies_relu() -> None:
    head = DenseHead(
        labels=["a", "b"],
        weights=[np.array([[1.0, -1.0]], np.float32), np.array([[1.0, 0.0], [0.0, 1.0]], np.float32)],
        biases=[np.zeros(2, np.float32), np.zeros(2, np.float32)],
    )
    np.testing.assert_allclose(head.logits(np.array([[2.0]], np.float32)), [[2.0, 0.0]])


def test_pooled_features_ignore_padding() -> None:
    tokens = np.array([[[1.0, 0.0], [0.0, 3.0], [99.0, 99.0]]], np.float32)
    mask = np.array([[1, 1, 0]])
    pooled = np.array([[0.6, 0.8]], np.float32)
    features = pooled_features(pooled, tokens, mask)
    np.testing.assert_allclose(features[0, 2:], np.array([1.0, 3.0]) / np.sqrt(10), rtol=1e-5)


def test_viterbi_respects_bio_constraints() -> None:
    tags = list(NER_TAGS)
    start, trans = bio_transition_mask(tags)
    # The per-token argmax would be O, I-PER: an illegal sequence.
    log_probs = np.log(np.full((2, len(tags)), 0.01, np.float32))
    log_probs[0, tags.index("O")] = np.log(0.5)
    log_probs[0, tags.index("B-PER")] = np.log(0.4)
    log_probs[1, tags.index("I-PER")] = np.log(0.9)
    path = [tags[i] for i in viterbi(log_probs, start, trans)]
    assert path == ["B-PER", "I-PER"]


def test_case_features_see_capitals_the_encoder_cannot() -> None:
    text = "Earlier, King Abdullah of Jordan met NATO officials in 2011."
    offsets = _offsets(text)
    features = case_features(text, offsets, np.zeros(len(offsets), np.int64))
    pieces = [text[a:b] for a, b in offsets]
    assert features[pieces.index("King"), 0] == 1.0  # initial upper
    assert features[pieces.index("of"), 0] == 0.0
    assert features[pieces.index("NATO"), 1] == 1.0  # all caps
    assert features[pieces.index("2011"), 2] == 1.0  # digit
    assert features[pieces.index(","), 3] == 1.0  # punctuation
    assert features[pieces.index("Earlier"), 8] == 1.0  # first word
    assert features[pieces.index("King"), 8] == 0.0
    headline = "SYRIA SAYS REBELS ATTACKED"
    head_offsets = _offsets(headline)
    assert case_features(headline, head_offsets, np.zeros(len(head_offsets), np.int64))[0, 9] == 1.0


def test_continuation_pieces_are_flagged() -> None:
    text = "Ghalioun spoke"
    offsets = np.array([[0, 3], [3, 8], [9, 14]], np.int64)  # "gha" "##lioun" "spoke"
    features = case_features(text, offsets, np.zeros(3, np.int64))
    assert features[:, 4].tolist() == [0.0, 1.0, 0.0]
    assert features[1, 5] == 1.0  # the word it belongs to is capitalised


def test_spans_are_widened_to_whole_words_and_grouped() -> None:
    text = "Burhan Ghalioun visited Moscow"
    offsets = [(0, 6), (7, 10), (10, 15), (16, 23), (24, 30)]
    tags = ["B-PER", "I-PER", "O", "O", "B-LOC"]  # the tag stops inside "Ghalioun"
    spans = spans_from_tags(text, tags, offsets, [0.9, 0.8, 0.7, 0.9, 0.95])
    assert [(s.label, text[s.start : s.end]) for s in spans] == [("PER", "Burhan Ghalioun"), ("LOC", "Moscow")]
    assert spans[0].score == pytest.approx(0.85)


def test_spans_lose_edge_punctuation_and_possessives() -> None:
    text = "the Council (SNC), and Syria's army"
    offsets = [(0, 3), (4, 11), (12, 13), (13, 16), (16, 17), (17, 18), (19, 22), (23, 28), (28, 30), (31, 35)]
    tags = ["O", "B-ORG", "I-ORG", "I-ORG", "I-ORG", "I-ORG", "O", "B-LOC", "I-LOC", "O"]
    spans = spans_from_tags(text, tags, offsets, [1.0] * len(tags))
    assert [text[s.start : s.end] for s in spans] == ["Council (SNC)", "Syria"]


def test_numpy_and_torch_bilstm_match_the_trained_torch_module(tmp_path: Path) -> None:
    import torch

    torch.manual_seed(3)
    model = _torch_tagger(input_size=10, projection=8, hidden=6, tags=len(NER_TAGS), dropout=0.0)
    head = _tagger_head_from_torch(model)
    head.save(tmp_path / "tagger")
    head = TaggerHead.load(tmp_path / "tagger")
    rng = np.random.default_rng(5)
    sentences = [
        TaggedSentence(
            embeddings=rng.normal(size=(n, 6)).astype(np.float32),
            features=rng.integers(0, 2, size=(n, 4)).astype(np.float32),
            labels=np.zeros(n, np.int64),
            first_piece=np.arange(n),
            word_tags=["O"] * n,
        )
        for n in (5, 2, 9)
    ]
    batched = _batched_log_probs(head, sentences)
    for sentence, expected in zip(sentences, batched, strict=True):
        got = head.token_log_probs(sentence.embeddings, sentence.features)
        np.testing.assert_allclose(got, expected, atol=1e-4)
    # all at once, padded to the longest: each row's backward pass must start at its own last token, in
    # the numpy step loop (the ONNX backend's) and in torch's packed LSTM (the torch backend's) alike
    for use_torch in (False, True):
        together = head.token_log_probs_batch([(s.embeddings, s.features) for s in sentences], use_torch=use_torch)
        assert [len(rows) for rows in together] == [5, 2, 9]
        for got, expected in zip(together, batched, strict=True):
            np.testing.assert_allclose(got, expected, atol=1e-4)
    one_by_one = [head.decode(s.embeddings, s.features)[0] for s in sentences]
    assert [tags for tags, _ in head.decode_batch([(s.embeddings, s.features) for s in sentences])] == one_by_one


def test_training_splits_stories_as_serving_splits_articles(tmp_path: Path) -> None:
    """One splitter for both: a head trained on sentences cut at "St." or "U.S." would learn fragments
    that serving never shows it."""
    story = (
        "Teachers at the St. Augustine's University are on strike. They marched to the U.S. Capitol on "
        'Monday. "We will not stop," one said.\n\nA new paragraph? Yes.'
    )
    stories = tmp_path / "stories.csv"
    with stories.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["title", "text", "label", "mode"])
        writer.writeheader()
        writer.writerow({"title": "Teachers strike", "text": story, "label": "PROTEST", "mode": "demo"})
    (loaded,) = load_plover(stories)
    assert loaded.sentences == [s.text for s in split_sentences(story)][:6]
    assert loaded.sentences[:2] == [
        "Teachers at the St. Augustine's University are on strike.",
        "They marched to the U.S. Capitol on Monday.",
    ]


def test_detokenizer() -> None:
    assert detokenize(["Japan", "won", "2-1", "(", "AFP", ")", "."]) == "Japan won 2-1 (AFP)."


@pytest.mark.skipif(not (MODELS / EVENT_HEAD).exists(), reason="heads not trained yet")
def test_committed_heads_are_small_numpy_files_with_expected_labels() -> None:
    events = DenseHead.load(MODELS / EVENT_HEAD)
    assert sorted(events.labels) == sorted(PLOVER_TYPES)  # "is it an event" is the detector's question
    assert NO_EVENT not in events.labels
    detector = DenseHead.load(MODELS / DETECTOR_HEAD)
    assert sorted(detector.labels) == [EVENT_LABEL, NOT_EVENT_LABEL]
    assert set(detector.meta["calibration"]) >= {"slope", "intercept"}
    assert detector.meta["scores"]["heldout_ece"] < 0.05
    assert sorted(DenseHead.load(MODELS / QUAD_HEAD).labels) == sorted(QUAD_NAMES)
    for head in (events, detector):
        assert head.lexical is not None and head.lexical.shape == (LEXICAL_FEATURES, len(head.labels))
    subtypes = load_subtype_head(MODELS / SUBTYPE_HEAD)
    assert isinstance(subtypes, TransformerHead)
    assert len(subtypes.labels) == 30
    assert subtypes.tap_layer + subtypes.layer_count == 6  # the top layers of all-MiniLM-L6-v2
    assert all("/" in label for label in DenseHead.load(MODELS / MODE_HEAD).labels)
    tagger = TaggerHead.load(MODELS / NER_HEAD)
    assert tagger.tags == list(NER_TAGS)
    total = sum(f.stat().st_size for f in MODELS.rglob("*") if f.is_file())
    assert total < 50 * 1024 * 1024  # the fine-tuned layers (float16) are most of it; the encoder is 90 MB
    assert (MODELS / "MODEL_CARD.md").read_text().count("encoder") >= 4


def test_a_confident_sub_type_picks_a_plausible_type_that_allows_it() -> None:
    labels = ["ARREST", "ARMED_CLASH", "DIPLO"]
    # ARREST at 0.9 does not fit ASSAULT; COERCE (0.4 against 0.5) does and is plausible: COERCE/ARREST.
    types = {"ASSAULT": 0.5, "COERCE": 0.4, "CONSULT": 0.1}
    assert reconcile_type_and_subtype("ASSAULT", types, labels, np.array([0.9, 0.05, 0.05])) == ("COERCE", "ARREST")
    # Within material conflict the sub-type head leads, however unlikely the type head found COERCE.
    unlikely = {"ASSAULT": 0.8, "COERCE": 0.1, "CONSULT": 0.1}
    assert reconcile_type_and_subtype("ASSAULT", unlikely, labels, np.array([0.9, 0.05, 0.05])) == ("COERCE", "ARREST")
    # Across quad classes it does not: a sure DIPLO leaves a likely ASSAULT alone, unrefined.
    assert reconcile_type_and_subtype("ASSAULT", unlikely, labels, np.array([0.05, 0.05, 0.9])) == ("ASSAULT", None)
    # An unsure sub-type head never moves the type; a fitting sub-type is simply reported.
    assert reconcile_type_and_subtype("ASSAULT", types, labels, np.array([0.45, 0.3, 0.25])) == (
        "ASSAULT",
        "ARMED_CLASH",
    )
    assert reconcile_type_and_subtype("CONSULT", types, labels, np.array([0.1, 0.1, 0.8])) == ("CONSULT", "DIPLO")


def test_a_confident_disaster_sub_type_makes_a_disaster_of_harm_but_not_of_relief() -> None:
    labels = ["NATURAL_DISASTER", "MAN_MADE_DISASTER", "ATTACK"]
    flood_toll = np.array([0.8, 0.1, 0.1])
    types = {"ASSAULT": 0.6, "AID": 0.3, "CONSULT": 0.1}
    # "Floods killed 66 people": the type head has no disaster type and reads the toll as an ASSAULT.
    assert reconcile_type_and_subtype("ASSAULT", types, labels, flood_toll) == ("DISASTER", "NATURAL_DISASTER")
    assert reconcile_type_and_subtype("MOBILIZE", types, labels, flood_toll) == ("DISASTER", "NATURAL_DISASTER")
    # "China sent a medical team to the flooded province" is AID, whatever disaster it answers.
    assert reconcile_type_and_subtype("AID", types, labels, flood_toll) == ("AID", None)
    # An unsure head changes nothing: the toll stays an ASSAULT, with its best fitting sub-type if close.
    unsure = np.array([0.4, 0.25, 0.35])
    assert reconcile_type_and_subtype("ASSAULT", types, labels, unsure) == ("ASSAULT", "ATTACK")


def test_a_sure_attribution_stays_with_an_attack_or_a_denial_unless_an_accusation_is_likely() -> None:
    labels = ["ATTRIB", "ARREST", "SUIC_BOMB"]
    claimed = np.array([0.7, 0.05, 0.25])
    # "IS claimed responsibility for a car bomb that killed eight": an attack, claimed.
    attack = {"ASSAULT": 0.8, "ACCUSE": 0.1, "COERCE": 0.1}
    assert reconcile_type_and_subtype("ASSAULT", attack, labels, claimed) == ("ASSAULT", "ATTRIB")
    assert reconcile_type_and_subtype("REJECT", {"REJECT": 0.8, "ACCUSE": 0.2}, labels, claimed) == (
        "REJECT",
        "ATTRIB",
    )
    # Where the type head finds an accusation nearly as likely, the accusation is what is reported.
    blamed = {"ASSAULT": 0.5, "ACCUSE": 0.4, "COERCE": 0.1}
    assert reconcile_type_and_subtype("ASSAULT", blamed, labels, claimed) == ("ACCUSE", "ATTRIB")
    # Not for other types, and a sure arrest still makes the attack a coercion.
    assert reconcile_type_and_subtype("COOPERATE", {"COOPERATE": 0.9, "ACCUSE": 0.1}, labels, claimed) == (
        "COOPERATE",
        None,
    )
    assert reconcile_type_and_subtype("ASSAULT", attack, labels, np.array([0.3, 0.6, 0.1])) == ("COERCE", "ARREST")


def test_the_sub_type_layers_give_the_same_logits_in_torch_and_in_numpy() -> None:
    from newswire.extractor.heads import TransformerHead, load_subtype_head

    head = load_subtype_head(MODELS / "acled-subtype")
    assert isinstance(head, TransformerHead)
    rng = np.random.default_rng(7)
    hidden = rng.normal(size=(4, 12, int(head.arrays["L0.q_W"].shape[1]))).astype(np.float32)
    mask = np.ones((4, 12), dtype=np.int64)
    mask[1:, 8:] = 0  # padded rows: the padding must not leak into either path
    in_numpy = head.logits(hidden, mask, use_torch=False)
    in_torch = head.logits(hidden, mask, use_torch=True)
    assert in_torch.shape == in_numpy.shape == (4, len(head.labels))
    assert np.abs(in_torch - in_numpy).max() < 1e-3
    assert np.argmax(in_torch, axis=1).tolist() == np.argmax(in_numpy, axis=1).tolist()

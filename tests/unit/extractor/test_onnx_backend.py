"""The ONNX backend: our export reproduces the torch encoder, and int8 keeps the event types."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from newswire.extractor.encoding import FP32_FILE, INT8_FILE, META_FILE, load_encoder, resolve_onnx_file
from newswire.extractor.encoding.export import main
from newswire.extractor.encoding.onnx import encoder_slug

SENTENCES = [
    "Security forces killed 23 people on the road between Kherbet Ghazale and Hirak, activists said.",
    "An SNC delegation held talks with Russian officials in Moscow.",
    "ok",
    "Thousands of protesters marched through central Athens on Saturday against the austerity measures.",
]

# Sentences whose event type is unambiguous: int8 rounding must not change it.
CLEAR_EVENTS = [
    "Security forces opened fire on the crowd and killed 23 people in Deraa.",
    "Thousands of protesters marched through Athens to demonstrate against the government.",
    "The foreign minister met his Russian counterpart in Moscow for talks on the crisis.",
    "King Abdullah called on Assad to step down.",
    "Police arrested 40 people after the march.",
]


def test_folder_resolves_to_int8_first_then_fp32(tmp_path: Path) -> None:
    (tmp_path / FP32_FILE).write_bytes(b"")
    assert resolve_onnx_file(tmp_path) == tmp_path / FP32_FILE
    (tmp_path / INT8_FILE).write_bytes(b"")
    assert resolve_onnx_file(tmp_path) == tmp_path / INT8_FILE
    assert resolve_onnx_file(tmp_path, prefer="none") == tmp_path / FP32_FILE
    assert resolve_onnx_file(tmp_path / FP32_FILE) == tmp_path / FP32_FILE


def test_missing_export_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="export-onnx"):
        resolve_onnx_file(tmp_path / "nothing")


def test_unknown_backend_is_refused() -> None:
    with pytest.raises(ValueError, match="backend"):
        load_encoder("default", backend="tensorrt")


def test_slug_names_the_default_encoder_publicly() -> None:
    assert encoder_slug("default") == "all-MiniLM-L6-v2"
    assert encoder_slug("sentence-transformers/all-mpnet-base-v2") == "sentence-transformers_all-mpnet-base-v2"


@pytest.fixture(scope="module")
def export_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("onnxruntime", reason="the onnx extra is not installed")
    root = tmp_path_factory.mktemp("onnx")
    assert main(["--out", str(root), "--quantize", "int8"]) == 0
    return root / "all-MiniLM-L6-v2"


@pytest.fixture(scope="module")
def torch_encoder() -> object:
    return load_encoder("default")


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_export_writes_graphs_tokenizer_and_metadata(export_dir: Path) -> None:
    meta = json.loads((export_dir / META_FILE).read_text())
    assert meta["opset"] >= 17
    assert set(meta["files"]) == {FP32_FILE, INT8_FILE}
    # int8 weights: the quantised graph is about a quarter of the fp32 one.
    assert (export_dir / INT8_FILE).stat().st_size < 0.4 * (export_dir / FP32_FILE).stat().st_size
    assert (export_dir / "tokenizer.json").is_file()


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_fp32_graph_matches_torch_encoder(export_dir: Path, torch_encoder: object) -> None:
    onnx_encoder = load_encoder("default", backend="onnx", onnx_path=export_dir / FP32_FILE)
    expected = torch_encoder.encode(SENTENCES)  # type: ignore[attr-defined]
    actual = onnx_encoder.encode(SENTENCES)
    np.testing.assert_array_equal(actual.attention_mask, expected.attention_mask)
    np.testing.assert_array_equal(actual.offsets, expected.offsets)
    np.testing.assert_array_equal(actual.special_tokens_mask, expected.special_tokens_mask)
    real = expected.attention_mask.astype(bool)
    np.testing.assert_allclose(actual.token_embeddings[real], expected.token_embeddings[real], atol=1e-4)
    np.testing.assert_allclose(actual.pooled, expected.pooled, atol=1e-5)
    assert onnx_encoder.fingerprint == torch_encoder.fingerprint  # type: ignore[attr-defined]
    assert onnx_encoder.name.endswith("+onnx-fp32")
    assert len(onnx_encoder.encode([])) == 0
    # The intermediate hidden states the fine-tuned sub-type head starts from agree too.
    taps = (0, 4, 6)
    expected_taps = torch_encoder.encode(SENTENCES, layers=taps).hidden_states  # type: ignore[attr-defined]
    actual_taps = onnx_encoder.encode(SENTENCES, layers=taps).hidden_states
    assert set(actual_taps) == set(taps)
    for layer in taps:
        np.testing.assert_allclose(actual_taps[layer][real], expected_taps[layer][real], atol=1e-4)
    np.testing.assert_allclose(actual_taps[6], actual.token_embeddings)
    assert onnx_encoder.encode([], layers=(4,)).hidden_states[4].shape == (0, 0, 384)


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_an_export_without_hidden_states_asks_for_a_new_one(export_dir: Path) -> None:
    onnx_encoder = load_encoder("default", backend="onnx", onnx_path=export_dir / FP32_FILE)
    onnx_encoder.output_names = {"last_hidden_state"}  # type: ignore[attr-defined]  # what older exports had
    with pytest.raises(ValueError, match="run `newswire export-onnx` again"):
        onnx_encoder.encode(SENTENCES, layers=(4,))


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_int8_keeps_the_event_type_of_clear_sentences(export_dir: Path) -> None:
    from newswire.extractor.analyzer import SentenceAnalyzer
    from newswire.extractor.sentences import split_sentences

    sentences = [s for text in CLEAR_EVENTS for s in split_sentences(text)]
    assert len(sentences) == len(CLEAR_EVENTS)
    reference = SentenceAnalyzer(backend="torch").analyze(sentences)
    quantised_analyzer = SentenceAnalyzer(backend="onnx", onnx_path=export_dir)
    assert quantised_analyzer.encoder_name.endswith("+onnx-int8")
    quantised = quantised_analyzer.analyze(sentences)
    expected = [a.event_type for a in reference]
    assert all(expected), expected  # the sentences really are clear events for the torch path
    assert [a.event_type for a in quantised] == expected
    for torch_result, int8_result in zip(reference, quantised, strict=True):
        assert abs(torch_result.event_score - int8_result.event_score) < 0.15


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_onnx_threads_come_from_the_caller_and_the_environment_is_left_alone(
    export_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newswire.extractor.encoding import OnnxEncoder

    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        monkeypatch.delenv(name, raising=False)
    before = dict(os.environ)
    sized_like_torch = load_encoder("default", backend="onnx", onnx_path=export_dir, torch_threads=3)
    own_size = load_encoder("default", backend="onnx", onnx_path=export_dir, torch_threads=3, onnx_threads=1)
    assert isinstance(sized_like_torch, OnnxEncoder)
    assert isinstance(own_size, OnnxEncoder)
    assert (sized_like_torch.threads, own_size.threads) == (3, 1)
    assert dict(os.environ) == before

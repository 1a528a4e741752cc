"""Fine-tuned top layers: the numpy head must compute what the encoder and the torch trainer compute.

A tiny randomly initialised BERT stands in for the encoder, so these tests need no model files.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from newswire.extractor.heads import TransformerHead, load_subtype_head
from newswire.extractor.top_layers import (
    TopLayerConfig,
    fit_top_layers,
    head_from_torch,
    supports_top_layers,
    torch_modules,
)

torch = pytest.importorskip("torch")


def _tiny_bert(seed: int = 0) -> Any:
    from transformers import BertConfig, BertModel

    torch.manual_seed(seed)
    config = BertConfig(
        vocab_size=50,
        hidden_size=32,
        num_hidden_layers=3,
        num_attention_heads=4,
        intermediate_size=64,
        max_position_embeddings=32,
    )
    model = BertModel(config, add_pooling_layer=False)  # type: ignore[no-untyped-call]
    model.eval()  # type: ignore[no-untyped-call]
    return model


def _inputs(seed: int, batch: int = 6, steps: int = 9) -> tuple[Any, Any]:
    rng = np.random.default_rng(seed)
    ids = torch.tensor(rng.integers(5, 50, (batch, steps)))
    mask = torch.ones(batch, steps, dtype=torch.long)
    for row in range(batch):  # ragged rows, right-padded like the tokenizer pads
        mask[row, rng.integers(3, steps + 1) :] = 0
    return ids, mask


def test_numpy_layers_reproduce_the_encoders_top_layers() -> None:
    model = _tiny_bert()
    ids, mask = _inputs(1)
    with torch.no_grad():
        hidden = model(input_ids=ids, attention_mask=mask, output_hidden_states=True).hidden_states
    config = TopLayerConfig(layers=2)
    net, shape = torch_modules(model, config, classes=3)
    net.eval()
    head = head_from_torch(net, shape, config, total_layers=3, classes=["a", "b", "c"])
    assert head.tap_layer == 1

    states = hidden[head.tap_layer].numpy()
    additive = ((1.0 - mask.numpy()[:, None, None, :]) * -1e4).astype(np.float32)
    for index in range(head.layer_count):
        states = head._layer(index, states, additive)
    real = mask.numpy().astype(bool)
    np.testing.assert_allclose(states[real], hidden[-1].numpy()[real], atol=1e-4)

    with torch.no_grad():
        expected = net(hidden[head.tap_layer], mask).softmax(-1).numpy()
    np.testing.assert_allclose(head.predict_proba(hidden[head.tap_layer].numpy(), mask.numpy()), expected, atol=1e-5)


def _two_layer_head(seed: int, classes: list[str]) -> tuple[TransformerHead, np.ndarray, Any]:
    """An untrained head over the tiny BERT's top two layers, with layer-1 states of ragged inputs."""
    model = _tiny_bert()
    ids, mask = _inputs(seed)
    with torch.no_grad():
        states = model(input_ids=ids, attention_mask=mask, output_hidden_states=True).hidden_states[1].numpy()
    config = TopLayerConfig(layers=2)
    net, shape = torch_modules(model, config, classes=len(classes))
    return head_from_torch(net, shape, config, total_layers=3, classes=classes), states, mask


def test_padding_does_not_change_a_rows_prediction() -> None:
    head, states, mask = _two_layer_head(2, ["x", "y"])
    width = int(mask[0].sum())
    alone = head.predict_proba(states[:1, :width], mask.numpy()[:1, :width])
    batched = head.predict_proba(states, mask.numpy())
    np.testing.assert_allclose(alone[0], batched[0], atol=1e-5)


def test_bf16_layers_stay_close_to_fp32_and_differ_from_them() -> None:
    """A bf16 encoder runs the sub-type layers in bf16 too: same classes, probabilities within a few
    hundredths, and not silently the fp32 arithmetic."""
    head, states, mask = _two_layer_head(4, ["a", "b", "c"])
    exact = head.predict_proba(states, mask.numpy())
    fast = head.predict_proba(states, mask.numpy(), bf16=True)
    assert fast.dtype == np.float32
    np.testing.assert_allclose(fast, exact, atol=0.03)
    assert not np.array_equal(fast, exact)
    # the numpy path (the ONNX backend's, no torch) has no bf16 and ignores the flag
    np.testing.assert_allclose(
        head.logits(states, mask.numpy(), use_torch=False, bf16=True),
        head.logits(states, mask.numpy(), use_torch=False),
    )


def _toy_task(model: Any) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Class = whether token 7 occurs: trivial for attention, invisible to a bag of random embeddings' mean."""
    rng = np.random.default_rng(3)
    ids = rng.integers(10, 50, (48, 8))
    labels = []
    for row in range(48):
        if row % 2:
            ids[row, rng.integers(1, 8)] = 7
        labels.append("seven" if row % 2 else "none")
    mask = np.ones_like(ids)
    with torch.no_grad():
        states = model(
            input_ids=torch.tensor(ids), attention_mask=torch.tensor(mask), output_hidden_states=True
        ).hidden_states[2]
    return states.numpy(), mask, labels


def test_fine_tuning_learns_and_is_deterministic(tmp_path: Path) -> None:
    model = _tiny_bert()
    states, mask, labels = _toy_task(model)
    config = TopLayerConfig(layers=1, epochs=25, learning_rate=3e-3, head_learning_rate=1e-2, batch_size=8)
    head = fit_top_layers(model, states, mask, labels, seed=5, config=config)
    again = fit_top_layers(model, states, mask, labels, seed=5, config=config)
    for key, value in head.arrays.items():
        np.testing.assert_array_equal(value, again.arrays[key])

    predicted = [head.labels[i] for i in head.predict_proba(states, mask).argmax(axis=1)]
    assert sum(p == t for p, t in zip(predicted, labels, strict=True)) >= 44

    head.save(tmp_path / "sub")
    loaded = load_subtype_head(tmp_path / "sub")
    assert isinstance(loaded, TransformerHead)
    assert loaded.labels == ["none", "seven"]
    assert loaded.tap_layer == 2
    # float16 storage: same decisions, probabilities within a hair
    np.testing.assert_allclose(loaded.predict_proba(states, mask), head.predict_proba(states, mask), atol=5e-3)


def test_label_smoothing_keeps_the_head_from_certainty() -> None:
    """Smoothing spreads a share of each target over the other classes: the head still learns the toy task
    but its probabilities stay away from 0 and 1 (what `subtype_head_variants.py` tries on the CASE head)."""
    model = _tiny_bert()
    states, mask, labels = _toy_task(model)
    config = TopLayerConfig(layers=1, epochs=25, learning_rate=3e-3, head_learning_rate=1e-2, batch_size=8)
    sharp = fit_top_layers(model, states, mask, labels, seed=5, config=config).predict_proba(states, mask)
    smoothed_head = fit_top_layers(
        model, states, mask, labels, seed=5, config=dataclasses.replace(config, label_smoothing=0.3)
    )
    smoothed = smoothed_head.predict_proba(states, mask)
    predicted = [smoothed_head.labels[i] for i in smoothed.argmax(axis=1)]
    assert sum(p == t for p, t in zip(predicted, labels, strict=True)) >= 44
    assert smoothed.max(axis=1).mean() < sharp.max(axis=1).mean() - 0.03
    assert smoothed.max() < 0.95


def test_non_bert_encoders_are_refused_with_a_reason() -> None:
    class Opaque:
        config = None

    assert not supports_top_layers(Opaque())
    assert supports_top_layers(_tiny_bert())
    with pytest.raises(ValueError, match="not a BERT-style encoder"):
        fit_top_layers(Opaque(), np.zeros((2, 3, 4), np.float32), np.ones((2, 3), np.int64), ["a", "b"], seed=1)

"""Configuration reaches the code through the settings classes, and nothing rewrites the environment."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from newswire.extractor.encoding import Encoder, default_intra_op_threads, load_encoder
from newswire.extractor.encoding.torch import resolve_precision
from newswire.extractor.settings import ExtractorSettings
from tests.support import paths

SERVICES = paths.SERVICES
# `newswire up` hands its environment to the services it starts: a copy, not a change.
ENVIRONMENT_COPIERS = {SERVICES / "cli" / "up.py"}
ENVIRONMENT_ACCESS = re.compile(r"\bos\.(environ|getenv|putenv|unsetenv)\b|\bfrom os import .*\b(environ|getenv)\b")
OFFLINE_VARIABLES = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")


def test_only_the_settings_classes_read_the_environment() -> None:
    offenders = [
        f"{path.relative_to(SERVICES)}:{number}: {line.strip()}"
        for path in sorted(SERVICES.rglob("*.py"))
        if path not in ENVIRONMENT_COPIERS
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if ENVIRONMENT_ACCESS.search(line)
    ]
    assert offenders == []


def test_thread_settings_default_to_the_modest_policy() -> None:
    assert 1 <= default_intra_op_threads() <= min(4, os.cpu_count() or 1)
    options = ExtractorSettings().extractor
    assert options.torch_threads is None
    assert options.onnx_threads is None


class _EncoderRequested(Exception):
    """Stops `load_extractor` once the encoder's arguments are known: the heads and weights stay unloaded."""


def test_thread_settings_from_the_environment_reach_the_encoder(monkeypatch: pytest.MonkeyPatch) -> None:
    from newswire.extractor import analyzer
    from newswire.extractor.app import load_extractor
    from newswire.extractor.assembly import geo

    requested: dict[str, Any] = {}

    def record(*args: Any, **kwargs: Any) -> None:
        requested.update(kwargs)
        raise _EncoderRequested

    monkeypatch.setattr(analyzer, "load_encoder", record)
    monkeypatch.setattr(geo, "default_gazetteer", lambda *args, **kwargs: None)
    monkeypatch.setenv("NEWSWIRE_EXTRACTOR__GAZETTEER_CACHE_DIR", "")
    monkeypatch.setenv("NEWSWIRE_EXTRACTOR__TORCH_THREADS", "3")
    monkeypatch.setenv("NEWSWIRE_EXTRACTOR__ONNX_THREADS", "2")
    monkeypatch.setenv("NEWSWIRE_EXTRACTOR__PRECISION", "bf16")
    with pytest.raises(_EncoderRequested):
        load_extractor(ExtractorSettings().extractor)
    assert requested["torch_threads"] == 3
    assert requested["onnx_threads"] == 2
    assert requested["precision"] == "bf16"


def test_an_unknown_precision_is_refused_by_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSWIRE_EXTRACTOR__PRECISION", "fp16")
    with pytest.raises(ValueError, match="auto"):
        ExtractorSettings()


@pytest.fixture
def torch_threads_restored() -> Iterator[None]:
    """torch's intra-op pool is process-wide: later tests get the size they would have had."""
    torch = pytest.importorskip("torch")
    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)


@pytest.mark.slow
@pytest.mark.usefixtures("torch_threads_restored")
def test_an_explicit_thread_count_sizes_torchs_pool() -> None:
    import torch

    encoder = load_encoder("default", torch_threads=1)
    assert isinstance(encoder, Encoder)
    assert encoder.threads == torch.get_num_threads() == 1


@pytest.mark.slow
@pytest.mark.usefixtures("torch_threads_restored")
def test_loading_an_encoder_leaves_the_environment_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """Offline loading is `local_files_only`, not variables set behind the caller's back."""
    pytest.importorskip("transformers")  # imported with the session's own environment
    for name in OFFLINE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    before = dict(os.environ)
    Encoder("default")
    assert dict(os.environ) == before


def test_the_gazetteer_size_can_be_set_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSWIRE_EXTRACTOR__GAZETTEER_MIN_POPULATION", "500")
    assert ExtractorSettings().extractor.gazetteer_min_population == 500
    monkeypatch.setenv("NEWSWIRE_EXTRACTOR__GAZETTEER_MIN_POPULATION", "750")
    with pytest.raises(ValueError, match="500, 1000, 5000 or 15000"):
        ExtractorSettings()


@pytest.mark.parametrize(
    ("bf16_units", "amx", "expected"),
    [(True, False, "bf16"), (False, True, "bf16"), (False, False, "fp32")],
    ids=["avx512-bf16", "amx", "neither"],
)
def test_auto_precision_takes_bf16_only_where_the_cpu_computes_it_natively(
    monkeypatch: pytest.MonkeyPatch, bf16_units: bool, amx: bool, expected: str
) -> None:
    """Emulated bfloat16 on an older CPU is slower than fp32, so "auto" must not pick it there."""
    torch = pytest.importorskip("torch")
    monkeypatch.setattr(torch.cpu, "_is_avx512_bf16_supported", lambda: bf16_units, raising=False)
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: amx, raising=False)
    assert resolve_precision("auto", "cpu") == expected
    assert resolve_precision("fp32", "cpu") == "fp32"
    assert resolve_precision("bf16", "cpu") == "bf16"
    with pytest.raises(ValueError, match="precision"):
        resolve_precision("half", "cpu")


@pytest.mark.slow
@pytest.mark.usefixtures("torch_threads_restored")
def test_a_bf16_encoder_says_so_and_stays_close_to_fp32() -> None:
    """bfloat16 keeps 8 bits of mantissa: the sentence vectors must still point the same way, and the
    name (hence every event's model) must tell a consumer which arithmetic coded it."""
    texts = ["Police fired tear gas at protesters in Athens on Friday.", "Talks in Moscow."]
    exact = Encoder("default")
    fast = Encoder("default", precision="bf16")
    assert exact.name == "all-MiniLM-L6-v2"
    assert fast.name == "all-MiniLM-L6-v2+bf16"
    assert fast.fingerprint == exact.fingerprint  # the same weights: heads trained on them still apply
    a, b = exact.encode(texts, layers=[2]), fast.encode(texts, layers=[2])
    assert b.token_embeddings.dtype == a.token_embeddings.dtype == np.float32
    assert float((a.pooled * b.pooled).sum(axis=1).min()) > 0.999
    assert not np.array_equal(a.token_embeddings, b.token_embeddings)  # bf16 did run
    hidden, _ = fast.hidden_state(texts, 2)
    np.testing.assert_allclose(hidden, a.hidden_states[2], atol=0.2)

from __future__ import annotations

import pytest

from newswire.common.dlq import DeadLetterRateExceeded, FailureRatio, dead_letter
from newswire.common.health import Progress
from newswire.common.ids import stable_id
from newswire.common.settings import DlqSettings, ServiceSettings


def test_settings_come_from_prefixed_nested_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSWIRE_KAFKA__BOOTSTRAP_SERVERS", "127.0.0.1:19092")
    monkeypatch.setenv("NEWSWIRE_KAFKA__PARTITIONS", "6")
    monkeypatch.setenv("NEWSWIRE_TOPICS__EVENTS", "staging.events")
    settings = ServiceSettings()
    assert settings.bootstrap() == "127.0.0.1:19092"
    assert settings.kafka.partitions == 6
    assert settings.topics.events == "staging.events"


def test_missing_bootstrap_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEWSWIRE_KAFKA__BOOTSTRAP_SERVERS", raising=False)
    with pytest.raises(RuntimeError, match="NEWSWIRE_KAFKA__BOOTSTRAP_SERVERS"):
        ServiceSettings().bootstrap()


def test_dead_letter_keeps_binary_payloads_intact() -> None:
    text = dead_letter(stage="decode", error=ValueError("bad"), payload=b'{"a": 1}', key=b"k")
    assert text.payload == '{"a": 1}' and text.payload_base64 is None and text.key == "k"
    binary = dead_letter(stage="decode", error="broken", payload=b"\xff\xfe\x00")
    assert binary.payload is None and binary.payload_base64 == "//4A"
    assert binary.error_class == "Error" and binary.error_message == "broken"


def test_failure_ratio_stops_a_broken_deploy_but_tolerates_stray_failures() -> None:
    ratio = FailureRatio(DlqSettings(max_ratio=0.5, window=20, min_failures=5))
    for index in range(40):  # one failure in four: tolerated
        ratio.record(failed=index % 4 == 0)
    with pytest.raises(DeadLetterRateExceeded, match="of the last 20 messages failed"):
        for _ in range(20):
            ratio.record(failed=True)


def test_progress_tells_stalled_from_idle() -> None:
    now = [0.0]
    progress = Progress(clock=lambda: now[0])
    assert progress.stall_reason(10) is None  # idle is healthy
    with progress.track():
        now[0] = 5
        assert progress.stall_reason(10) is None
        now[0] = 11
        assert "in flight for 11s" in (progress.stall_reason(10) or "")
    assert progress.stall_reason(10) is None and progress.completed == 1
    progress.heartbeat("poller", max_silence_s=30)
    now[0] = 50
    assert "poller" in (progress.stall_reason(10) or "")


def test_stable_ids_are_deterministic_and_distinct() -> None:
    assert stable_id("a", 1, 2) == stable_id("a", 1, 2)
    assert stable_id("a", 1, 2) != stable_id("a", 12)

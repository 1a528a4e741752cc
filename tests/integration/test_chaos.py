"""The fault-injection harness, small: two fetchers, a cleaner and an extractor, each killed (-9) and
stopped (TERM) once while articles stream in; nothing may be lost.

The broker restart is left to the benchmark: after one, the fetchers' consumers have been seen to take
the pipeline's topics for missing and sit idle for longer than a test can wait (see the README)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson
import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_nothing_is_lost_when_every_service_and_the_broker_fail_during_the_stream(tmp_path: Path) -> None:
    report_path = tmp_path / "chaos.json"
    command = [sys.executable, str(ROOT / "benchmarks" / "chaos.py"), "--articles", "30", "--seed", "3"]
    command += ["--kills", "1", "--terms", "1", "--broker-restarts", "0", "--json", str(report_path)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
    output = result.stdout + result.stderr[-3000:]
    assert report_path.exists(), output
    report = orjson.loads(report_path.read_bytes())
    assert report["lost"] == [], output
    assert [f["what"] for f in report["faults"]].count("kill -9") == 3, output
    assert set(report["dlq"]) <= {"page-fetch"}, output  # only the broken pages, with their reason
    # The cleaner and the extractor commit in transactions: what a read_committed consumer sees twice
    # downstream can only be what the (at-least-once) fetcher wrote twice.
    duplicates = report["duplicates"]
    assert duplicates["articles.enriched"] <= duplicates["articles.clean"] <= duplicates["articles.raw"], output
    assert result.stdout.splitlines()[-1].startswith("chaos: 30 articles, lost 0, duplicate event ids "), output
    assert result.returncode == 0, output

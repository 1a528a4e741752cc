"""Child processes of `newswire up` and of the benchmarks: stopped the way an orchestrator would."""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Sequence


def terminate_all(processes: Sequence[subprocess.Popen[bytes]], timeout_s: float = 30.0) -> None:
    """SIGTERM to all first (they drain in parallel and commit their offsets), SIGKILL to stragglers."""
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

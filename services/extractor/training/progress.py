"""Progress lines on stderr: encoding and fitting take minutes, and a silent run looks hung."""

from __future__ import annotations

import sys
import time


def log_progress(message: str, started: float | None = None) -> None:
    suffix = f" ({time.monotonic() - started:.0f}s)" if started is not None else ""
    print(message + suffix, file=sys.stderr, flush=True)

"""Dead-letter records: what failed, why, and the original bytes, so nothing is lost and the stream goes on.

A ratio limit stops a broken deploy (a bad model file, a schema bug) from quietly dead-lettering the whole
stream: past the limit the service crashes loudly instead, and the orchestrator's restarts make the
problem visible.
"""

from __future__ import annotations

import base64
from collections import deque
from datetime import UTC, datetime

from ..errors import PermanentError
from .models import DeadLetter
from .settings import DlqSettings


class DeadLetterRateExceeded(PermanentError, RuntimeError):
    """Too large a share of recent messages failed: stop rather than dead-letter everything. Permanent: a
    restart runs the same broken deploy again."""


def dead_letter(
    *,
    stage: str,
    error: BaseException | str,
    payload: bytes | None,
    key: bytes | str | None = None,
    source_topic: str | None = None,
    source_partition: int | None = None,
    source_offset: int | None = None,
    attempts: int = 1,
    error_class: str | None = None,
) -> DeadLetter:
    text: str | None = None
    as_base64: str | None = None
    if payload is not None:
        try:
            text = payload.decode("utf-8")
        except UnicodeDecodeError:
            as_base64 = base64.b64encode(payload).decode("ascii")
    if isinstance(key, bytes):
        key = key.decode("utf-8", "replace")
    if isinstance(error, BaseException):
        error_class = error_class or type(error).__name__
        message = str(error) or repr(error)
    else:
        error_class = error_class or "Error"
        message = error
    return DeadLetter(
        stage=stage,
        error_class=error_class,
        error_message=message[:2000],
        attempts=attempts,
        failed_at=datetime.now(UTC),
        key=key,
        source_topic=source_topic,
        source_partition=source_partition,
        source_offset=source_offset,
        payload=text,
        payload_base64=as_base64,
    )


class FailureRatio:
    """Sliding window of outcomes; `record` raises once failures dominate the recent window."""

    def __init__(self, settings: DlqSettings) -> None:
        self._settings = settings
        self._outcomes: deque[bool] = deque(maxlen=settings.window)

    def record(self, failed: bool) -> None:
        self._outcomes.append(failed)
        failures = sum(self._outcomes)
        if failures >= self._settings.min_failures and failures / len(self._outcomes) > self._settings.max_ratio:
            raise DeadLetterRateExceeded(
                f"{failures} of the last {len(self._outcomes)} messages failed "
                f"(limit {self._settings.max_ratio:.0%}); stopping instead of dead-lettering the stream"
            )

    @property
    def ratio(self) -> float:
        return sum(self._outcomes) / len(self._outcomes) if self._outcomes else 0.0

"""Cleaner settings (`NEWSWIRE_CLEANER__*`)."""

from __future__ import annotations

import os

from pydantic import BaseModel, Field

from ..common.settings import ServiceSettings


class CleanerOptions(BaseModel):
    workers: int = Field(default_factory=lambda: max(1, min(4, os.cpu_count() or 1)), ge=1)
    page_timeout_s: float = Field(default=20.0, gt=0, description="a page that hangs the parser is cut off")
    batch_size: int = Field(default=16, ge=1)
    batch_wait_s: float = Field(default=0.1, ge=0)
    dedup_days: float = Field(default=3.0, gt=0, description="how far back syndicated copies are looked for")


class CleanerSettings(ServiceSettings):
    cleaner: CleanerOptions = Field(default_factory=CleanerOptions)

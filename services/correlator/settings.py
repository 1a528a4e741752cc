"""Correlator settings (`NEWSWIRE_CORRELATOR__*`)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from ..common.settings import ServiceSettings


class CorrelatorOptions(BaseModel):
    match_threshold: float = Field(
        default=0.6, gt=0, le=1, description="the least match score (correlator/matching.py) for a report to join"
    )
    window_days: float = Field(
        default=7.0, gt=0, description="how long after its last date an incident can still take a report"
    )
    max_reports: int = Field(default=200, ge=2, description="reports kept per incident (the first and the latest)")
    batch_size: int = Field(default=64, ge=1)
    batch_wait_s: float = Field(default=0.05, ge=0)
    recent_incidents: int = Field(default=500, ge=1, description="incidents the map and /incidents start from")
    keepalive_s: float = Field(default=15.0, gt=0, description="comment lines that keep an idle map stream open")


class CorrelatorSettings(ServiceSettings):
    correlator: CorrelatorOptions = Field(default_factory=CorrelatorOptions)

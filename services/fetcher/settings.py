"""Fetcher settings (`NEWSWIRE_FETCHER__*`, e.g. `NEWSWIRE_FETCHER__POLICY__PER_HOST_DELAY`)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field

from ..common.settings import ServiceSettings
from .policy import FetchPolicy


class FetcherOptions(BaseModel):
    feeds_file: Path = Field(default=Path("deploy/feeds.yaml"))
    policy: FetchPolicy = Field(default_factory=FetchPolicy)
    seen_ttl_days: float = Field(default=30.0, gt=0, description="an article URL is fetched once per this period")
    feed_concurrency: int = Field(default=8, ge=1)
    page_read_ahead: int = Field(
        default=5000,
        ge=1,
        description="queued URLs in hand at once, each waiting on its own host's politeness or being fetched "
        "(at most policy.global_concurrency at a time): a backlog listed feed by feed still reaches every host. "
        "A URL in hand costs a few kB; with 1000, the queue's first five hosts' runs of 200 filled it and the "
        "other five hosts waited (benchmarks/backlog.py)",
    )
    max_entries_per_poll: int = Field(default=200, ge=1)
    reoffer_after_s: float = Field(
        default=900.0,
        gt=0,
        description="a feed entry still listed this long after it was queued is queued once more (a no-op for "
        "an article already fetched; a second chance for a request lost on the way)",
    )
    first_poll_spread_s: float = Field(
        default=60.0,
        ge=0,
        description="first polls of feeds without a stored state are spread over this many seconds (at most "
        "each feed's interval), so that starting with hundreds of feeds is not a stampede",
    )


class FetcherSettings(ServiceSettings):
    fetcher: FetcherOptions = Field(default_factory=FetcherOptions)

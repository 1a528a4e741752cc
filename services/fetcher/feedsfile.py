"""The feeds file (YAML): which feeds to poll, how often, and what to tag their articles with.

Format (documented for users in the header of deploy/feeds.yaml):

    feeds:
      - name: bbc_world                 # unique, used in metrics and logs
        url: https://feeds.bbci.co.uk/news/world/rss.xml   # a feed, or a page that links one
        interval: 10m                   # seconds (300) or 30s / 10m / 2h; default 300 s
        tags: [international, english]  # copied onto every article of the feed
        language: en                    # ISO 639-1 hint for the cleaner; optional
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..errors import PermanentError

DEFAULT_INTERVAL_S = 300.0
MIN_INTERVAL_S = 1.0
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|hr|d)?\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hr": 3600, "d": 86400}


class FeedsFileError(PermanentError, ValueError):
    """A feeds file that cannot be used; the message names the file and the bad item."""


class FeedConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=200)
    url: str
    interval: float = Field(default=DEFAULT_INTERVAL_S, ge=MIN_INTERVAL_S, description="seconds")
    tags: list[str] = Field(default_factory=list)
    language: str | None = Field(default=None, pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]+)?$")

    @field_validator("url")
    @classmethod
    def _web_url(cls, value: str) -> str:
        value = value.strip()
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an absolute http(s) URL")
        return value

    @field_validator("interval", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> Any:
        """Accept `600`, `"600"`, `"10m"`, `"2h"`: people write intervals both ways."""
        if isinstance(value, str):
            match = _DURATION.match(value)
            if not match:
                raise ValueError("must be seconds or a duration like 30s, 10m, 2h")
            return float(match.group(1)) * _UNIT_SECONDS[(match.group(2) or "s").lower()]
        return value

    @field_validator("tags", mode="before")
    @classmethod
    def _tag_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [tag.strip() for tag in value.split(",") if tag.strip()]
        return value


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "entry"
    more = f" (and {error.error_count() - 1} more)" if error.error_count() > 1 else ""
    return f"{where}: {first['msg']}{more}"


def parse_feeds(document: Any, *, source: str = "<feeds>") -> list[FeedConfig]:
    if not isinstance(document, dict) or not isinstance(document.get("feeds"), list):
        raise FeedsFileError(f"{source}: expected a top-level 'feeds:' list")
    feeds: list[FeedConfig] = []
    names: set[str] = set()
    for index, item in enumerate(document["feeds"]):
        label = f"{source}: feeds[{index}]"
        if isinstance(item, dict) and item.get("name"):
            label += f" ({item['name']})"
        if not isinstance(item, dict):
            raise FeedsFileError(f"{label}: expected a mapping with name and url")
        try:
            feed = FeedConfig.model_validate(item)
        except ValidationError as exc:
            raise FeedsFileError(f"{label}: {_describe(exc)}") from None
        if feed.name in names:
            raise FeedsFileError(f"{label}: duplicate feed name {feed.name!r}")
        names.add(feed.name)
        feeds.append(feed)
    return feeds


def load_feeds(path: Path) -> list[FeedConfig]:
    """Read and validate a feeds file; every error names the file and the offending item."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise FeedsFileError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        detail = str(exc).replace("\n", " ")
        raise FeedsFileError(f"{path}: not valid YAML: {detail}") from None
    return parse_feeds(document, source=str(path))

"""The fetcher's politeness policy: how hard we may hit the web, in one frozen settings model that the
fetcher's settings embed and the HTTP client obeys."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .. import __version__


class FetchPolicy(BaseModel):
    """How hard we may hit the web; the fetcher's settings embed one of these."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    contact_url: str = Field(
        default="https://github.com/newswire/newswire", description="where site owners can reach the operator"
    )
    user_agent: str = Field(default="", description="default: newswire/<version> (+<contact_url>; news event coding)")
    global_concurrency: int = Field(default=32, ge=1)
    per_host_concurrency: int = Field(default=2, ge=1)
    per_host_delay: float = Field(default=1.0, ge=0, description="min seconds between request starts")
    connect_timeout: float = Field(default=10.0, gt=0)
    read_timeout: float = Field(default=20.0, gt=0)
    total_timeout: float = Field(default=60.0, gt=0, description="whole request incl. body, per attempt")
    max_bytes: int = Field(default=5 * 1024 * 1024, ge=1024)
    oversize: Literal["truncate", "refuse"] = "truncate"
    max_compression_ratio: float = Field(default=100.0, gt=1, description="beyond the cap: a bomb")
    max_redirects: int = Field(default=5, ge=0)
    max_retries: int = Field(default=3, ge=0)
    backoff_base: float = Field(default=1.0, ge=0)
    backoff_max: float = Field(default=60.0, ge=0)
    retry_after_max: float = Field(default=300.0, ge=0, description="longer waits fail the fetch instead")
    allow_private: list[str] = Field(default_factory=list)
    respect_robots: bool = True
    robots_for_feeds: bool = False
    robots_ttl: float = Field(default=3600.0, gt=0)
    robots_error_ttl: float = Field(default=600.0, gt=0)
    max_crawl_delay: float = Field(default=30.0, ge=0)

    @model_validator(mode="before")
    @classmethod
    def _user_agent_from_contact(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data.get("user_agent"):
            contact = data.get("contact_url") or cls.model_fields["contact_url"].default
            data = {**data, "user_agent": f"newswire/{__version__} (+{contact}; news event coding)"}
        return data

    @field_validator("user_agent")
    @classmethod
    def _names_us(cls, value: str) -> str:
        if "newswire" not in value.lower() or "http" not in value:
            raise ValueError("the User-Agent must name newswire and give a contact URL")
        return value

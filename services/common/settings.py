"""Settings shared by every service.

Each service subclasses `ServiceSettings`; values come from the environment (prefix `NEWSWIRE_`, `__` for
nesting, e.g. `NEWSWIRE_KAFKA__BOOTSTRAP_SERVERS`) so that containers are configured without files.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class KafkaSettings(BaseModel):
    bootstrap_servers: str | None = Field(
        default=None, description="host:port[,host:port]; unset means `newswire up` starts the local broker"
    )
    partitions: int = Field(default=3, ge=1)
    replication_factor: int = Field(default=1, ge=1)
    compression: str | None = Field(default="gzip", description="producer compression: HTML compresses ~5x")
    max_message_bytes: int = Field(default=4 * 1024 * 1024, ge=1024)
    request_timeout_s: float = 90.0
    stream_buffer_maxsize: int = Field(
        default=256,
        ge=32,
        description="records a service holds read but unhandled per stream before it pauses fetching: the memory "
        "bound under a backlog (Faust's default, 4096, would be about 400 MB of 100 kB pages per stream)",
    )
    session_timeout_s: float = Field(
        default=20.0, ge=6, description="how long a silent (crashed) member keeps its partitions before a rebalance"
    )
    exactly_once: bool = Field(
        default=True,
        description="commit each batch's outputs with its input offsets in one transaction per input partition, "
        "and read only committed records: a crash or a fence aborts the batch instead of writing it twice",
    )
    transaction_timeout_s: float = Field(
        default=30.0,
        ge=1,
        description="longest a transaction may stay open: a consumer reading committed records waits at most this "
        "long behind one whose producer died and whose partition no one took over",
    )
    metadata_max_age_s: float = Field(
        default=15.0,
        ge=1,
        description="how often a consumer refreshes topic metadata even when nothing asks for it. A group leader "
        "that assigns while a topic is missing from its metadata (just after a broker restart) gives that topic to "
        "no one until a refresh shows it and makes the group rejoin; aiokafka's default waits 5 minutes for that",
    )


class TopicNames(BaseModel):
    """Topic names are settings so that two deployments can share one cluster."""

    raw: str = "articles.raw"
    clean: str = "articles.clean"
    events: str = "events"
    enriched: str = "articles.enriched"
    incidents: str = "incidents"
    fetch_queue: str = "fetcher.urls"
    dlq_template: str = Field(default="{service}.dlq", description="dead-letter topic name of a service")
    fingerprints_template: str = Field(
        default="{app_prefix}-cleaner.fingerprints",
        description="the cleaner's compacted near-duplicate state; named after the app prefix, like Faust's "
        "changelogs, because it belongs to one deployment's cleaners",
    )

    feed_state_template: str = Field(
        default="{app_prefix}-fetcher.feed-state",
        description="the feed poller's compacted state (what each feed last showed), read by a new leader",
    )

    correlator_blocks_template: str = Field(
        default="{app_prefix}-correlator.blocks",
        description="events re-keyed by country for the correlator, so that one instance owns each country's "
        "incidents; named after the app prefix because it belongs to one deployment's correlators",
    )

    def dlq(self, service: str) -> str:
        return self.dlq_template.format(service=service)

    def fingerprints(self, app_prefix: str) -> str:
        return self.fingerprints_template.format(app_prefix=app_prefix)

    def feed_state(self, app_prefix: str) -> str:
        return self.feed_state_template.format(app_prefix=app_prefix)

    def correlator_blocks(self, app_prefix: str) -> str:
        return self.correlator_blocks_template.format(app_prefix=app_prefix)


class WebSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = Field(default=0, ge=0, le=65535, description="0 picks the service's default port")


class DlqSettings(BaseModel):
    """A broken deploy must stop rather than dead-letter the whole stream."""

    max_ratio: float = Field(default=0.5, gt=0, le=1)
    window: int = Field(default=200, ge=10)
    min_failures: int = Field(default=20, ge=1)


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NEWSWIRE_", env_nested_delimiter="__", extra="ignore")

    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    topics: TopicNames = Field(default_factory=TopicNames)
    web: WebSettings = Field(default_factory=WebSettings)
    dlq: DlqSettings = Field(default_factory=DlqSettings)
    app_prefix: str = Field(
        default="newswire", description="prefix of Faust app ids: consumer groups and changelog topics"
    )
    data_dir: Path = Field(default=Path(".newswire"), description="local state: broker data, Faust tables")
    log_level: str = "info"
    stall_timeout_s: float = Field(
        default=120.0, gt=0, description="/healthz fails when a message has been in flight this long"
    )

    def app_id(self, service: str) -> str:
        """The service's Faust app id, which is also its consumer group."""
        return f"{self.app_prefix}-{service}"

    def bootstrap(self) -> str:
        if not self.kafka.bootstrap_servers:
            raise RuntimeError(
                "NEWSWIRE_KAFKA__BOOTSTRAP_SERVERS is not set (use `newswire up` to start a local broker)"
            )
        return self.kafka.bootstrap_servers

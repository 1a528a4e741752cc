"""Message models of every topic.

The JSON Schemas in `schemas/` are generated from these models and committed; a test proves the two
agree, so a change here without a schema bump fails CI. Every model forbids unknown fields so that a
producer cannot silently drift from the contract.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION: Final = 1

PloverType = Literal[
    "AGREE",
    "CONSULT",
    "SUPPORT",
    "CONCEDE",
    "COOPERATE",
    "AID",
    "RETREAT",
    "REQUEST",
    "ACCUSE",
    "REJECT",
    "THREATEN",
    "PROTEST",
    "SANCTION",
    "MOBILIZE",
    "COERCE",
    "ASSAULT",
]
PLOVER_TYPES: tuple[str, ...] = PloverType.__args__  # type: ignore[attr-defined]
# PLOVER codes interactions between actors; a flood or a factory fire is none, yet news reports them with
# tolls that consumers count. `events` v2 gives them a type of their own (see schemas/CHANGES.md).
EventType = Literal[PloverType, "DISASTER"]
EVENT_TYPES: tuple[str, ...] = (*PLOVER_TYPES, "DISASTER")
# A topic's version moves only with a change its consumers could trip on (schemas/CHANGES.md).
EVENTS_SCHEMA_VERSION: Final = 4
ENRICHED_SCHEMA_VERSION: Final = 4
INCIDENTS_SCHEMA_VERSION: Final = 3

Modality = Literal["asserted", "reported", "claimed", "threatened", "planned", "denied"]
ActorKind = Literal[
    "state_forces",
    "rebels",
    "civilians",
    "protesters",
    "government",
    "organisation",
    "country",
    "person",
    "unknown",
]
Qualifier = Literal["exact", "at_least", "more_than", "about", "up_to", "fewer_than", "range", "vague"]
DatePrecision = Literal["day", "week", "month", "year"]
# A date expression's grain; "reference" is TimeML's PRESENT_REF / PAST_REF / FUTURE_REF ("now", "recently").
DateMentionPrecision = Literal["day", "week", "month", "quarter", "season", "year", "decade", "century", "reference"]
# "admin2": a second-level division (a US county, parish or borough), since events v3, articles.enriched v3
# and incidents v2; "world_region": wider than a country (a continent, the European Union), since events v4,
# articles.enriched v4 and incidents v3 (see schemas/CHANGES.md).
GeoPrecision = Literal["city", "admin2", "admin1", "country", "world_region", "unresolved"]
# Finest first: a town is more precise than its county, a county than its region. One ranking for every
# reader that prefers the finer of two places (assembly's merge, the correlator's matching and agreement).
GEO_PRECISION_RANK: Final[dict[str, int]] = {
    "city": 0,
    "admin2": 1,
    "admin1": 2,
    "country": 3,
    "world_region": 4,
    "unresolved": 5,
}
# Where an event's place came from when its own sentence names none.
PlaceSource = Literal["dateline", "context"]

Sha256Hex = Annotated[str, Field(pattern=r"^[0-9a-f]{32,64}$")]


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FeedEntry(_Message):
    """What the feed said about the article: the fallback for metadata the page lacks."""

    feed_url: str
    feed_name: str | None = None
    title: str | None = None
    summary: str | None = None
    published: datetime | None = None
    authors: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    language: str | None = None


class HttpFacts(_Message):
    status: int
    content_type: str | None = None
    charset: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    fetched_at: datetime
    elapsed_ms: float = Field(ge=0)
    bytes: int = Field(ge=0)


class FetchRequest(_Message):
    """`fetcher.urls`: an article URL found in a feed, keyed by article_id so that exactly one fetcher
    instance owns each article (and its entry in the seen-table)."""

    schema_version: Literal[1] = SCHEMA_VERSION
    article_id: Sha256Hex
    url: str
    canonical_url: str
    feed_entry: FeedEntry | None = None
    queued_at: datetime


class RawArticle(_Message):
    """`articles.raw`: one fetched page, decoded to text so that no consumer guesses the charset."""

    schema_version: Literal[1] = SCHEMA_VERSION
    article_id: Sha256Hex
    url: str
    final_url: str
    canonical_url: str
    feed_entry: FeedEntry | None = None
    http: HttpFacts
    html: str
    truncated: bool = False


class CleanArticle(_Message):
    """`articles.clean`: the text the event coder reads, with the metadata and where each came from."""

    schema_version: Literal[1] = SCHEMA_VERSION
    article_id: Sha256Hex
    url: str
    canonical_url: str | None = None
    source_domain: str
    site_name: str | None = None
    title: str | None = None
    authors: list[str] = Field(default_factory=list)
    published_at: datetime | None = None
    published_source: Literal["json-ld", "meta", "htmldate", "feed", "none"] = "none"
    language: str | None = None
    text: str
    paragraphs: list[str]
    word_count: int = Field(ge=0)
    empty: bool = False
    removed_boilerplate: list[str] = Field(default_factory=list)
    fingerprint: str
    duplicate_of: str | None = None
    feed_entry: FeedEntry | None = None


class Actor(_Message):
    name: str
    kind: ActorKind = "unknown"
    country: str | None = None


class Location(_Message):
    name: str
    geonames_id: int | None = None
    country_code: str | None = None
    admin1: str | None = None
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    precision: GeoPrecision = "unresolved"
    inherited_from: PlaceSource | None = Field(
        default=None,
        description="set when the sentence names no place: the article's dateline or its dominant context place",
    )


class EventDate(_Message):
    date: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    precision: DatePrecision
    phrase: str | None = None


class Count(_Message):
    value: int = Field(ge=0)
    high: int | None = Field(default=None, ge=0)
    qualifier: Qualifier = "exact"
    victim_kind: str | None = None
    phrase: str
    cumulative: bool = False


class Counts(_Message):
    killed: Count | None = None
    injured: Count | None = None
    arrested: Count | None = None
    participants: Count | None = Field(default=None, description="how many took part (protests, rallies)")


class Attribution(_Message):
    source: str
    phrase: str


class Evidence(_Message):
    sentence: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)


class ModelInfo(_Message):
    name: str
    version: str
    encoder: str


class Event(_Message):
    """`events`: one real-world occurrence in one article, every field backed by its evidence."""

    schema_version: Literal[1, 2, 3, 4] = Field(
        default=EVENTS_SCHEMA_VERSION,
        description="4 since the world_region precision, 3 since admin2, 2 since DISASTER; records written before "
        "carry 1, 2 or 3",
    )
    event_id: Sha256Hex
    article_id: Sha256Hex
    event_type: EventType
    sub_event_type: str | None = None
    mode: str | None = None
    modality: Modality = "asserted"
    actor: Actor | None = None
    target: Actor | None = None
    location: Location | None = None
    event_date: EventDate | None = None
    counts: Counts = Field(default_factory=Counts)
    running_total: bool = False
    attribution: Attribution | None = None
    evidence: list[Evidence] = Field(min_length=1)
    confidence: float = Field(ge=0, le=1)
    model: ModelInfo
    source_url: str | None = None
    published_at: datetime | None = None
    duplicate_of: str | None = None


class Entity(_Message):
    text: str
    label: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)


class PlaceMention(_Message):
    """A place named in the text, at `text[start:end]`, resolved against GeoNames where it could be."""

    text: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    name: str | None = Field(default=None, description="the gazetteer's name for the place it resolved to")
    geonames_id: int | None = None
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    country_code: str | None = None
    admin1: str | None = Field(default=None, description="the first-level region's name, where the gazetteer has it")
    admin1_code: str | None = None
    feature_class: str | None = Field(
        default=None,
        description="GeoNames feature class: A country/region/county, L continent or zone (the EU), P town",
    )
    feature_code: str | None = None
    precision: GeoPrecision = "unresolved"
    confidence: float = Field(ge=0, le=1, description="how sure the resolution is; 0 when unresolved")


class DateMention(_Message):
    """A date expression at `text[start:end]`, resolved against the article's publication date."""

    text: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    value: str = Field(description="ISO 8601 as TimeML extends it: 2013-03-22, 2013-W11, 2013-03, 2013-Q1, 2013")
    precision: DateMentionPrecision


class EnrichedArticle(_Message):
    """`articles.enriched`: the document view (GDELT GKG-like) for consumers who want articles."""

    schema_version: Literal[1, 2, 3, 4] = Field(
        default=ENRICHED_SCHEMA_VERSION,
        description="4 since the world_region precision, 3 since admin2, 2 since places and dates; records written "
        "before carry 1, 2 or 3",
    )
    article_id: Sha256Hex
    url: str
    title: str | None = None
    published_at: datetime | None = None
    language: str | None = None
    topics: list[str] = Field(default_factory=list)
    entities: list[Entity] = Field(default_factory=list)
    event_ids: list[str] = Field(default_factory=list)
    duplicate_of: str | None = None
    model: ModelInfo
    places: list[PlaceMention] = Field(default_factory=list, description="every place mention, in text order")
    dates: list[DateMention] = Field(default_factory=list, description="every date expression, in text order")


# How an incident's headline count was chosen from what its reports say (see correlator/reconcile.py).
CountRule = Literal["single_report", "agreed", "latest_update", "highest_lower_bound", "median"]


class IncidentPlace(_Message):
    """The most precise place the reports agree on, and how far apart the places they give lie."""

    name: str
    geonames_id: int | None = None
    country_code: str | None = None
    admin1: str | None = None
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    precision: GeoPrecision = "unresolved"
    spread_km: float = Field(ge=0, description="the largest distance from this place to a place a report gives")
    reports: int = Field(ge=1, description="how many reports name this place or one inside it")


class IncidentDate(_Message):
    """The day the reports agree on, and the window their dates (each with its precision) leave open."""

    date: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    precision: DatePrecision
    earliest: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    latest: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")


class ReconciledCount(_Message):
    """One figure for the incident, the range its sources give, and the rule that chose it."""

    value: int = Field(ge=0)
    low: int = Field(ge=0)
    high: int = Field(ge=0)
    qualifier: Qualifier = "exact"
    rule: CountRule
    reports: int = Field(ge=1, description="how many reports give a figure")
    phrase: str = Field(description="the phrase of the report the headline figure came from")


class IncidentCounts(_Message):
    killed: ReconciledCount | None = None
    injured: ReconciledCount | None = None
    arrested: ReconciledCount | None = None
    participants: ReconciledCount | None = None


class IncidentReport(_Message):
    """One event that joined the incident, with what it said: the incident's fields are recomputed from
    its reports, so every agreed value can be traced to the reports behind it."""

    event_id: Sha256Hex
    article_id: Sha256Hex
    source: str = Field(description="the outlet: the host of the article's URL")
    source_url: str | None = None
    published_at: datetime | None = None
    event_type: EventType
    sub_event_type: str | None = None
    actor: Actor | None = None
    target: Actor | None = None
    location: Location | None = None
    event_date: EventDate | None = None
    counts: Counts = Field(default_factory=Counts)
    evidence: str
    confidence: float = Field(ge=0, le=1)
    duplicate_of: str | None = Field(default=None, description="set for a syndicated copy: it counts once")
    joined_at: datetime
    score: float = Field(ge=0, le=1, description="how well it matched the incident when it joined (1 if it opened it)")


class Incident(_Message):
    """`incidents`: one real-world occurrence seen across reports; compacted, keyed by incident_id."""

    schema_version: Literal[1, 2, 3] = Field(
        default=INCIDENTS_SCHEMA_VERSION,
        description="3 since the world_region precision, 2 since admin2; records written before carry 1 or 2",
    )
    incident_id: Sha256Hex
    revision: int = Field(ge=1, description="1 when opened, one more with each report that joins: the latest wins")
    event_type: EventType
    sub_event_type: str | None = None
    place: IncidentPlace | None = None
    date: IncidentDate | None = None
    participants: list[Actor] = Field(default_factory=list)
    counts: IncidentCounts = Field(default_factory=IncidentCounts)
    event_ids: list[str] = Field(min_length=1)
    article_ids: list[str] = Field(min_length=1)
    reports: list[IncidentReport] = Field(min_length=1)
    sources: int = Field(ge=1, description="independent sources: outlets, with syndicated copies counted once")
    first_seen: datetime
    last_seen: datetime
    confidence: float = Field(ge=0, le=1)


class DeadLetter(_Message):
    """`<service>.dlq`: the payload that failed, untouched, with enough context to replay or fix it."""

    schema_version: Literal[1] = SCHEMA_VERSION
    stage: str
    error_class: str
    error_message: str
    attempts: int = Field(ge=1)
    failed_at: datetime
    key: str | None = None
    source_topic: str | None = None
    source_partition: int | None = None
    source_offset: int | None = None
    payload: str | None = Field(default=None, description="original bytes, as UTF-8 text if they decode")
    payload_base64: str | None = Field(default=None, description="original bytes when they are not UTF-8")


TOPIC_MODELS: dict[str, type[BaseModel]] = {
    "fetcher.urls": FetchRequest,
    "articles.raw": RawArticle,
    "articles.clean": CleanArticle,
    "events": Event,
    "articles.enriched": EnrichedArticle,
    "incidents": Incident,
    "dlq": DeadLetter,
}


def topic_schema_version(topic: str) -> int:
    """The version of a topic's current contract: what its model writes in `schema_version`."""
    return int(TOPIC_MODELS[topic].model_fields["schema_version"].default)

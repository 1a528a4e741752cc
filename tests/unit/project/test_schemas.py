"""The committed JSON Schemas are the contract: the models must produce exactly them."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
import pytest

from newswire.common.models import (
    TOPIC_MODELS,
    Count,
    Counts,
    DateMention,
    EnrichedArticle,
    Event,
    Evidence,
    Incident,
    IncidentPlace,
    IncidentReport,
    Location,
    ModelInfo,
    PlaceMention,
    topic_schema_version,
)
from newswire.common.schemas import REPO_SCHEMAS, model_schema, schema_drift, schema_filename, validate_message
from newswire.common.serde import PoisonMessage, dumps, loads

ID = "a" * 64


def test_committed_schemas_match_models() -> None:
    assert schema_drift(REPO_SCHEMAS) == []


@pytest.mark.parametrize("topic", sorted(TOPIC_MODELS))
def test_every_topic_has_a_versioned_strict_schema(topic: str) -> None:
    schema = model_schema(topic)
    assert schema["x-schema-version"] == topic_schema_version(topic)
    assert (REPO_SCHEMAS / f"{topic}.v{topic_schema_version(topic)}.schema.json").is_file()
    assert schema["additionalProperties"] is False
    assert "schema_version" in schema["properties"]


def _event(**overrides: object) -> Event:
    fields: dict[str, object] = {
        "event_id": "b" * 64,
        "article_id": ID,
        "event_type": "ASSAULT",
        "counts": Counts(killed=Count(value=23, phrase="Twenty-three people were shot dead")),
        "evidence": [Evidence(sentence="Twenty-three people were shot dead.", start=0, end=35)],
        "confidence": 0.9,
        "model": ModelInfo(name="newswire-heads", version="1", encoder="all-MiniLM-L6-v2"),
        "published_at": datetime(2011, 11, 15, tzinfo=UTC),
    }
    fields.update(overrides)
    return Event.model_validate(fields)


def test_a_serialised_event_validates_against_the_committed_schema() -> None:
    assert validate_message("events", dumps(_event())) == []


def test_the_schema_rejects_what_the_model_rejects() -> None:
    data = orjson.loads(dumps(_event()))
    data["event_type"] = "PARTY"
    assert validate_message("events", orjson.dumps(data))
    data["event_type"] = "ASSAULT"
    data["surprise"] = 1
    assert any("surprise" in error for error in validate_message("events", orjson.dumps(data)))
    with pytest.raises(PoisonMessage, match="does not match Event schema"):
        loads(Event, orjson.dumps(data))


def _validate_against(filename: str, payload: bytes) -> list[str]:
    from jsonschema import Draft202012Validator

    schema = orjson.loads((REPO_SCHEMAS / filename).read_bytes())
    return [error.message for error in Draft202012Validator(schema).iter_errors(orjson.loads(payload))]


def test_events_v2_reads_every_v1_record_and_v1_readers_reject_only_disasters() -> None:
    """What schemas/CHANGES.md promises: backward compatible, not forward compatible."""
    v1_record = orjson.loads(dumps(_event(schema_version=1)))
    assert _validate_against("events.v1.schema.json", orjson.dumps(v1_record)) == []
    assert _validate_against("events.v2.schema.json", orjson.dumps(v1_record)) == []
    assert validate_message("events", orjson.dumps(v1_record)) == []
    assert loads(Event, orjson.dumps(v1_record)).schema_version == 1
    plain_v2 = dumps(_event(schema_version=2))
    disaster = dumps(_event(event_type="DISASTER", sub_event_type="NATURAL_DISASTER", schema_version=2))
    assert _validate_against("events.v2.schema.json", disaster) == []
    v1_errors = _validate_against("events.v1.schema.json", disaster)
    assert any("DISASTER" in error for error in v1_errors)
    assert len(_validate_against("events.v1.schema.json", plain_v2)) == 1  # only the version number


_COUNTY = Location(name="Dodge County", country_code="US", admin1="WI", lat=43.386, lon=-88.63, precision="admin2")


def test_events_v3_reads_every_earlier_record_and_v2_readers_reject_only_counties() -> None:
    """schemas/CHANGES.md, events v3: the admin2 precision; backward compatible, not forward compatible."""
    for version in (1, 2):
        earlier = dumps(_event(schema_version=version))
        assert _validate_against("events.v3.schema.json", earlier) == []
        assert loads(Event, earlier).schema_version == version
    plain_v3 = dumps(_event(schema_version=3))
    county = dumps(_event(location=_COUNTY, schema_version=3))
    assert _validate_against("events.v3.schema.json", county) == []
    assert any("admin2" in error for error in _validate_against("events.v2.schema.json", county))
    assert len(_validate_against("events.v2.schema.json", plain_v3)) == 1  # only the version number


def test_a_county_is_an_admin2_place_on_every_topic_that_carries_a_place() -> None:
    """The models and the committed schemas agree on the new value: the enum is in each current file."""
    for topic in ("events", "articles.enriched", "incidents"):
        text = (REPO_SCHEMAS / schema_filename(topic)).read_text(encoding="utf-8")
        assert '"admin2"' in text, topic
    for topic, version in (("events", 3), ("articles.enriched", 3), ("incidents", 2)):
        previous = f"{topic}.v{version - 1}.schema.json"
        assert '"admin2"' not in (REPO_SCHEMAS / previous).read_text(encoding="utf-8"), previous


_EUROPE = Location(
    name="Europe", geonames_id=6255148, lat=48.691, lon=9.141, precision="world_region"
)  # no country, no region


def test_events_v4_reads_every_earlier_record_and_v3_readers_reject_only_world_regions() -> None:
    """schemas/CHANGES.md, events v4: the world_region precision; backward, not forward compatible."""
    assert schema_filename("events") == "events.v4.schema.json"
    for version in (1, 2, 3):
        earlier = dumps(_event(schema_version=version))
        assert validate_message("events", earlier) == []
        assert loads(Event, earlier).schema_version == version
    assert validate_message("events", dumps(_event(location=_COUNTY, schema_version=3))) == []
    plain_v4 = dumps(_event())
    assert orjson.loads(plain_v4)["schema_version"] == 4
    in_europe = dumps(_event(location=_EUROPE))
    assert validate_message("events", in_europe) == []
    assert any("world_region" in error for error in _validate_against("events.v3.schema.json", in_europe))
    assert len(_validate_against("events.v3.schema.json", plain_v4)) == 1  # only the version number


def test_a_world_region_is_a_place_on_every_topic_that_carries_a_place() -> None:
    """The new value is in each current file and in no earlier one."""
    assert schema_filename("incidents") == "incidents.v3.schema.json"
    assert schema_filename("articles.enriched") == "articles.enriched.v4.schema.json"
    for topic in ("events", "articles.enriched", "incidents"):
        text = (REPO_SCHEMAS / schema_filename(topic)).read_text(encoding="utf-8")
        assert '"world_region"' in text, topic
        previous = f"{topic}.v{topic_schema_version(topic) - 1}.schema.json"
        assert '"world_region"' not in (REPO_SCHEMAS / previous).read_text(encoding="utf-8"), previous
    europe = PlaceMention(
        text="Europe", start=0, end=6, geonames_id=6255148, name="Europe", lat=48.691, lon=9.141,
        feature_class="L", feature_code="CONT", precision="world_region", confidence=0.9,
    )  # fmt: skip
    with_europe = dumps(_enriched(places=[europe]))
    assert orjson.loads(with_europe)["schema_version"] == 4
    assert validate_message("articles.enriched", with_europe) == []
    assert any("world_region" in e for e in _validate_against("articles.enriched.v3.schema.json", with_europe))
    incident = _incident(
        place=IncidentPlace(**_EUROPE.model_dump(exclude={"inherited_from"}), spread_km=0.0, reports=1)
    )
    assert orjson.loads(dumps(incident))["schema_version"] == 3
    assert validate_message("incidents", dumps(incident)) == []
    assert any("world_region" in e for e in _validate_against("incidents.v2.schema.json", dumps(incident)))


def test_round_trip_is_lossless() -> None:
    event = _event()
    assert loads(Event, dumps(event)) == event


@pytest.mark.parametrize(
    ("payload", "reason"),
    [(b"", "empty payload"), (b"{not json", "not JSON"), (b"[1, 2]", "expected a JSON object")],
)
def test_poison_messages_get_a_clear_reason(payload: bytes, reason: str) -> None:
    with pytest.raises(PoisonMessage, match=reason):
        loads(Event, payload)


def _enriched(**fields: object) -> EnrichedArticle:
    base: dict[str, object] = {
        "article_id": "a" * 64,
        "url": "http://127.0.0.1/a",
        "model": ModelInfo(name="heads", version="1", encoder="minilm"),
    }
    return EnrichedArticle.model_validate({**base, **fields})


def test_enriched_v2_reads_every_v1_record_and_v1_readers_reject_places_and_dates() -> None:
    """What schemas/CHANGES.md promises for articles.enriched v2."""
    v1_record = orjson.loads(dumps(_enriched()))
    v1_record["schema_version"] = 1
    del v1_record["places"], v1_record["dates"]
    assert _validate_against("articles.enriched.v1.schema.json", orjson.dumps(v1_record)) == []
    assert _validate_against("articles.enriched.v2.schema.json", orjson.dumps(v1_record)) == []
    assert validate_message("articles.enriched", orjson.dumps(v1_record)) == []
    assert loads(EnrichedArticle, orjson.dumps(v1_record)).places == []
    with_views = dumps(
        _enriched(
            places=[PlaceMention(text="Cairo", start=0, end=5, name="Cairo", precision="city", confidence=0.9)],
            dates=[DateMention(text="Friday", start=9, end=15, value="2013-03-15", precision="day")],
            schema_version=2,
        )
    )
    assert _validate_against("articles.enriched.v2.schema.json", with_views) == []
    v1_errors = _validate_against("articles.enriched.v1.schema.json", with_views)
    assert any("places" in error for error in v1_errors) and any("dates" in error for error in v1_errors)


def test_enriched_v3_reads_every_v2_record_and_v2_readers_reject_only_counties() -> None:
    """schemas/CHANGES.md, articles.enriched v3: a place of precision admin2 (a county)."""
    cairo = PlaceMention(text="Cairo", start=0, end=5, name="Cairo", precision="city", confidence=0.9)
    v2_record = dumps(_enriched(places=[cairo], schema_version=2))
    assert validate_message("articles.enriched", v2_record) == []
    county = PlaceMention(
        text="Dodge County", start=0, end=12, name="Dodge County", country_code="US", admin1="Wisconsin",
        admin1_code="WI", feature_class="A", feature_code="ADM2", precision="admin2", confidence=0.5,
    )  # fmt: skip
    with_county = dumps(_enriched(places=[county], schema_version=3))
    assert _validate_against("articles.enriched.v3.schema.json", with_county) == []
    v2_errors = _validate_against("articles.enriched.v2.schema.json", with_county)
    assert any("admin2" in error for error in v2_errors)
    plain_v3 = dumps(_enriched(places=[cairo], schema_version=3))
    assert len(_validate_against("articles.enriched.v2.schema.json", plain_v3)) == 1


def _incident(**overrides: object) -> Incident:
    event = _event(location=_COUNTY)
    seen = datetime(2011, 11, 15, tzinfo=UTC)
    report = IncidentReport(
        event_id=event.event_id, article_id=event.article_id, source="example.com", event_type="ASSAULT",
        location=event.location, evidence="Twenty-three people were shot dead.", confidence=0.9, joined_at=seen,
        score=1.0,
    )  # fmt: skip
    fields: dict[str, object] = {
        "incident_id": "c" * 64,
        "revision": 1,
        "event_type": "ASSAULT",
        "place": IncidentPlace(**_COUNTY.model_dump(exclude={"inherited_from"}), spread_km=0.0, reports=1),
        "event_ids": [event.event_id],
        "article_ids": [event.article_id],
        "reports": [report],
        "sources": 1,
        "first_seen": seen,
        "last_seen": seen,
        "confidence": 0.9,
    }
    fields.update(overrides)
    return Incident.model_validate(fields)


def test_incidents_v2_reads_every_v1_record_and_v1_readers_reject_only_counties() -> None:
    """schemas/CHANGES.md, incidents v2: an incident's place and its reports' may be admin2 (a county)."""
    in_county = dumps(_incident(schema_version=2))
    assert _validate_against("incidents.v2.schema.json", in_county) == []
    assert validate_message("incidents", in_county) == []
    v1_errors = _validate_against("incidents.v1.schema.json", in_county)
    assert any("admin2" in error for error in v1_errors)
    in_town = _incident(
        schema_version=1, place=None, reports=[_incident().reports[0].model_copy(update={"location": None})]
    )
    assert _validate_against("incidents.v1.schema.json", dumps(in_town)) == []
    assert validate_message("incidents", dumps(in_town)) == []

"""The correlator's pure logic: matching, reconciling and clustering events into incidents, no broker."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

import pytest

from newswire.common.geo import haversine_km
from newswire.common.ids import stable_id
from newswire.common.models import Actor, Count, Counts, Event, EventDate, Evidence, Location, ModelInfo
from newswire.correlator.clustering import IncidentIndex, incident_id_for
from newswire.correlator.matching import match, place_pair_score
from newswire.correlator.reconcile import reconcile_count, summarise
from newswire.correlator.reports import content_words, date_window, to_report
from newswire.correlator.settings import CorrelatorOptions

NOW = datetime(2024, 3, 9, 12, 0, tzinfo=UTC)
DERAA = Location(
    name="Deraa", geonames_id=170592, country_code="SY", admin1="Daraa", lat=32.6189, lon=36.1021, precision="city"
)
# Nawa lies about 35 km north of Deraa, in the same province.
NAWA = Location(
    name="Nawa", geonames_id=166365, country_code="SY", admin1="Daraa", lat=32.8856, lon=36.0428, precision="city"
)
DARAA_PROVINCE = Location(
    name="Daraa Governorate",
    geonames_id=170592 + 1,
    country_code="SY",
    admin1="Daraa",
    lat=32.9,
    lon=36.2,
    precision="admin1",
)
HOMS = Location(
    name="Homs", geonames_id=169577, country_code="SY", admin1="Homs", lat=34.7308, lon=36.7094, precision="city"
)
KABUL = Location(
    name="Kabul", geonames_id=1138958, country_code="AF", admin1="Kabul", lat=34.5281, lon=69.1723, precision="city"
)


def event(
    sentence: str,
    *,
    article: str = "a1",
    outlet: str = "wire.example",
    event_type: str = "ASSAULT",
    location: Location | None = DERAA,
    day: str | None = "2024-03-08",
    phrase: str | None = "on Friday",
    published: str = "2024-03-08T18:00:00+00:00",
    killed: Count | None = None,
    actor: str | None = None,
    **fields: Any,
) -> Event:
    article_id = stable_id("article", article)
    return Event(
        event_id=stable_id(article_id, sentence),
        article_id=article_id,
        event_type=event_type,
        location=location,
        event_date=EventDate(date=day, precision="day", phrase=phrase) if day else None,
        counts=Counts(killed=killed),
        actor=Actor(name=actor, kind="unknown") if actor else None,
        evidence=[Evidence(sentence=sentence, start=0, end=len(sentence))],
        confidence=0.8,
        model=ModelInfo(name="test", version="0", encoder="none"),
        source_url=f"https://{outlet}/2024/03/08/{article}",
        published_at=datetime.fromisoformat(published),
        **fields,
    )


def killed(value: int, qualifier: str = "exact", cumulative: bool = False) -> Count:
    return Count(value=value, qualifier=qualifier, phrase=f"{value} killed", cumulative=cumulative)


def index() -> IncidentIndex:
    return IncidentIndex(threshold=CorrelatorOptions().match_threshold, window_days=7)


def test_two_outlets_reporting_one_bombing_make_one_incident_with_two_sources() -> None:
    idx = index()
    first = idx.assign(
        event(
            "A car bomb exploded near the Omari mosque in Deraa on Friday, killing 23.", killed=killed(23, "at_least")
        ),
        NOW,
    )
    second = idx.assign(
        event(
            "Twenty-seven people died when a car bomb went off beside the Omari mosque, activists said.",
            article="b1",
            outlet="daily.example",
            location=DARAA_PROVINCE,
            published="2024-03-09T07:00:00+00:00",
            phrase="on Friday",
            killed=killed(27),
        ),
        NOW,
    )
    assert first is not None and first.opened
    assert second is not None and not second.opened
    incident = second.incident
    assert incident.incident_id == first.incident.incident_id == incident_id_for(first.incident.event_ids[0])
    assert incident.sources == 2 and incident.revision == 2
    assert incident.place is not None and incident.place.name == "Deraa"  # the town, not the province
    assert incident.date is not None and incident.date.date == "2024-03-08"
    toll = incident.counts.killed
    assert toll is not None and (toll.value, toll.low, toll.high, toll.rule) == (27, 23, 27, "latest_update")


def test_same_kind_same_city_same_day_but_different_targets_stay_apart() -> None:
    idx = index()
    mosque = idx.assign(
        event("A suicide bomber blew himself up inside the Abdul Rahman mosque during prayers.", location=KABUL),
        NOW,
    )
    market = idx.assign(
        event(
            "Gunmen opened fire on shoppers at the crowded Mandawi market.",
            article="b2",
            outlet="other.example",
            location=KABUL,
        ),
        NOW,
    )
    assert mosque is not None and market is not None
    assert market.opened and market.incident.incident_id != mosque.incident.incident_id


def test_different_towns_and_different_days_never_match() -> None:
    idx = index()
    deraa = idx.assign(event("Shelling hit the old quarter of the town, killing 9."), NOW)
    homs = idx.assign(event("Shelling hit the old quarter of the town, killing 9.", article="h", location=HOMS), NOW)
    later = idx.assign(
        event(
            "Shelling hit the old quarter of the town, killing 9.", article="l", day="2024-03-12", phrase="on Tuesday"
        ),
        NOW,
    )
    assert deraa is not None and homs is not None and later is not None
    assert homs.opened and later.opened
    assert len({deraa.incident.incident_id, homs.incident.incident_id, later.incident.incident_id}) == 3


def test_a_protest_never_joins_a_bombing() -> None:
    idx = index()
    idx.assign(event("Thousands marched through Deraa demanding the release of prisoners.", event_type="PROTEST"), NOW)
    other = idx.assign(
        event(
            "Thousands marched through Deraa demanding the release of prisoners.", article="x", event_type="DISASTER"
        ),
        NOW,
    )
    assert other is not None and other.opened


def test_syndicated_copy_joins_and_counts_once() -> None:
    idx = index()
    original = idx.assign(
        event("A bus plunged into a ravine near Deraa, killing 14 passengers.", event_type="DISASTER"), NOW
    )
    assert original is not None
    copy = idx.assign(
        event(
            "A bus plunged into a ravine near Deraa, killing 14 passengers.",
            article="copy",
            outlet="reprint.example",
            event_type="DISASTER",
            duplicate_of=original.incident.article_ids[0],
        ),
        NOW,
    )
    assert copy is not None and not copy.opened
    assert copy.incident.sources == 1 and len(copy.incident.reports) == 2


def test_redelivered_event_changes_nothing_and_is_published_again() -> None:
    idx = index()
    first = event("Police arrested 40 protesters in central Deraa on Friday.", event_type="COERCE")
    opened = idx.assign(first, NOW)
    again = idx.assign(first, NOW)
    assert opened is not None and again is not None
    assert again.incident == opened.incident and not again.opened
    assert len(idx) == 1


def test_running_totals_and_threats_open_no_incident() -> None:
    idx = index()
    total = event("More than 3,500 people have been killed since March.", running_total=True)
    threat = event("The group threatened to attack the city.", article="t", modality="threatened")
    assert idx.assign(total, NOW) is None
    assert idx.assign(threat, NOW) is None
    assert len(idx) == 0


def test_cumulative_counts_are_left_out_of_the_reconciled_toll() -> None:
    reports = [
        to_report(event("At least 23 killed in Deraa.", killed=killed(23, "at_least")), NOW, 1.0),
        to_report(
            event(
                "The toll since March has reached 3,500.",
                article="c",
                outlet="c.example",
                killed=killed(3500, cumulative=True),
            ),
            NOW,
            0.8,
        ),
    ]
    reconciled = reconcile_count(reports, "killed")
    assert reconciled is not None
    count, rule, low, high, n = reconciled
    assert (count.value, rule, low, high, n) == (23, "single_report", 23, 23, 1)


@pytest.mark.parametrize(
    ("values", "rule", "headline"),
    [
        ([(23, "at_least"), (25, "at_least")], "latest_update", 25),
        ([(30, "exact"), (27, "exact"), (28, "exact")], "median", 28),
        ([(27, "exact"), (27, "about")], "agreed", 27),
        ([(25, "at_least"), (20, "more_than")], "highest_lower_bound", 25),
    ],
)
def test_count_rules(values: list[tuple[int, str]], rule: str, headline: int) -> None:
    reports = [
        to_report(
            event(
                f"{value} killed.",
                article=f"a{n}",
                outlet=f"o{n}.example",
                published=f"2024-03-0{8 + n // 2}T{10 + n}:00:00+00:00",
                killed=killed(value, qualifier),
            ),
            NOW,
            1.0,
        )
        for n, (value, qualifier) in enumerate(values)
    ]
    incident = summarise(incident_id_for(reports[0].event_id), reports)
    assert incident.counts.killed is not None
    assert (incident.counts.killed.rule, incident.counts.killed.value) == (rule, headline)


def test_place_scores_follow_distance_and_precision() -> None:
    assert place_pair_score(DERAA, DERAA) == 1.0
    nawa = place_pair_score(DERAA, NAWA)
    assert nawa is not None and 0.3 < nawa < 0.9
    assert place_pair_score(DERAA, HOMS) is None  # 241 km apart
    assert place_pair_score(DERAA, KABUL) is None  # another country
    assert place_pair_score(DERAA, DARAA_PROVINCE) == 0.7
    assert place_pair_score(DERAA, None) == 0.5
    # "In Asia" neither joins a report to Deraa's incident nor parts it, like a report with no place.
    asia = Location(name="Asia", geonames_id=6255147, lat=29.84, lon=89.3, precision="world_region")
    assert place_pair_score(DERAA, asia) == place_pair_score(asia, KABUL) == 0.5
    assert 238 < haversine_km(DERAA.lat or 0, DERAA.lon or 0, HOMS.lat or 0, HOMS.lon or 0) < 244


def _us(name: str, admin1: str, lat: float, lon: float, precision: Literal["city", "admin2"]) -> Location:
    return Location(name=name, country_code="US", admin1=admin1, lat=lat, lon=lon, precision=precision)


FULTON_GA = _us("Fulton County", "GA", 33.844, -84.399, "admin2")  # no GeoNames id: a ZIP-median point
DEKALB_GA = _us("DeKalb County", "GA", 33.792, -84.265, "admin2")  # Fulton's neighbour, about 14 km
DEKALB_IL = _us("DeKalb County", "IL", 41.92, -88.769, "admin2")
ATLANTA = _us("Atlanta", "GA", 33.749, -84.388, "city")  # in Fulton County
SAVANNAH = _us("Savannah", "GA", 32.084, -81.1, "city")  # Georgia too, about 340 km away


def test_county_places_match_their_towns_and_keep_their_state() -> None:
    assert place_pair_score(FULTON_GA, FULTON_GA) == 0.85  # the same county, told by its point
    neighbour = place_pair_score(FULTON_GA, DEKALB_GA)
    assert neighbour is not None and neighbour < 0.85  # a slip between neighbours at most
    assert place_pair_score(DEKALB_GA, DEKALB_IL) is None  # same name, another state
    assert place_pair_score(FULTON_GA, ATLANTA) == 0.8  # a town in the county
    assert place_pair_score(ATLANTA, FULTON_GA) == 0.8
    assert place_pair_score(FULTON_GA, SAVANNAH) is None  # same state, too far to be in the county


def test_date_windows_by_precision() -> None:
    stated = date_window(EventDate(date="2024-03-08", precision="day", phrase="on Friday"), None)
    assumed = date_window(EventDate(date="2024-03-08", precision="day", phrase=None), None)
    month = date_window(EventDate(date="2024-02-01", precision="month", phrase="in February"), None)
    assert stated is not None and assumed is not None and month is not None
    assert (stated.days, assumed.days, month.days) == (1, 2, 29)
    assert stated.gap(assumed) == 0


def test_content_words_skip_what_every_report_of_a_kind_says() -> None:
    words = content_words("At least 23 people were killed when a car bomb hit the Omari mosque, police said.")
    assert {"omari", "mosque", "bomb", "car"} <= words
    assert not words & {"killed", "people", "police", "said", "least"}


def test_match_explains_its_parts() -> None:
    first = to_report(event("A car bomb hit the Omari mosque in Deraa."), NOW, 1.0)
    incident = summarise(incident_id_for(first.event_id), [first])
    found = match(to_report(event("The Omari mosque car bomb killed 23.", article="b"), NOW, 1.0), incident)
    assert found is not None
    assert set(found.parts) == {"type", "place", "date", "words", "actors", "counts"}
    assert found.parts["place"] == 1.0 and found.parts["date"] == 1.0 and found.score >= 0.6


def test_old_incidents_leave_memory_but_new_reports_keep_recent_ones() -> None:
    idx = index()
    idx.assign(event("A car bomb hit the Omari mosque in Deraa."), NOW)
    idx.assign(event("Floods swept the valley.", article="f", event_type="DISASTER", day="2024-03-20"), NOW)
    assert idx.expire() and len(idx) == 1


def test_the_map_serves_its_own_files_and_nothing_outside_them() -> None:
    from newswire.correlator.web import sse_message, static_file

    page = static_file("index.html")
    assert page is not None and page[1].startswith("text/html") and b"<html" in page[0].lower()
    script = static_file("map.js")
    assert script is not None and script[1].startswith("text/javascript")
    for sneaky in ("../settings.py", "vendor/../../app.py", "", ".hidden", "missing.js"):
        assert static_file(sneaky) is None, sneaky
    assert sse_message(b'{"a": 1}') == b'event: incident\ndata: {"a": 1}\n\n'


def test_tail_prints_an_incident_as_one_line() -> None:
    from newswire.cli.tail import incident_summary as _incident_summary

    idx = index()
    idx.assign(event("A car bomb hit the Omari mosque in Deraa.", killed=killed(23, "at_least")), NOW)
    joined = idx.assign(
        event(
            "The Omari mosque car bomb killed 27.",
            article="b",
            outlet="b.example",
            killed=killed(27),
            published="2024-03-09T07:00:00+00:00",
        ),
        NOW,
    )
    assert joined is not None
    line = _incident_summary(joined.incident.model_dump(mode="json"))
    assert "\n" not in line
    assert line.startswith(f"[{joined.incident.incident_id[:12]}] ASSAULT where=Deraa/SY when=2024-03-08")
    assert "killed=27(23-27)" in line and "sources=2 reports=2 rev=2" in line


class _Record:
    """What the store reads of a Kafka record."""

    def __init__(self, key: bytes, value: bytes | None, offset: int) -> None:
        self.key, self.value, self.partition, self.offset = key, value, 0, offset


async def test_the_store_keeps_the_latest_revision_and_drops_a_listener_that_falls_behind() -> None:

    from newswire.common.serde import dumps
    from newswire.correlator import store as store_module
    from newswire.correlator.store import IncidentStore

    idx = index()
    store = IncidentStore(idx, "127.0.0.1:9", "incidents", recent=10, client_id="test")
    store._loaded.set()  # as after the initial read
    opened = idx.assign(event("A car bomb hit the Omari mosque in Deraa."), NOW)
    joined = idx.assign(event("The Omari mosque car bomb killed 23.", article="b", outlet="b.example"), NOW)
    assert opened is not None and joined is not None
    first, second = opened.incident, joined.incident
    slow = store.listen()
    for _ in range(store_module._LISTENER_BACKLOG):
        slow.put_nowait(first)
    store.apply([_Record(second.incident_id.encode(), dumps(second), 1)])
    store.apply([_Record(first.incident_id.encode(), dumps(first), 0)])
    assert [incident.revision for incident in store.recent()] == [2]  # the older write coming back is ignored
    assert slow.qsize() == 1 and slow.get_nowait() is None  # too far behind: dropped, told to reconnect
    waiting = store.listen()
    for _ in range(store_module._LISTENER_BACKLOG):
        waiting.put_nowait(first)
    await store.stop()  # a full queue does not stop the store from stopping
    assert waiting.get_nowait() is None

"""The correlator on the real broker: reports of one occurrence from two outlets become one incident, a
poisoned event goes to the DLQ, the incident keeps its id across a restart, and the map shows it."""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from newswire.common.ids import stable_id
from tests.integration.harness import (
    Namespace,
    collect,
    messages_in,
    produce,
    running_service,
    schema_errors,
    service_log,
)

ARTIFACTS = Path(os.environ.get("NEWSWIRE_TEST_ARTIFACTS", Path(__file__).parents[2] / "build" / "test-artifacts"))

DERAA = {
    "name": "Deraa",
    "geonames_id": 170592,
    "country_code": "SY",
    "admin1": "Daraa",
    "lat": 32.6189,
    "lon": 36.1021,
    "precision": "city",
}
LAGOS = {
    "name": "Lagos",
    "geonames_id": 2332459,
    "country_code": "NG",
    "admin1": "Lagos",
    "lat": 6.4541,
    "lon": 3.3947,
    "precision": "city",
}


def event_json(
    sentence: str,
    *,
    outlet: str,
    article: str,
    location: dict[str, Any],
    killed: int | None = None,
    event_type: str = "ASSAULT",
    published: str = "2024-03-08T18:00:00+00:00",
) -> bytes:
    article_id = stable_id("article", article)
    counts = {"killed": {"value": killed, "qualifier": "exact", "phrase": f"{killed} killed"}} if killed else {}
    return orjson.dumps(
        {
            "event_id": stable_id(article_id, sentence),
            "article_id": article_id,
            "event_type": event_type,
            "location": location,
            "event_date": {"date": "2024-03-08", "precision": "day", "phrase": "on Friday"},
            "counts": counts,
            "evidence": [{"sentence": sentence, "start": 0, "end": len(sentence)}],
            "confidence": 0.8,
            "model": {"name": "test", "version": "0", "encoder": "none"},
            "source_url": f"https://{outlet}/2024/03/08/{article}",
            "published_at": published,
        }
    )


BOMBING = [
    event_json(
        "A car bomb exploded beside the Omari mosque in Deraa on Friday, killing 23 worshippers.",
        outlet="wire.example",
        article="w1",
        location=DERAA,
        killed=23,
    ),
    event_json(
        "Twenty-seven worshippers died when a car bomb went off beside the Omari mosque on Friday.",
        outlet="daily.example",
        article="d1",
        location=DERAA,
        killed=27,
        published="2024-03-09T07:00:00+00:00",
    ),
]
FLOOD = event_json(
    "Flash floods swept through the Makoko waterfront in Lagos on Friday, killing 6.",
    outlet="lagos.example",
    article="l1",
    location=LAGOS,
    killed=6,
    event_type="DISASTER",
)
FOLLOW_UP = event_json(
    "The toll from Friday's car bomb at the Omari mosque in Deraa rose to 31, medics said.",
    outlet="third.example",
    article="t1",
    location=DERAA,
    killed=31,
    published="2024-03-09T15:00:00+00:00",
)


def latest_by_id(values: list[bytes]) -> dict[str, dict[str, Any]]:
    """The state a consumer of the compacted topic keeps: the highest revision of each incident."""
    latest: dict[str, dict[str, Any]] = {}
    for value in values:
        incident = orjson.loads(value)
        held = latest.get(incident["incident_id"])
        if held is None or incident["revision"] >= held["revision"]:
            latest[incident["incident_id"]] = incident
    return latest


async def wait_ready(port: int, alive: Callable[[], bool], ns: Namespace) -> None:
    async with httpx.AsyncClient(timeout=5) as client:
        for _ in range(240):
            assert alive(), service_log(ns, "correlator")
            try:
                if (await client.get(f"http://127.0.0.1:{port}/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.5)
    raise AssertionError(f"correlator never ready\n{service_log(ns, 'correlator')}")


async def first_stream_incident(port: int) -> dict[str, Any]:
    """The first `incident` event the map's stream sends."""
    async with (
        httpx.AsyncClient(timeout=60) as client,
        client.stream("GET", f"http://127.0.0.1:{port}/incidents/stream") as response,
    ):
        assert response.headers["content-type"].startswith("text/event-stream")
        kind = None
        async for line in response.aiter_lines():
            if line.startswith("event: "):
                kind = line.removeprefix("event: ")
            elif line.startswith("data: ") and kind == "incident":
                return dict(orjson.loads(line.removeprefix("data: ")))
    raise AssertionError("the stream ended without an incident")


async def test_reports_become_incidents_that_survive_a_restart(kafka_bootstrap: str, tmp_path: Path) -> None:
    ns = Namespace(kafka_bootstrap, tmp_path)
    events_topic, incidents_topic = ns.topic("events"), ns.topic("incidents")
    with running_service("correlator", ns) as process:
        alive = lambda: process.poll() is None  # noqa: E731
        port = ns.ports["correlator"]
        await wait_ready(port, alive, ns)
        poison = b'{"event_id": "not an event"}'
        await produce(
            kafka_bootstrap,
            events_topic,
            [(b"e1", BOMBING[0]), (b"poison", poison), (b"e2", BOMBING[1]), (b"e3", FLOOD)],
        )

        def two_incidents_one_with_two_sources(values: list[bytes]) -> bool:
            latest = latest_by_id(values)
            return len(latest) == 2 and any(incident["sources"] == 2 for incident in latest.values())

        values = await collect(kafka_bootstrap, incidents_topic, two_incidents_one_with_two_sources, 90, alive)
        assert schema_errors("incidents", values) == []
        latest = latest_by_id(values)
        assert len(latest) == 2, service_log(ns, "correlator")
        bombing = next(incident for incident in latest.values() if incident["event_type"] == "ASSAULT")
        assert bombing["sources"] == 2 and bombing["revision"] == 2
        assert bombing["place"]["name"] == "Deraa" and bombing["date"]["date"] == "2024-03-08"
        assert bombing["counts"]["killed"]["value"] == 27 and bombing["counts"]["killed"]["low"] == 23

        dead = await collect(kafka_bootstrap, ns.dlq("correlator"), lambda v: len(v) >= 1, 30, alive)
        assert len(dead) == 1 and orjson.loads(dead[0])["stage"] == "decode"

        async with httpx.AsyncClient(timeout=5) as client:
            listed = (await client.get(f"http://127.0.0.1:{port}/incidents")).json()
            metrics = (await client.get(f"http://127.0.0.1:{port}/metrics")).text
        assert {incident["incident_id"] for incident in listed} == set(latest)
        assert 'newswire_correlator_assignments_total{outcome="opened"} 2.0' in metrics
        assert 'newswire_correlator_assignments_total{outcome="joined"} 1.0' in metrics

    # A new process reads its state back from the topic: a later report joins the same incident.
    with running_service("correlator", ns) as process:
        alive = lambda: process.poll() is None  # noqa: E731
        port = ns.ports["correlator"]
        await wait_ready(port, alive, ns)
        streamed = asyncio.create_task(first_stream_incident(port))
        await asyncio.sleep(1.0)  # the stream is open before the report arrives
        await produce(kafka_bootstrap, events_topic, [(b"e4", FOLLOW_UP)])

        def three_reports(values: list[bytes]) -> bool:
            return any(len(incident["reports"]) == 3 for incident in latest_by_id(values).values())

        values = await collect(kafka_bootstrap, incidents_topic, three_reports, 90, alive)
        updated = latest_by_id(values)[bombing["incident_id"]]
        assert len(updated["reports"]) == 3 and updated["revision"] == 3, service_log(ns, "correlator")
        assert updated["sources"] == 3
        assert updated["counts"]["killed"]["value"] == 31 and updated["counts"]["killed"]["rule"] == "latest_update"
        live = await asyncio.wait_for(streamed, 30)
        assert live["incident_id"] == bombing["incident_id"] and live["revision"] == 3

        await check_map(port, bombing["incident_id"], sources=3)


async def check_map(port: int, incident_id: str, sources: int) -> None:
    """The page, in headless Chromium, shows the incident on the map and in the list with its sources."""
    from tests.integration.browser import find_chromium, render_page

    if find_chromium() is None:
        pytest.skip("no Chromium here (apt-get install chromium); the map page was not rendered")
    await asyncio.to_thread(ARTIFACTS.mkdir, parents=True, exist_ok=True)
    screenshot = ARTIFACTS / "incident-map.png"
    # The list fills from /incidents at once; the markers go on the map once its world data has loaded.
    entry = f'li.incident[data-incident-id="{incident_id}"] .sources'
    marker = f'circle.marker[data-incident-id="{incident_id}"]'
    ready = f"document.querySelector('{entry}') && document.querySelector('{marker}')"
    page = await asyncio.to_thread(
        render_page, f"http://127.0.0.1:{port}/map/", screenshot=screenshot, wait_ms=30000, wait_for=ready
    )
    assert not page.exceptions, page.exceptions
    dom = page.dom
    assert f'data-incident-id="{incident_id}"' in dom
    assert f'data-sources="{sources}"' in dom
    circles = re.findall(r"<circle\b[^>]*>", dom)
    on_map = [
        c for c in circles if re.search(r'class="[^"]*\bmarker\b', c) and f'data-incident-id="{incident_id}"' in c
    ]
    assert on_map, f"no marker for the incident on the map among {len(circles)} circles"
    assert screenshot.stat().st_size > 10_000


async def incidents_listed(port: int) -> dict[str, dict[str, Any]]:
    async with httpx.AsyncClient(timeout=5) as client:
        listed = (await client.get(f"http://127.0.0.1:{port}/incidents")).json()
    return {incident["incident_id"]: incident for incident in listed}


async def test_two_instances_share_incidents_and_hand_a_country_over(kafka_bootstrap: str, tmp_path: Path) -> None:
    """Each instance owns the countries of its blocks partitions but reads every incident; when one stops,
    the other takes its countries over and a later report joins the incident the first one opened."""
    one = Namespace(kafka_bootstrap, tmp_path / "one")
    two = Namespace(kafka_bootstrap, tmp_path / "two", prefix=one.prefix)  # same topics and group
    for ns in (one, two):
        ns.workdir.mkdir()
    events_topic, incidents_topic = one.topic("events"), one.topic("incidents")
    with running_service("correlator", one) as first, running_service("correlator", two) as second:
        both_alive = lambda: first.poll() is None and second.poll() is None  # noqa: E731
        await wait_ready(one.ports["correlator"], both_alive, one)
        await wait_ready(two.ports["correlator"], both_alive, two)
        await produce(kafka_bootstrap, events_topic, [(b"e1", BOMBING[0]), (b"e2", BOMBING[1]), (b"e3", FLOOD)])

        def two_incidents(values: list[bytes]) -> bool:
            latest = latest_by_id(values)
            return len(latest) == 2 and any(incident["sources"] == 2 for incident in latest.values())

        values = await collect(kafka_bootstrap, incidents_topic, two_incidents, 90, both_alive)
        latest = latest_by_id(values)
        assert len(latest) == 2, service_log(one, "correlator") + service_log(two, "correlator")
        bombing = next(incident for incident in latest.values() if incident["event_type"] == "ASSAULT")
        for ns in (one, two):  # every instance shows every incident, whichever wrote it
            for _ in range(40):
                if set(await incidents_listed(ns.ports["correlator"])) == set(latest):
                    break
                await asyncio.sleep(0.5)
            assert set(await incidents_listed(ns.ports["correlator"])) == set(latest)

        # Stop the instance that correlated the bombing (two of the three blocked events are Syria's),
        # so that its country moves to the other one.
        blocks = f"{one.prefix}-correlator.blocks"
        handled = [await messages_in(ns.ports["correlator"], blocks) for ns in (one, two)]
        owner, survivor = (first, second) if handled[0] >= 2 else (second, first)
        survivor_ns = two if owner is first else one
        assert max(handled) >= 2, handled
        owner.terminate()  # SIGTERM: a graceful stop hands its partitions over
        owner.wait(timeout=60)
        await produce(kafka_bootstrap, events_topic, [(b"e4", FOLLOW_UP)])

        def three_reports(values: list[bytes]) -> bool:
            return any(len(incident["reports"]) == 3 for incident in latest_by_id(values).values())

        alive = lambda: survivor.poll() is None  # noqa: E731
        values = await collect(kafka_bootstrap, incidents_topic, three_reports, 120, alive)
        updated = latest_by_id(values)
        assert len(updated) == 2, service_log(survivor_ns, "correlator")
        assert len(updated[bombing["incident_id"]]["reports"]) == 3
        assert schema_errors("incidents", values) == []

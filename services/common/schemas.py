"""JSON Schema files in `schemas/` are the topic contract; they are generated from the models here and a
test fails when the committed files and the models drift apart."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import orjson
from jsonschema import Draft202012Validator

from .models import TOPIC_MODELS, topic_schema_version
from .paths import package_path

REPO_SCHEMAS = package_path("schemas")


def schema_filename(topic: str, version: int | None = None) -> str:
    """The file of `topic`'s schema at `version` (its current one by default); older files stay beside it."""
    return f"{topic}.v{topic_schema_version(topic) if version is None else version}.schema.json"


def model_schema(topic: str) -> dict[str, Any]:
    model = TOPIC_MODELS[topic]
    schema = model.model_json_schema(mode="serialization")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://newswire.dev/schemas/{schema_filename(topic)}",
        "x-topic": topic if topic != "dlq" else "<service>.dlq",
        "x-schema-version": topic_schema_version(topic),
        **schema,
    }


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def export_schemas(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for topic in TOPIC_MODELS:
        path = directory / schema_filename(topic)
        path.write_text(render(model_schema(topic)), encoding="utf-8")
        written.append(path)
    return written


def schema_drift(directory: Path) -> list[str]:
    """Human-readable differences between the committed schemas and the models."""
    problems = []
    for topic in TOPIC_MODELS:
        path = directory / schema_filename(topic)
        if not path.is_file():
            problems.append(f"{path}: missing (run `newswire schemas export`)")
        elif path.read_text(encoding="utf-8") != render(model_schema(topic)):
            problems.append(f"{path}: differs from the {TOPIC_MODELS[topic].__name__} model")
    return problems


@cache
def validator(topic: str, directory: Path = REPO_SCHEMAS) -> Draft202012Validator:
    schema = json.loads((directory / schema_filename(topic)).read_text(encoding="utf-8"))
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def validate_message(topic: str, payload: bytes | str) -> list[str]:
    """Errors of one serialised message against the committed schema of its topic (empty when valid)."""
    key = "dlq" if topic.endswith(".dlq") else topic
    instance = orjson.loads(payload)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator(key).iter_errors(instance)]

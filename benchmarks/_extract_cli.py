"""Run `newswire extract -` as a user does, in a subprocess, and group the events it prints by input."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson


def extract_events(
    items: Sequence[tuple[str, str]], models: Path | None = None, threshold: float | None = None
) -> dict[str, list[dict[str, Any]]]:
    """(id, text) pairs in; each id's events (as printed JSON objects) out. `models` overrides the heads."""
    payload = b"".join(orjson.dumps({"id": key, "text": text}) + b"\n" for key, text in items)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    if models is not None:
        env["NEWSWIRE_EXTRACTOR__MODELS_DIR"] = str(models)
    if threshold is not None:
        env["NEWSWIRE_EXTRACTOR__EVENT_THRESHOLD"] = str(threshold)
    command = [sys.executable, "-m", "newswire", "extract", "-"]
    done = subprocess.run(command, input=payload, capture_output=True, env=env, check=False)
    if done.returncode != 0:
        raise SystemExit(f"newswire extract failed ({done.returncode}): {done.stderr.decode()[-2000:]}")
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for line in done.stdout.splitlines():
        if line.strip():
            event = orjson.loads(line)
            grouped[str(event["input_id"])].append(event)
    return grouped


def extract_documents(items: Sequence[tuple[str, str, str | None, str | None]]) -> dict[str, dict[str, Any]]:
    """(id, text, published, outlet) in; each id's document view (`newswire extract --documents`) out, the
    inputs read in the order given (an outlet's earlier articles inform its later ones' places)."""
    payload = b"".join(
        orjson.dumps(
            {
                "id": key,
                "text": text,
                **({"published": published} if published else {}),
                **({"outlet": outlet} if outlet else {}),
            }
        )
        + b"\n"
        for key, text, published, outlet in items
    )
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    command = [sys.executable, "-m", "newswire", "extract", "--documents", "-"]
    done = subprocess.run(command, input=payload, capture_output=True, env=env, check=False)
    if done.returncode != 0:
        raise SystemExit(f"newswire extract failed ({done.returncode}): {done.stderr.decode()[-2000:]}")
    views: dict[str, dict[str, Any]] = {}
    for line in done.stdout.splitlines():
        if line.strip():
            view = orjson.loads(line)
            views[str(view["input_id"])] = view
    return views

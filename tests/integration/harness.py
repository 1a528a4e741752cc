"""Run newswire services as real child processes against the session's broker, each test in its own
namespace of topics and consumer groups."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from newswire.common.processes import terminate_all
from newswire.common.schemas import validate_message
from newswire.devtools.broker import free_port


@dataclass
class Namespace:
    """Topic names and app ids of one test, passed to services through NEWSWIRE_* variables."""

    bootstrap: str
    workdir: Path
    prefix: str = field(default_factory=lambda: f"t{uuid.uuid4().hex[:8]}")
    ports: dict[str, int] = field(default_factory=dict)

    def topic(self, name: str) -> str:
        return f"{self.prefix}.{name}"

    def env(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "NEWSWIRE_KAFKA__BOOTSTRAP_SERVERS": self.bootstrap,
                "NEWSWIRE_KAFKA__PARTITIONS": "2",
                "NEWSWIRE_APP_PREFIX": self.prefix,
                "NEWSWIRE_DATA_DIR": str(self.workdir / "data"),
                "NEWSWIRE_TOPICS__RAW": self.topic("articles.raw"),
                "NEWSWIRE_TOPICS__CLEAN": self.topic("articles.clean"),
                "NEWSWIRE_TOPICS__EVENTS": self.topic("events"),
                "NEWSWIRE_TOPICS__ENRICHED": self.topic("articles.enriched"),
                "NEWSWIRE_TOPICS__INCIDENTS": self.topic("incidents"),
                "NEWSWIRE_TOPICS__FETCH_QUEUE": self.topic("fetcher.urls"),
                "NEWSWIRE_TOPICS__DLQ_TEMPLATE": self.topic("{service}.dlq"),
                "HF_HUB_OFFLINE": "1",
                "TRANSFORMERS_OFFLINE": "1",
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.update(extra)
        return env

    def dlq(self, service: str) -> str:
        return self.topic(f"{service}.dlq")


@contextmanager
def running_service(name: str, ns: Namespace, **extra_env: str) -> Iterator[subprocess.Popen[bytes]]:
    """The service's web port is in `process.args`' environment as NEWSWIRE_WEB__PORT (see `web_port`)."""
    log_path = ns.workdir / f"{name}.log"
    env = ns.env(**{"NEWSWIRE_WEB__PORT": str(free_port()), **extra_env})
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "newswire", name], env=env, stdout=log, stderr=subprocess.STDOUT
        )
        ns.ports[name] = int(env["NEWSWIRE_WEB__PORT"])
        try:
            yield process
        finally:
            terminate_all([process])


def service_log(ns: Namespace, name: str) -> str:
    path = ns.workdir / f"{name}.log"
    return path.read_text(errors="replace")[-6000:] if path.exists() else "<no log>"


async def produce(bootstrap: str, topic: str, messages: list[tuple[bytes, bytes]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for key, value in messages:
            await producer.send_and_wait(topic, value=value, key=key)
    finally:
        await producer.stop()


async def collect(
    bootstrap: str,
    topic: str,
    until: Callable[[list[bytes]], bool],
    timeout_s: float,
    alive: Callable[[], bool] = lambda: True,
    isolation_level: str = "read_uncommitted",
) -> list[bytes]:
    """Read `topic` from the beginning until `until(values)` holds, the timeout passes, or a service died;
    every value must validate against its topic's committed schema."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
        isolation_level=isolation_level,
    )
    await consumer.start()
    values: list[bytes] = []
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline and alive():
            batches = await consumer.getmany(timeout_ms=500)
            for records in batches.values():
                for record in records:
                    assert record.value is not None
                    values.append(record.value)
            if until(values):
                break
            await asyncio.sleep(0)
    finally:
        await consumer.stop()
    return values


async def messages_in(port: int, topic: str) -> float:
    """What a service's /metrics says it read from `topic`."""
    async with httpx.AsyncClient(timeout=5) as client:
        text = (await client.get(f"http://127.0.0.1:{port}/metrics")).text
    prefix = f'newswire_messages_in_total{{topic="{topic}"}} '
    return sum(float(line.removeprefix(prefix)) for line in text.splitlines() if line.startswith(prefix))


def schema_errors(topic_kind: str, values: list[bytes]) -> list[str]:
    return [error for value in values for error in validate_message(topic_kind, value)]

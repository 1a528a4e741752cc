"""One real Kafka broker for the whole test session; every integration test talks to it.

Set NEWSWIRE_TEST_BOOTSTRAP=host:port to reuse a broker that is already running (for instance one from
`newswire broker start`) and skip the start-up.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Awaitable, Callable, Iterable, Iterator
from pathlib import Path

import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from newswire.devtools.broker import LocalBroker

INTEGRATION_DIR = Path(__file__).parent
TOPIC_ALREADY_EXISTS = 36

CreateTopics = Callable[..., Awaitable[None]]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if INTEGRATION_DIR in Path(item.path).parents:
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def kafka_bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    reuse = os.environ.get("NEWSWIRE_TEST_BOOTSTRAP")
    if reuse:
        yield reuse
        return
    broker = LocalBroker(tmp_path_factory.mktemp("kafka"))
    bootstrap = broker.start(timeout=60.0)  # generous: the CI machine may be busier than a laptop
    try:
        yield bootstrap
    finally:
        broker.stop()


async def create_topics(
    bootstrap: str, names: Iterable[str], partitions: int = 1, config: dict[str, str] | None = None
) -> None:
    """Create topics (replication 1); an existing topic is fine, any other error fails the test."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=15000)
    await admin.start()
    try:
        response = await admin.create_topics(
            [NewTopic(name, partitions, 1, topic_configs=config or {}) for name in names]
        )
        for error in response.topic_errors:
            name, code = error[0], error[1]
            if code not in (0, TOPIC_ALREADY_EXISTS):
                raise RuntimeError(f"creating topic {name} failed: {error}")
    finally:
        await admin.close()


@pytest.fixture(name="create_topics")
def create_topics_fixture() -> CreateTopics:
    return create_topics


@pytest.fixture
def topic_name(request: pytest.FixtureRequest) -> str:
    """A topic name of this test alone: tests share the broker, so they must not share topics."""
    stem = re.sub(r"[^A-Za-z0-9._-]", "-", request.node.name)[:80]
    return f"{stem}-{uuid.uuid4().hex[:8]}"

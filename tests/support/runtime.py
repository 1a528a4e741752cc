"""One recording runtime: a real `ServiceRuntime` whose sends land in a list instead of on Kafka.

Everything else is the real thing: the Faust app object (never started), metrics, progress, the failure
ratio, `dead_letter` and the consume paths (`consume_batches`, `consume_concurrently`), so a test sees
what the service would have sent, dead letters included, and what it counted. Nothing dials the broker:
the bootstrap address is a closed port.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import faust
from pydantic import BaseModel

from newswire.common.models import DeadLetter
from newswire.common.runtime import ServiceRuntime
from newswire.common.settings import ServiceSettings


@dataclass(frozen=True)
class Sent:
    """One `publish`: the topic's name, the key, the message and the trace id, as the caller gave them."""

    topic: str
    key: str
    message: BaseModel
    trace_id: str | None
    headers: tuple[tuple[str, bytes], ...] = ()


class RecordingRuntime(ServiceRuntime):
    """`sent` holds every publish in order; `published` those to other topics than the service's DLQ,
    `dead_lettered` those to the DLQ and `dead` their `DeadLetter` records. With `broker_down` set,
    `publish` raises ConnectionError, as the real one does when the broker is away.

    With `exactly_once`, an output of a message in a transactional batch is held as the real runtime holds it,
    and reaches `runtime.transactions` (a fake a test sets) when the batch commits."""

    def __init__(
        self,
        data_dir: Path,
        service: str = "test",
        *,
        settings_class: type[ServiceSettings] = ServiceSettings,
        port: int = 6199,
        exactly_once: bool = False,
    ) -> None:
        settings = settings_class(
            kafka={"bootstrap_servers": "127.0.0.1:9", "exactly_once": exactly_once}, data_dir=data_dir
        )
        super().__init__(service, settings, port, transactional=exactly_once)
        self.sent: list[Sent] = []
        self.broker_down = False

    async def publish(
        self,
        topic: faust.TopicT,
        key: str,
        message: BaseModel,
        trace_id: str | None = None,
        *,
        headers: Sequence[tuple[str, bytes]] = (),
        source: faust.EventT[Any] | None = None,
    ) -> None:
        if self.holds_outputs_of(source):
            await super().publish(topic, key, message, trace_id, headers=headers, source=source)
            return
        if self.broker_down:
            raise ConnectionError("broker unreachable")
        self.sent.append(Sent(topic.get_topic_name(), key, message, trace_id, tuple(headers)))
        self.metrics.messages_out.labels(topic.get_topic_name()).inc()

    @property
    def dlq_name(self) -> str:
        return self.settings.topics.dlq(self.service)

    @property
    def published(self) -> list[Sent]:
        return [sent for sent in self.sent if sent.topic != self.dlq_name]

    @property
    def dead_lettered(self) -> list[Sent]:
        return [sent for sent in self.sent if sent.topic == self.dlq_name]

    @property
    def dead(self) -> list[DeadLetter]:
        return [sent.message for sent in self.dead_lettered if isinstance(sent.message, DeadLetter)]

    def outcomes(self) -> list[bool]:
        """The failure ratio's window: one entry per message that counted, True for a failure."""
        return list(self.failures._outcomes)

"""What every service app has: a Faust app built from settings, its metrics, health and dead-letter sink.

Services build one `ServiceRuntime` in their factory and attach their agents to `runtime.app`; nothing here
is global, so tests can build several apps in one process.
"""

from __future__ import annotations

import asyncio
import collections
import enum
import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar

import faust
import orjson
from faust.web import Request, Response, View
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel

from ..errors import PermanentError, Unprocessable
from .dlq import DeadLetterRateExceeded, FailureRatio, dead_letter
from .health import Flag, Progress, Readiness, ServiceMetrics
from .kafka import missing_topics
from .models import SCHEMA_VERSION
from .resources import manage
from .serde import dumps
from .settings import ServiceSettings
from .transactions import (
    Partition,
    PartitionFenced,
    PartitionTransactions,
    ReadCommittedConsumer,
    Record,
    TransactionalStageConsumer,
)

_T = TypeVar("_T")
log = logging.getLogger(__name__)

TRACE_HEADER = "trace_id"
VERSION_HEADER = "schema_version"


class Outcome(enum.Enum):
    """What a handler may return for a message; returning None is the same as HANDLED."""

    HANDLED = "handled"
    SKIPPED = "skipped"  # nothing to do (a duplicate): it counts toward neither side of the failure ratio


# What a batch handler returns: one result per message, in order, a bad message's `Unprocessable` returned
# rather than raised (so that the others go on); None when every message was handled. Any other exception
# in it fails the whole batch, as one raised would.
BatchResults = Sequence[Outcome | BaseException | None] | None


async def one_by_one(
    events: Sequence[faust.EventT[Any]], handle: Callable[[faust.EventT[Any]], Awaitable[Outcome | None]]
) -> list[Outcome | BaseException | None]:
    """`handle` each message in order, as a batch handler, a bad one's permanent error kept as its result."""
    results: list[Outcome | BaseException | None] = []
    for event in events:
        try:
            results.append(await handle(event))
        except PermanentError as exc:
            results.append(exc)
    return results


def header_value(headers: Any, name: str) -> str | None:
    """Faust hands headers over as a list of pairs or a mapping, depending on the path taken."""
    if not headers:
        return None
    items = headers.items() if isinstance(headers, Mapping) else headers
    for key, value in items:
        if key == name:
            return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    return None


class ServiceRuntime:
    def __init__(
        self, service: str, settings: ServiceSettings, default_port: int, *, transactional: bool = False
    ) -> None:
        """`transactional`: every agent of the service consumes through `consume_batches`, so that with
        `kafka.exactly_once` on, each batch commits in transactions and Faust commits nothing itself."""
        self.service = service
        self.settings = settings
        self.metrics = ServiceMetrics(service)
        self.progress = Progress()
        self.readiness = Readiness()
        self.failures = FailureRatio(settings.dlq)
        self.topics_ready = Flag("topics not checked yet")
        port = settings.web.port or default_port
        bootstrap = settings.bootstrap()
        datadir = settings.data_dir / "faust" / service
        datadir.parent.mkdir(parents=True, exist_ok=True)
        self.app = faust.App(
            settings.app_id(service),
            broker=[f"kafka://{server.strip()}" for server in bootstrap.split(",")],
            value_serializer="raw",
            key_serializer="raw",
            autodiscover=False,
            datadir=str(datadir),
            web_enabled=True,
            web_bind=settings.web.host,
            web_host=settings.web.host,
            web_port=port,
            web_in_thread=False,
            topic_partitions=settings.kafka.partitions,
            topic_replication_factor=settings.kafka.replication_factor,
            topic_allow_declare=True,
            consumer_auto_offset_reset="earliest",
            producer_compression_type=settings.kafka.compression,
            producer_max_request_size=settings.kafka.max_message_bytes,
            producer_acks=-1,
            broker_commit_interval=1.0,
            broker_request_timeout=max(settings.kafka.request_timeout_s, settings.kafka.session_timeout_s),
            broker_session_timeout=settings.kafka.session_timeout_s,
            broker_heartbeat_interval=min(3.0, settings.kafka.session_timeout_s / 3),
            consumer_max_fetch_size=settings.kafka.max_message_bytes,
            consumer_metadata_max_age_ms=round(settings.kafka.metadata_max_age_s * 1000),
            stream_buffer_maxsize=settings.kafka.stream_buffer_maxsize,
            stream_wait_empty=True,
            table_standby_replicas=0,
        )
        # Outputs of the batch in hand, per input partition, held until that partition's transaction.
        self._outbox: dict[Partition, list[Record]] = {}
        self.transactions: PartitionTransactions | None = None
        if settings.kafka.exactly_once and transactional:
            self.transactions = PartitionTransactions(
                bootstrap=bootstrap,
                group_id=settings.app_id(service),
                timeout_s=settings.kafka.transaction_timeout_s,
                compression=settings.kafka.compression,
                max_request_bytes=settings.kafka.max_message_bytes,
            )
            manage(self.app, "transactions", stop=self.transactions.close)
        if settings.kafka.exactly_once:
            # On this app's transport alone: Faust reads committed records only under its own exactly-once.
            consumer = TransactionalStageConsumer if self.transactions else ReadCommittedConsumer
            self.app.transport.Consumer = consumer  # type: ignore[misc]
        self.dlq_topic = self.topic(settings.topics.dlq(service))
        self.readiness.add("broker", self._check_broker, cached=True)
        self._expected_topics: list[str] = [settings.topics.dlq(service)]
        self._register_pages()
        self.app.timer(interval=5.0)(self._update_lag)

    # -- topics and messages ------------------------------------------------------------------------
    def topic(self, name: str) -> faust.TopicT:
        return self.app.topic(name, key_type=bytes, value_type=bytes, value_serializer="raw", key_serializer="raw")

    def expect_topics(self, *names: str) -> None:
        self._expected_topics.extend(names)

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
        """Send and wait for the broker's acknowledgement: the caller acks its input only after this.
        Every message carries its schema version and trace id; `headers` adds the caller's own.

        With exactly-once on, an output of a message that `consume_batches` has in hand (`source`) is held
        and goes out in the transaction that commits that message's offset."""
        record_headers = [
            (VERSION_HEADER, str(getattr(message, "schema_version", SCHEMA_VERSION)).encode()),
            (TRACE_HEADER, (trace_id or uuid.uuid4().hex).encode()),
            *headers,
        ]
        outbox = self._outbox.get(Partition(*source.message.tp)) if source is not None else None
        if outbox is not None:
            outbox.append(Record(topic.get_topic_name(), key.encode(), dumps(message), tuple(record_headers)))
            return
        pending = await topic.send(key=key.encode(), value=dumps(message), headers=record_headers)
        await pending
        self.metrics.messages_out.labels(topic.get_topic_name()).inc()

    def holds_outputs_of(self, source: faust.EventT[Any] | None) -> bool:
        """Whether an output of `source` waits for its partition's transaction rather than going out now."""
        return source is not None and Partition(*source.message.tp) in self._outbox

    async def consume_batches(
        self,
        stream: Any,
        size: int,
        within: float,
        handle: Callable[[list[faust.EventT[Any]]], Awaitable[BatchResults]],
        *,
        max_retry_delay_s: float = 30.0,
    ) -> None:
        """Hand `stream`'s messages to `handle` in batches and acknowledge a batch only once it returned.

        `handle` returns one result per message, in order (see `BatchResults`), so that one bad message is
        dead-lettered and the others of its batch go on; an exception it raises fails the whole batch.

        Faust's `take_events` acknowledges a batch whenever its consumer leaves it: on an exception, and on
        the cancellation of a SIGTERM'd worker too. Those offsets are then committed, and the messages not yet
        handled are lost (the chaos harness lost 3 articles in 300 so). Here a batch that fails is retried
        in place (handlers are idempotent, and bad messages come back as `Unprocessable`, so what fails a
        batch is the broker or the network), and one interrupted by a stop stays unacknowledged: the
        partition's next owner reads it again."""

        transactions = self.transactions
        if transactions is not None:
            await self._consume_batches_in_transactions(stream, size, within, handle, transactions, max_retry_delay_s)
            return

        async def handle_and_settle(events: list[faust.EventT[Any]]) -> None:
            await self._handle_and_settle(handle, events)

        async for batch in stream.noack_take(size, within=within):
            events = list(batch)
            await self._until_handled(handle_and_settle, events, f"batch of {len(events)}", "batch", max_retry_delay_s)
            for event in events:
                await stream.ack(event)

    async def _handle_and_settle(
        self, handle: Callable[[list[faust.EventT[Any]]], Awaitable[BatchResults]], events: list[faust.EventT[Any]]
    ) -> None:
        results = await handle(events)
        if results is None:
            results = [None] * len(events)
        for result in results:  # the batch is tried again before any of its outcomes counts
            if isinstance(result, BaseException) and not isinstance(result, PermanentError):
                raise result
        for event, result in zip(events, results, strict=True):
            await self._settle(event, result)

    async def _consume_batches_in_transactions(
        self,
        stream: Any,
        size: int,
        within: float,
        handle: Callable[[list[faust.EventT[Any]]], Awaitable[BatchResults]],
        transactions: PartitionTransactions,
        max_retry_delay_s: float,
    ) -> None:
        """`consume_batches` with each input partition's share of a batch (outputs, dead letters, offset)
        committed in one transaction. A partition committed leaves the batch; what a retry hands `handle`
        again is only what is not committed yet. A partition fenced by its new owner leaves it unacknowledged:
        the new owner codes it."""

        async def handle_and_commit(pending: list[faust.EventT[Any]]) -> None:
            by_partition: dict[Partition, list[faust.EventT[Any]]] = {}
            for event in pending:
                by_partition.setdefault(Partition(*event.message.tp), []).append(event)
            for partition in by_partition:
                self._outbox[partition] = []
            try:
                await self._handle_and_settle(handle, list(pending))  # dead letters land in the outbox too
                owned = self._owned_partitions()
                await transactions.keep_only(owned)
                for partition, events in by_partition.items():
                    if partition in owned:
                        records = self._outbox[partition]
                        try:
                            await transactions.commit(partition, records, max(e.message.offset for e in events) + 1)
                        except PartitionFenced as exc:
                            if partition in self._owned_partitions():
                                raise  # still ours: the retry opens a fresh producer, which fences the stale one
                            log.warning("%s; leaving %d messages to the new owner", exc, len(events))
                        else:
                            for record in records:
                                self.metrics.messages_out.labels(record.topic).inc()
                            for event in events:
                                await stream.ack(event)
                    else:
                        log.info(
                            "partition %s:%d was revoked; its new owner codes %d messages", *partition, len(events)
                        )
                    pending[:] = [event for event in pending if Partition(*event.message.tp) != partition]
            finally:
                for partition in by_partition:
                    self._outbox.pop(partition, None)

        async for batch in stream.noack_take(size, within=within):
            pending = list(batch)
            await self._until_handled(
                handle_and_commit, pending, f"batch of {len(pending)}", "batch", max_retry_delay_s
            )

    async def consume_concurrently(
        self,
        stream: Any,
        limit: int,
        handle: Callable[[faust.EventT[Any]], Awaitable[Outcome | None]],
        *,
        max_retry_delay_s: float = 30.0,
    ) -> None:
        """Hand each of `stream`'s messages to `handle` as soon as fewer than `limit` are in hand, and
        acknowledge them in their partition's order, each once it and every message before it returned.
        A message `handle` finds `Unprocessable` is dead-lettered, and counts as returned.

        A batch waits for its slowest message. The fetcher's queue comes feed by feed, so a batch is mostly
        one host's pages, fetched one per politeness delay while the other hosts wait: 963 pages in ten
        minutes from ten hosts in benchmarks/backlog.py. Here the messages in hand wait on their own host,
        and the others go ahead. Their acknowledgements do not: Faust (0.15.3) commits past a message still
        in hand when later ones of its partition are acknowledged first (`Consumer._new_offset` skips the
        first unacknowledged offset, and checks nothing before the partition's first commit; see
        `benchmarks/faust_out_of_order_ack.py`), and a stop then loses it. A message whose call fails is
        retried in place, as a batch is in `consume_batches`; a stop leaves every message not yet
        acknowledged to the partition's next owner (handlers are idempotent, so a handled one costs a skip).
        """
        if self.transactions is not None:
            raise TypeError("a transactional stage consumes through consume_batches: Faust commits nothing for it")
        room = asyncio.Semaphore(limit)
        running: set[asyncio.Task[None]] = set()
        in_hand: dict[Any, collections.deque[list[Any]]] = collections.defaultdict(collections.deque)

        async def handle_and_settle(event: faust.EventT[Any]) -> None:
            try:
                result: Outcome | BaseException | None = await handle(event)
            except PermanentError as exc:
                result = exc
            await self._settle(event, result)

        async def handle_and_ack(slot: list[Any], partition: Any) -> None:
            try:
                await self._until_handled(handle_and_settle, slot[0], "message", "message", max_retry_delay_s)
                slot[1] = True
                queue, ready = in_hand[partition], []
                while queue and queue[0][1]:  # taken off before any await: no other task acks them too
                    ready.append(queue.popleft()[0])
                for event in ready:
                    await stream.ack(event)
            finally:
                room.release()

        try:
            async for batch in stream.noack_take(limit, within=0.05):
                for event in batch:
                    await room.acquire()
                    partition = event.message.tp
                    slot = [event, False]  # the event, and whether its call has returned
                    in_hand[partition].append(slot)
                    task = asyncio.create_task(handle_and_ack(slot, partition))
                    running.add(task)
                    task.add_done_callback(running.discard)
        finally:
            for task in running:
                task.cancel()
            await asyncio.gather(*running, return_exceptions=True)

    def _owned_partitions(self) -> set[Partition]:
        return {Partition(*tp) for tp in self.app.consumer.assignment()}

    async def _settle(self, event: faust.EventT[Any], result: Outcome | BaseException | None) -> None:
        """The one place a consumed message's outcome is counted: a permanent failure is dead-lettered
        (under the ratio limit; one not wrapped in `Unprocessable` under the stage "handle"), a handled
        message counts once, a skipped one not at all."""
        if isinstance(result, DeadLetterRateExceeded):
            raise result  # the service is stopping: this is no verdict on the message
        if isinstance(result, PermanentError):
            failure = result if isinstance(result, Unprocessable) else Unprocessable("handle", result)
            await self.dead_letter(
                stage=failure.stage,
                error=failure.cause,
                payload=event.value if isinstance(event.value, bytes) else None,
                key=event.key,
                event=event,
                attempts=failure.attempts,
                trace_id=header_value(event.message.headers, TRACE_HEADER),
            )
            if failure.then is not None:
                await failure.then()
        elif isinstance(result, BaseException):
            raise result
        elif result is not Outcome.SKIPPED:
            self.record_outcome(failed=False)

    async def _until_handled(
        self, handle: Callable[[_T], Awaitable[None]], arg: _T, what: str, stage: str, max_delay: float
    ) -> None:
        """Call `handle(arg)` until it returns: bad messages are dead-lettered on the way, so what fails a
        call is the broker or the network, and backing off is the answer."""
        delay = 1.0
        while True:
            try:
                await handle(arg)
                return
            except Exception as exc:
                log.warning("%s failed (%s: %s); retrying in %.0fs", what, type(exc).__name__, exc, delay)
                self.metrics.retries.labels(stage).inc()
                await asyncio.sleep(delay)
                delay = min(max_delay, delay * 2)

    async def dead_letter(
        self,
        *,
        stage: str,
        error: BaseException | str,
        payload: bytes | None,
        key: bytes | str | None = None,
        event: faust.EventT[Any] | None = None,
        attempts: int = 1,
        trace_id: str | None = None,
    ) -> None:
        """Park a message on `<service>.dlq` and count it; crash the service if failures dominate.

        Consumed messages get here through `_settle` alone; the fetcher's feed poller, whose failures are
        feeds rather than messages, calls it directly under its own streak policy."""
        message = event.message if event is not None else None
        record = dead_letter(
            stage=stage,
            error=error,
            payload=payload,
            key=key,
            source_topic=message.topic if message else None,
            source_partition=message.partition if message else None,
            source_offset=message.offset if message else None,
            attempts=attempts,
        )
        log.warning("dead letter (%s): %s: %s", stage, record.error_class, record.error_message)
        dlq_key = record.key or f"{record.source_topic}:{record.source_partition}:{record.source_offset}"
        await self.publish(self.dlq_topic, dlq_key, record, trace_id, source=event)
        self.metrics.dead_letters.labels(stage).inc()
        self.metrics.errors.labels(stage, record.error_class).inc()
        self.record_outcome(failed=True)

    def record_outcome(self, failed: bool) -> None:
        try:
            self.failures.record(failed)
        except DeadLetterRateExceeded as exc:
            log.critical("%s", exc)
            self.app._crash(exc)
            raise

    async def _update_lag(self) -> None:
        """Messages behind the end of each consumed partition (Faust's own changelogs left out)."""
        consumer = self.app.consumer
        for tp in consumer.assignment():
            if tp.topic.endswith("-changelog") or "__assignor" in tp.topic:
                continue
            highwater = consumer.highwater(tp)
            position = await consumer.position(tp)
            if highwater is not None and highwater >= 0 and position is not None:
                self.metrics.lag.labels(tp.topic, str(tp.partition)).set(max(0, highwater - position))

    # -- health ---------------------------------------------------------------------------------------
    async def _check_broker(self) -> str | None:
        missing = await missing_topics(self.settings.bootstrap(), self._expected_topics)
        if missing:
            return f"topics missing: {', '.join(missing)}"
        return None

    def _register_pages(self) -> None:
        runtime = self

        @self.app.page("/healthz")
        async def healthz(view: View, request: Request) -> Response:
            reason = runtime.progress.stall_reason(runtime.settings.stall_timeout_s)
            body = {
                "service": runtime.service,
                "status": "stalled" if reason else "ok",
                "reason": reason,
                "inflight": runtime.progress.inflight,
                "completed": runtime.progress.completed,
            }
            return view.bytes(orjson.dumps(body), content_type="application/json", status=503 if reason else 200)

        @self.app.page("/readyz")
        async def readyz(view: View, request: Request) -> Response:
            results = await runtime.readiness.evaluate()
            ready = all(reason is None for reason in results.values())
            body = {"service": runtime.service, "ready": ready, "checks": results}
            return view.bytes(orjson.dumps(body), content_type="application/json", status=200 if ready else 503)

        @self.app.page("/metrics")
        async def metrics(view: View, request: Request) -> Response:
            # aiohttp refuses a charset inside content_type; the exposition format is UTF-8 by definition.
            content_type = CONTENT_TYPE_LATEST.split("; charset")[0]
            return view.bytes(generate_latest(runtime.metrics.registry), content_type=content_type)


def build_worker(app: faust.App, loglevel: str = "info") -> faust.Worker:
    """A Worker owns the event loop and turns SIGTERM/SIGINT into a graceful stop (offsets committed)."""
    return faust.Worker(app, loglevel=loglevel, quiet=True, redirect_stdouts=False)

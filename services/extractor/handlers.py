"""Extractor handlers: a micro-batch of `articles.clean` in; `events` and `articles.enriched` out.

Inference runs in a single worker thread (torch releases the GIL), so the event loop keeps consuming,
heart-beating and answering probes while the encoder works.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import faust

from ..common.health import Flag
from ..common.models import CleanArticle
from ..common.runtime import TRACE_HEADER, BatchResults, ServiceRuntime, header_value
from ..common.serde import PoisonMessage, loads
from ..errors import Unprocessable
from .pipeline import ArticleInput, ArticleResult, EventExtractor
from .settings import ExtractorOptions

log = logging.getLogger(__name__)


def article_input(article: CleanArticle) -> ArticleInput:
    return ArticleInput(
        article_id=article.article_id,
        text="" if article.empty else article.text,
        published_at=article.published_at,
        url=article.url,
        title=article.title,
        language=article.language,
        duplicate_of=article.duplicate_of,
        outlet=article.source_domain,
    )


class ExtractorHandler:
    def __init__(
        self,
        runtime: ServiceRuntime,
        load_extractor: Callable[[], EventExtractor],
        events_topic: faust.TopicT,
        enriched_topic: faust.TopicT,
        options: ExtractorOptions,
    ) -> None:
        self.runtime = runtime
        self._load_extractor = load_extractor
        self.events_topic = events_topic
        self.enriched_topic = enriched_topic
        self.options = options
        self.model_ready = Flag("model loading")
        self._extractor: EventExtractor | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="inference")

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            self._extractor = await loop.run_in_executor(self._executor, self._load_extractor)
        except Exception as exc:
            self.model_ready.fail(f"model failed to load: {type(exc).__name__}: {exc}")
            raise
        self.model_ready.set()

    async def stop(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)

    async def extractor(self) -> EventExtractor:
        while self._extractor is None:
            if self.model_ready.reason and self.model_ready.reason.startswith("model failed"):
                raise RuntimeError(self.model_ready.reason)
            await asyncio.sleep(0.1)
        return self._extractor

    async def handle_batch(self, events: Sequence[faust.EventT[Any]]) -> BatchResults:
        """One result per message: a message that does not decode, or breaks the model, comes back as its
        `Unprocessable` for the runtime to dead-letter; the rest of the batch is coded and published."""
        runtime = self.runtime
        runtime.metrics.batch_size.labels("extract").observe(len(events))
        results: list[Unprocessable | None] = [None] * len(events)
        with runtime.progress.track():
            decoded: list[tuple[int, faust.EventT[Any], CleanArticle]] = []
            for position, event in enumerate(events):
                runtime.metrics.messages_in.labels(event.message.topic).inc()
                payload = event.value if isinstance(event.value, bytes) else None
                try:
                    decoded.append((position, event, loads(CleanArticle, payload)))
                except PoisonMessage as exc:
                    results[position] = Unprocessable("decode", exc)
            if not decoded:
                return results
            skip = {
                article.article_id
                for _, _, article in decoded
                if article.duplicate_of and not self.options.recode_duplicates
            }
            inputs = [
                ArticleInput(article_id=a.article_id, text="", url=a.url, title=a.title, duplicate_of=a.duplicate_of)
                if a.article_id in skip
                else article_input(a)
                for _, _, a in decoded
            ]
            extracted = await self._extract_isolating_failures(inputs)
            for (position, event, _), result in zip(decoded, extracted, strict=True):
                if isinstance(result, Unprocessable):
                    results[position] = result
                    continue
                trace_id = header_value(event.message.headers, TRACE_HEADER)
                for coded in result.events:
                    await runtime.publish(self.events_topic, coded.event_id, coded, trace_id, source=event)
                await runtime.publish(
                    self.enriched_topic, result.enriched.article_id, result.enriched, trace_id, source=event
                )
        return results

    async def _extract_isolating_failures(self, inputs: Sequence[ArticleInput]) -> list[ArticleResult | Unprocessable]:
        """Code the batch in one pass; if that fails, code articles one by one so that only the article
        that breaks the model is dead-lettered."""
        extractor = await self.extractor()
        loop = asyncio.get_running_loop()
        with self.runtime.metrics.timed("extract"):
            try:
                batch = await loop.run_in_executor(self._executor, extractor.extract, list(inputs))
                return list(batch)
            except Exception:
                if len(inputs) == 1:
                    log.exception("extraction failed for one article")
                else:
                    log.exception("batch extraction failed; retrying article by article")
        results: list[ArticleResult | Unprocessable] = []
        for single in inputs:
            try:
                results.extend(await loop.run_in_executor(self._executor, extractor.extract, [single]))
            except Exception as exc:
                results.append(Unprocessable("extract", exc))
        return results

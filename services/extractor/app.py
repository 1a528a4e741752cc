"""Extractor app factory: `articles.clean` -> `events` + `articles.enriched`, failures to `extractor.dlq`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..common.resources import manage
from ..common.runtime import ServiceRuntime
from ..common.services import default_port
from .assembly.outlets import OutletLexicon
from .handlers import ExtractorHandler
from .pipeline import EventExtractor
from .settings import ExtractorOptions, ExtractorSettings

DEFAULT_PORT = default_port("extractor")


def load_extractor(options: ExtractorOptions) -> EventExtractor:
    """Everything slow happens here, once, before the service reports ready: model and gazetteer."""
    from .analyzer import SentenceAnalyzer
    from .gazetteer_cache import load_gazetteer

    gazetteer = load_gazetteer(options.gazetteer_min_population, options.gazetteer_cache_dir)

    analyzer = SentenceAnalyzer(
        encoder=options.encoder,
        models_dir=options.models_dir,
        device=options.device,
        batch_size=options.batch_sentences,
        event_threshold=options.event_threshold,
        backend=options.backend,
        onnx_path=options.onnx_path,
        blas_threads=options.blas_threads,
        torch_threads=options.torch_threads,
        onnx_threads=options.onnx_threads,
        precision=options.precision,
    )
    outlets = None
    if options.outlet_prior:
        outlets = OutletLexicon(memory=options.outlet_memory, max_outlets=options.outlet_max)
    return EventExtractor(analyzer, gazetteer, outlets)


def create_app(
    settings: ExtractorSettings, extractor_factory: Callable[[], EventExtractor] | None = None
) -> ServiceRuntime:
    runtime = ServiceRuntime("extractor", settings, DEFAULT_PORT, transactional=True)
    options = settings.extractor
    clean_topic = runtime.topic(settings.topics.clean)
    events_topic = runtime.topic(settings.topics.events)
    enriched_topic = runtime.topic(settings.topics.enriched)
    runtime.expect_topics(settings.topics.clean, settings.topics.events, settings.topics.enriched)
    handler = ExtractorHandler(
        runtime,
        extractor_factory or (lambda: load_extractor(options)),
        events_topic,
        enriched_topic,
        options,
    )
    runtime.readiness.add("model", handler.model_ready.check)
    manage(runtime.app, "event-extractor", start=handler.start, stop=handler.stop)

    @runtime.app.agent(clean_topic, name="extract-events")
    async def extract_events(stream: Any) -> None:
        await runtime.consume_batches(stream, options.batch_articles, options.batch_wait_s, handler.handle_batch)

    return runtime

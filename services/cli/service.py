"""`newswire fetcher|cleaner|extractor|correlator`: one service as a Faust worker."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..common.services import SERVICE_NAMES, service
from ..common.settings import ServiceSettings

if TYPE_CHECKING:
    from ..common.runtime import ServiceRuntime


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    for name in SERVICE_NAMES:
        sub.add_parser(name, help=f"run the {name} service (Faust worker)")


def _service_factory(name: str) -> tuple[type[ServiceSettings], Callable[[Any], ServiceRuntime]]:
    """Imported on use: the fetcher need not pay for torch, nor the extractor for feedparser."""
    service(name)  # an unknown name fails with the registry's list of the known ones
    if name == "fetcher":
        from ..fetcher.app import create_app as create_fetcher
        from ..fetcher.settings import FetcherSettings

        return FetcherSettings, create_fetcher
    if name == "cleaner":
        from ..cleaner.app import create_app as create_cleaner
        from ..cleaner.settings import CleanerSettings

        return CleanerSettings, create_cleaner
    if name == "extractor":
        from ..extractor.app import create_app as create_extractor
        from ..extractor.settings import ExtractorSettings

        return ExtractorSettings, create_extractor
    if name == "correlator":
        from ..correlator.app import create_app as create_correlator
        from ..correlator.settings import CorrelatorSettings

        return CorrelatorSettings, create_correlator
    raise KeyError(f"service {name!r} is registered but the command line cannot start it")


def run_service(name: str) -> int:
    """Create the pipeline's topics, then hand the process to a Faust worker until SIGTERM."""
    from ..common.kafka import ensure_topics, pipeline_topics, wait_for_broker
    from ..common.resources import manage
    from ..common.runtime import build_worker

    settings_class, create_app = _service_factory(name)
    settings = settings_class()
    bootstrap = settings.bootstrap()

    async def prepare_topics() -> None:
        await wait_for_broker(bootstrap)
        await ensure_topics(bootstrap, pipeline_topics(settings))

    asyncio.run(prepare_topics())
    runtime = create_app(settings)
    # Added last, so started last of the app's own resources (after a model that takes seconds to load)
    # and just before Faust's producer and consumer, which exit the worker if the broker is away.
    manage(runtime.app, "broker", start=lambda: wait_for_broker(bootstrap))
    worker = build_worker(runtime.app, settings.log_level)
    worker.execute_from_commandline()
    return 0

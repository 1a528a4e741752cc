"""The pipeline's services, in one place: name, default web port, what each does, and where its factory
and settings live. The command line, topic creation and the AsyncAPI document all read this list, so a
fifth service is added here once. Only names are held, never imports: `common` must not import the
services (they import it)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Service:
    name: str
    port: int  # default web port (/healthz, /readyz, /metrics); NEWSWIRE_WEB__PORT overrides it
    about: str
    settings_class: str  # in newswire.<name>.settings; the factory is newswire.<name>.app.create_app


SERVICES: tuple[Service, ...] = (
    Service("fetcher", 6061, "polls the feeds, queues article URLs and fetches the pages", "FetcherSettings"),
    Service("cleaner", 6062, "extracts text and metadata from the pages and marks near-duplicates", "CleanerSettings"),
    Service("extractor", 6063, "codes events, places and dates from the clean text", "ExtractorSettings"),
    Service(
        "correlator",
        6064,
        "groups events from different articles into incidents, one per real-world occurrence",
        "CorrelatorSettings",
    ),
)
SERVICE_NAMES: tuple[str, ...] = tuple(service.name for service in SERVICES)


def service(name: str) -> Service:
    for known in SERVICES:
        if known.name == name:
            return known
    raise KeyError(f"no service {name!r}; known: {', '.join(SERVICE_NAMES)}")


def default_port(name: str) -> int:
    return service(name).port

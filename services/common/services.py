"""The pipeline's services, in one place: name, default web port and what each does. The command line,
topic creation and the AsyncAPI document all read this list, so a fifth service is added here once (and
its factory in `cli/service.py`). Only names are held, never imports: `common` must not import the
services (they import it)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Service:
    name: str
    port: int  # default web port (/healthz, /readyz, /metrics); NEWSWIRE_WEB__PORT overrides it
    about: str


SERVICES: tuple[Service, ...] = (
    Service("fetcher", 6061, "polls the feeds, queues article URLs and fetches the pages"),
    Service("cleaner", 6062, "extracts text and metadata from the pages and marks near-duplicates"),
    Service("extractor", 6063, "codes events, places and dates from the clean text"),
    Service("correlator", 6064, "groups events from different articles into incidents, one per real-world occurrence"),
)
SERVICE_NAMES: tuple[str, ...] = tuple(service.name for service in SERVICES)


def service(name: str) -> Service:
    for known in SERVICES:
        if known.name == name:
            return known
    raise KeyError(f"no service {name!r}; known: {', '.join(SERVICE_NAMES)}")


def default_port(name: str) -> int:
    return service(name).port

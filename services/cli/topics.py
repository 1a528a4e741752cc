"""`newswire topics`: the pipeline's topics, listed or created."""

from __future__ import annotations

import argparse
import asyncio

from ..common.settings import ServiceSettings
from .broker import client_bootstrap


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    topics = sub.add_parser("topics", help="create the pipeline's topics (idempotent), or list them")
    topics.add_argument("action", choices=("create", "list"))


def cmd_topics(args: argparse.Namespace) -> int:
    from ..common.kafka import ensure_topics, pipeline_topics

    settings = ServiceSettings()
    specs = pipeline_topics(settings)
    if args.action == "list":
        for spec in specs:
            print(f"{spec.name}\tpartitions={spec.partitions}\treplication={spec.replication_factor}")
        return 0
    created = asyncio.run(ensure_topics(client_bootstrap(settings), specs))
    print(f"created {len(created)} topic(s): {', '.join(created) or '-'}")
    return 0

"""The `newswire` command: run a service, the whole pipeline, or code articles without Kafka."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence

from ..common.services import SERVICE_NAMES
from ..common.settings import ServiceSettings
from . import broker, demo, documents, export_onnx, feeds, schemas, service, tail, topics, train, up
from .delegated import DelegatedCommand

# Commands with parsers of their own get their arguments untouched (so that their --help works).
DELEGATED: dict[str, DelegatedCommand] = {
    "feeds": feeds.COMMAND,
    "train": train.COMMAND,
    "export-onnx": export_onnx.COMMAND,
    "demo-site": demo.COMMAND,
}


def _configure_logging(level: str) -> None:
    logging.basicConfig(
        level=getattr(logging, level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # The Kafka client narrates every metadata refresh at INFO; keep it for --log-level debug.
    if logging.getLogger().level > logging.DEBUG:
        logging.getLogger("aiokafka").setLevel(logging.WARNING)
        logging.getLogger("httpx").setLevel(logging.WARNING)  # one INFO line per request


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newswire", description=__doc__)
    parser.add_argument("--log-level", default=None, help="debug, info, warning (default: settings)")
    sub = parser.add_subparsers(dest="command", required=True)
    # The order of `newswire --help`: services, the pipeline, Kafka-free commands, Kafka tools, delegated ones.
    service.add_parsers(sub)
    up.add_parser(sub)
    documents.add_parsers(sub)
    tail.add_parser(sub)
    broker.add_parser(sub)
    topics.add_parser(sub)
    schemas.add_parser(sub)
    for name, command in DELEGATED.items():
        sub.add_parser(name, help=command.help, add_help=False)  # listed in --help; parsed by their own main
    return parser


HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "up": up.cmd_up,
    "extract": documents.cmd_extract,
    "clean": documents.cmd_clean,
    "tail": tail.cmd_tail,
    "broker": broker.cmd_broker,
    "schemas": schemas.cmd_schemas,
    "topics": topics.cmd_topics,
}


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments and arguments[0] in DELEGATED:
        delegated = DELEGATED[arguments[0]]
        _configure_logging(delegated.log_level or ServiceSettings().log_level)
        return delegated.run(arguments[1:])
    args = build_parser().parse_args(arguments)
    quiet_up = args.command == "up" and not args.verbose and not args.log_level
    # `up` speaks in its own one-line steps; its INFO logging would interleave with the events.
    _configure_logging("WARNING" if quiet_up else args.log_level or ServiceSettings().log_level)
    command: str = args.command
    if command in SERVICE_NAMES:
        return service.run_service(command)
    try:
        return HANDLERS[command](args)
    except (RuntimeError, OSError) as exc:
        print(f"newswire {command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130

"""`newswire broker`: the local Kafka broker for development, and finding it for the other commands."""

from __future__ import annotations

import argparse
import sys

import orjson

from ..common.settings import ServiceSettings


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    broker = sub.add_parser("broker", help="start, stop or inspect the local Kafka broker")
    broker.add_argument("action", choices=("start", "stop", "status"))


def client_bootstrap(settings: ServiceSettings) -> str:
    """Commands that only read or write topics also find a broker started by `newswire broker start`."""
    if settings.kafka.bootstrap_servers:
        return settings.kafka.bootstrap_servers
    from ..devtools import broker

    status = broker.read_status(settings.data_dir / "kafka")
    if status.get("running") and status.get("bootstrap"):
        return str(status["bootstrap"])
    return settings.bootstrap()  # raises the explanatory error


def cmd_broker(args: argparse.Namespace) -> int:
    from ..devtools import broker

    data_dir = ServiceSettings().data_dir / "kafka"
    if args.action == "start":
        bootstrap = broker.start_detached(data_dir)
        print(bootstrap)
        print(f"export NEWSWIRE_KAFKA__BOOTSTRAP_SERVERS={bootstrap}", file=sys.stderr)
        return 0
    if args.action == "stop":
        stopped = broker.stop_detached(data_dir)
        print("stopped" if stopped else "not running")
        return 0
    status = broker.read_status(data_dir)
    print(orjson.dumps(status, option=orjson.OPT_INDENT_2).decode())
    return 0 if status.get("running") else 1

"""`newswire up`: the whole pipeline in one terminal, with a local broker when none is configured."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from ..common.processes import terminate_all
from ..common.services import SERVICE_NAMES, default_port
from ..common.settings import ServiceSettings
from .tail import event_summary, follow


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    up = sub.add_parser("up", help="run the whole pipeline; starts a local broker when none is configured")
    up.add_argument("--demo", action="store_true", help="serve the bundled demo site and poll its feed")
    up.add_argument("--duration", type=float, default=None, help="stop after this many seconds")
    up.add_argument("--max-events", type=int, default=None, help="stop after this many events")
    up.add_argument("--json", action="store_true", help="print events as JSON instead of one-line summaries")
    up.add_argument("--verbose", action="store_true", help="service logs on the terminal (default: files in the run)")


def cmd_up(args: argparse.Namespace) -> int:
    from ..common.kafka import ensure_topics, pipeline_topics

    settings = ServiceSettings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.pop("NEWSWIRE_WEB__PORT", None)  # one port for three services would collide: each uses its default
    broker = None
    demo = None
    children: list[subprocess.Popen[bytes]] = []
    stopping = False

    def request_stop(signum: int, frame: Any) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    try:
        bootstrap = settings.kafka.bootstrap_servers
        if not bootstrap:
            from ..devtools.broker import LocalBroker, read_status

            running = read_status(settings.data_dir / "kafka")
            if running["running"] and running["bootstrap"]:
                bootstrap = running["bootstrap"]  # started by `newswire broker start`: reuse, leave running
            else:
                # The demo gets a throw-away broker: with the seen-table and the fingerprints of an earlier
                # run, a second demo would code nothing (already fetched, or "syndicated copies").
                broker_dir = (
                    Path(tempfile.mkdtemp(prefix="kafka-demo-", dir=settings.data_dir))
                    if args.demo
                    else settings.data_dir / "kafka"
                )
                print("newswire: starting the local Kafka broker ...", file=sys.stderr, flush=True)
                broker = LocalBroker(broker_dir)
                bootstrap = broker.start()
            print(f"newswire: broker at {bootstrap}", file=sys.stderr, flush=True)
        env["NEWSWIRE_KAFKA__BOOTSTRAP_SERVERS"] = bootstrap
        settings = settings.model_copy(
            update={"kafka": settings.kafka.model_copy(update={"bootstrap_servers": bootstrap})}
        )
        topics = pipeline_topics(settings)
        created = asyncio.run(ensure_topics(bootstrap, topics))
        print(f"newswire: {len(topics)} topics ready ({len(created)} created)", file=sys.stderr, flush=True)
        if args.demo:
            from ..demo.server import DemoSite, demo_feeds_yaml

            demo = DemoSite()
            base_url = demo.start()
            feeds_file = settings.data_dir / "demo-feeds.yaml"
            feeds_file.write_text(demo_feeds_yaml(base_url), encoding="utf-8")
            env["NEWSWIRE_FETCHER__FEEDS_FILE"] = str(feeds_file)
            env.setdefault("NEWSWIRE_FETCHER__POLICY__ALLOW_PRIVATE", '["127.0.0.1/32"]')
            print(f"newswire: demo site at {base_url}", file=sys.stderr, flush=True)

        # Faust's INFO lines would bury the events: service logs go to files unless --verbose.
        log_dir = settings.data_dir / "runs" / datetime.now().strftime("%Y%m%d-%H%M%S")
        log_files: dict[str, Path] = {}

        def start_services() -> None:
            started = time.monotonic()
            for name in SERVICE_NAMES:
                command = [sys.executable, "-m", "newswire", name]
                if args.verbose:
                    children.append(subprocess.Popen(command, env=env))
                    continue
                log_dir.mkdir(parents=True, exist_ok=True)
                log_files[name] = log_dir / f"{name}.log"
                with log_files[name].open("ab") as log_file:
                    children.append(subprocess.Popen(command, env=env, stdout=log_file, stderr=subprocess.STDOUT))
            if log_files:
                print(f"newswire: service logs in {log_dir} (--verbose shows them here)", file=sys.stderr, flush=True)
            ports = {name: default_port(name) for name in SERVICE_NAMES}
            threading.Thread(
                target=_announce_ready, args=(settings.web.host, ports, started), daemon=True, name="ready"
            ).start()
            print("newswire: pipeline starting; events follow (Ctrl-C stops)", file=sys.stderr, flush=True)
            map_url = f"http://{settings.web.host}:{ports['correlator']}/map/"
            print(f"newswire: incidents on a live map at {map_url}", file=sys.stderr, flush=True)

        deadline = time.monotonic() + args.duration if args.duration else None
        asyncio.run(
            follow(
                bootstrap,
                settings.topics.events,
                from_beginning=False,
                max_messages=args.max_events,
                should_stop=lambda: (
                    stopping
                    or (deadline is not None and time.monotonic() > deadline)
                    or any(child.poll() is not None for child in children)
                ),
                out=sys.stdout,
                summary=None if args.json else event_summary,
                on_ready=start_services,
            )
        )
        failed = [name for name, child in zip(SERVICE_NAMES, children, strict=False) if child.poll() not in (None, 0)]
        if failed:
            print(f"newswire: service(s) exited early: {', '.join(failed)}", file=sys.stderr)
            for name in failed:
                if name in log_files:
                    tail = log_files[name].read_text(encoding="utf-8", errors="replace").splitlines()[-20:]
                    print(f"--- last lines of {log_files[name]}", *tail, sep="\n", file=sys.stderr)
            return 1
        return 0
    finally:
        terminate_all(children)
        if demo is not None:
            demo.stop()
        if broker is not None:
            broker.stop()
            if args.demo:
                shutil.rmtree(broker.data_dir, ignore_errors=True)


def _announce_ready(host: str, ports: dict[str, int], started: float, timeout_s: float = 300.0) -> None:
    """One line once every service's /readyz says ready (or which are not, at the timeout)."""
    import httpx

    waiting = dict(ports)
    deadline = time.monotonic() + timeout_s
    with httpx.Client(timeout=2.0, trust_env=False) as client:
        while waiting and time.monotonic() < deadline:
            for name, port in list(waiting.items()):
                with contextlib.suppress(httpx.HTTPError):
                    if client.get(f"http://{host}:{port}/readyz").status_code == 200:
                        del waiting[name]
            time.sleep(0.5)
    if waiting:
        print(f"newswire: not ready after {timeout_s:.0f}s: {', '.join(waiting)}", file=sys.stderr, flush=True)
    else:
        elapsed = time.monotonic() - started
        print(f"newswire: {', '.join(ports)} ready ({elapsed:.0f}s)", file=sys.stderr, flush=True)

"""The `newswire` command: run a service, the whole pipeline, or code articles without Kafka."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gzip
import importlib
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import orjson

from .ids import stable_id
from .processes import terminate_all
from .services import SERVICE_NAMES, default_port, service
from .settings import ServiceSettings

if TYPE_CHECKING:
    from .runtime import ServiceRuntime

log = logging.getLogger("newswire")


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


# -- services ------------------------------------------------------------------------------------------


def _service_factory(name: str) -> tuple[type[ServiceSettings], Callable[[Any], ServiceRuntime]]:
    """Imported lazily: the fetcher need not pay for torch, nor the extractor for feedparser."""
    settings_module = importlib.import_module(f"..{name}.settings", __package__)
    app_module = importlib.import_module(f"..{name}.app", __package__)
    settings_class: type[ServiceSettings] = getattr(settings_module, service(name).settings_class)
    create_app: Callable[[Any], ServiceRuntime] = app_module.create_app
    return settings_class, create_app


def run_service(name: str) -> int:
    """Create the pipeline's topics, then hand the process to a Faust worker until SIGTERM."""
    from .kafka import ensure_topics, pipeline_topics, wait_for_broker
    from .resources import manage
    from .runtime import build_worker

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


# -- up: the whole pipeline ----------------------------------------------------------------------------


def cmd_up(args: argparse.Namespace) -> int:
    from .kafka import ensure_topics, pipeline_topics

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
            _follow(
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
                summary=None if args.json else _event_summary,
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


def _event_summary(event: dict[str, Any]) -> str:
    parts = [event.get("event_type", "?")]
    if event.get("modality") not in (None, "asserted"):
        parts.append(f"({event['modality']})")
    actor, target = event.get("actor"), event.get("target")
    if actor:
        parts.append(f"actor={actor['name']}")
    if target:
        parts.append(f"target={target['name']}")
    location = event.get("location")
    if location:
        parts.append(
            f"where={location['name']}" + (f"/{location['country_code']}" if location.get("country_code") else "")
        )
    when = event.get("event_date")
    if when:
        parts.append(f"when={when['date']}")
    for kind, count in (event.get("counts") or {}).items():
        if count:
            parts.append(f"{kind}={count['value']}")
    evidence = event.get("evidence") or [{}]
    sentence = str(evidence[0].get("sentence", ""))
    return " ".join(parts) + f' | "{sentence[:100]}"'


def _incident_summary(incident: dict[str, Any]) -> str:
    """One line per incident state: what, where, when, tolls with their spread, and how many sources."""
    parts = [incident.get("event_type", "?")]
    if incident.get("sub_event_type"):
        parts[0] += f"/{incident['sub_event_type']}"
    place = incident.get("place")
    if place:
        parts.append(f"where={place['name']}" + (f"/{place['country_code']}" if place.get("country_code") else ""))
    when = incident.get("date")
    if when:
        parts.append(f"when={when['date']}")
    for kind, count in (incident.get("counts") or {}).items():
        if count:
            spread = f"({count['low']}-{count['high']})" if count["low"] != count["high"] else ""
            parts.append(f"{kind}={count['value']}{spread}")
    sources = int(incident.get("sources", 0))
    reports = len(incident.get("reports") or [])
    parts.append(f"sources={sources} reports={reports} rev={incident.get('revision', '?')}")
    first = (incident.get("reports") or [{}])[0]
    return (
        f"[{str(incident.get('incident_id', '?'))[:12]}] " + " ".join(parts) + f' | "{first.get("evidence", "")[:90]}"'
    )


async def _follow(
    bootstrap: str,
    topic: str,
    *,
    from_beginning: bool,
    max_messages: int | None,
    should_stop: Any,
    out: IO[str],
    summary: Callable[[dict[str, Any]], str] | None = None,
    idle_timeout: float | None = None,
    on_ready: Callable[[], None] | None = None,
) -> int:
    """Print a topic's messages. The start position is fixed before `on_ready` runs, so messages that the
    services started by `on_ready` produce right away are not missed."""
    from aiokafka import AIOKafkaConsumer

    from .kafka import missing_topics

    if await missing_topics(bootstrap, [topic]):
        raise RuntimeError(f"topic {topic!r} does not exist")
    # Without a group, a subscribed consumer is assigned every partition as soon as it starts.
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None)
    await consumer.start()
    partitions = sorted(consumer.assignment())
    if from_beginning:
        await consumer.seek_to_beginning(*partitions)
    else:
        await consumer.seek_to_end(*partitions)
    for partition in partitions:
        await consumer.position(partition)
    if on_ready is not None:
        on_ready()
    seen = 0
    last_message = time.monotonic()
    try:
        while not should_stop():
            batches = await consumer.getmany(timeout_ms=500)
            for records in batches.values():
                for record in records:
                    seen += 1
                    last_message = time.monotonic()
                    text = record.value.decode("utf-8", "replace") if record.value else ""
                    if summary is not None:
                        with contextlib.suppress(orjson.JSONDecodeError, TypeError, KeyError, AttributeError):
                            text = summary(orjson.loads(text))
                    print(text, file=out, flush=True)
                    if max_messages and seen >= max_messages:
                        return seen
            if idle_timeout is not None and time.monotonic() - last_message > idle_timeout:
                break
    finally:
        await consumer.stop()
    return seen


def _client_bootstrap(settings: ServiceSettings) -> str:
    """Commands that only read or write topics also find a broker started by `newswire broker start`."""
    if settings.kafka.bootstrap_servers:
        return settings.kafka.bootstrap_servers
    from ..devtools import broker

    status = broker.read_status(settings.data_dir / "kafka")
    if status.get("running") and status.get("bootstrap"):
        return str(status["bootstrap"])
    return settings.bootstrap()  # raises the explanatory error


def _summary_for(settings: ServiceSettings, topic: str) -> Callable[[dict[str, Any]], str] | None:
    """Events and incidents print as one-line summaries (topic names are settings, so both are read)."""
    if topic == settings.topics.events:
        return _event_summary
    if topic == settings.topics.incidents:
        return _incident_summary
    return None


def cmd_tail(args: argparse.Namespace) -> int:
    settings = ServiceSettings()
    asyncio.run(
        _follow(
            _client_bootstrap(settings),
            args.topic,
            from_beginning=args.from_beginning,
            max_messages=args.max,
            should_stop=lambda: False,
            out=sys.stdout,
            idle_timeout=args.idle_timeout,
            summary=None if args.json else _summary_for(settings, args.topic),
        )
    )
    return 0


# -- extract / clean without Kafka ---------------------------------------------------------------------


def _read_path(path: Path) -> str:
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    return data.decode("utf-8", "replace")


def _looks_like_html(path: Path, text: str) -> bool:
    name = path.name.removesuffix(".gz")
    return name.endswith((".html", ".htm", ".xhtml")) or text.lstrip()[:200].lower().startswith(("<!doctype", "<html"))


def _inputs(paths: Sequence[str], stdin: IO[str]) -> Iterator[dict[str, Any]]:
    """Each input as {"id", "text" or "html", "url"?, "published"?, "title"?}; `-` reads JSON lines from stdin."""
    for raw_path in paths:
        if raw_path == "-":
            for number, line in enumerate(stdin, 1):
                if not line.strip():
                    continue
                try:
                    item = orjson.loads(line)
                except orjson.JSONDecodeError as exc:
                    raise SystemExit(f"newswire: stdin line {number}: not JSON ({exc})") from exc
                if not isinstance(item, dict) or "id" not in item or not ("text" in item or "html" in item):
                    raise SystemExit(f'newswire: stdin line {number}: needs "id" and "text" or "html"')
                yield item
            continue
        path = Path(raw_path)
        if not path.is_file():
            raise SystemExit(f"newswire: no such file: {raw_path}")
        try:
            content = _read_path(path)
        except (OSError, EOFError, zlib.error) as exc:  # e.g. a .gz that is not gzip
            yield {"id": str(path), "error": f"unreadable: {exc}"}
            continue
        key = "html" if _looks_like_html(path, content) else "text"
        yield {"id": str(path), key: content}


def _parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise SystemExit(f"newswire: not an ISO date: {value!r}") from exc
    if parsed.tzinfo is None:
        from datetime import UTC

        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def cmd_extract(args: argparse.Namespace) -> int:
    from ..cleaner.extract import CleaningError, clean_html
    from ..extractor.app import load_extractor
    from ..extractor.pipeline import ArticleInput
    from ..extractor.settings import ExtractorSettings

    options = ExtractorSettings().extractor
    if args.encoder:
        options = options.model_copy(update={"encoder": args.encoder})
    if args.backend:
        options = options.model_copy(update={"backend": args.backend})
    extractor = load_extractor(options)
    default_published = _parse_date(args.published)
    failures = 0
    for item in _inputs(args.paths, sys.stdin):
        input_id = str(item["id"])
        if "error" in item:
            print(f"newswire: {input_id}: {item['error']}", file=sys.stderr)
            failures += 1
            continue
        published = _parse_date(item.get("published")) or default_published
        title = item.get("title") if isinstance(item.get("title"), str) else None
        text = item.get("text")
        if text is None:
            try:
                cleaned = clean_html(str(item["html"]), url=item.get("url"))
            except CleaningError as exc:
                print(f"newswire: {input_id}: {exc}", file=sys.stderr)
                failures += 1
                continue
            text, title = cleaned.text, cleaned.title or title
            published = published or cleaned.published_at
        article = ArticleInput(
            article_id=stable_id("input", input_id),
            text=str(text),
            published_at=published,
            url=item.get("url"),
            title=title,
        )
        for result in extractor.extract([article]):
            if args.documents:
                view = {
                    "input_id": input_id,
                    "places": [place.model_dump(mode="json") for place in result.enriched.places],
                    "dates": [mention.model_dump(mode="json") for mention in result.enriched.dates],
                    "events": [event.model_dump(mode="json") for event in result.events],
                }
                sys.stdout.write(orjson.dumps(view).decode() + "\n")
                continue
            for event in result.events:
                line = {"input_id": input_id, **event.model_dump(mode="json")}
                sys.stdout.write(orjson.dumps(line).decode() + "\n")
    sys.stdout.flush()
    return 1 if failures else 0


def cmd_clean(args: argparse.Namespace) -> int:
    from ..cleaner.extract import CleaningError, clean_html

    failures = 0
    for item in _inputs(args.paths, sys.stdin):
        input_id = str(item["id"])
        if "error" in item:
            print(orjson.dumps({"id": input_id, "error": item["error"]}).decode())
            failures += 1
            continue
        html = item.get("html", item.get("text", ""))
        try:
            result = clean_html(str(html), url=item.get("url"))
        except CleaningError as exc:
            print(orjson.dumps({"id": input_id, "error": str(exc)}).decode())
            failures += 1
            continue
        line = {
            "id": input_id,
            "title": result.title,
            "authors": list(result.authors),
            "published_at": result.published_at.isoformat() if result.published_at else None,
            "published_source": result.published_source,
            "language": result.language,
            "canonical_url": result.canonical_url,
            "site_name": result.site_name,
            "word_count": result.word_count,
            "empty": result.empty,
            "text": result.text,
            "removed_boilerplate": list(result.removed_boilerplate),
        }
        print(orjson.dumps(line).decode())
    return 1 if failures else 0


# -- broker --------------------------------------------------------------------------------------------


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


def cmd_topics(args: argparse.Namespace) -> int:
    from .kafka import ensure_topics, pipeline_topics

    settings = ServiceSettings()
    specs = pipeline_topics(settings)
    if args.action == "list":
        for spec in specs:
            print(f"{spec.name}\tpartitions={spec.partitions}\treplication={spec.replication_factor}")
        return 0
    created = asyncio.run(ensure_topics(_client_bootstrap(settings), specs))
    print(f"created {len(created)} topic(s): {', '.join(created) or '-'}")
    return 0


def cmd_schemas(args: argparse.Namespace) -> int:
    from .asyncapi import document_drift, export_document, write_document
    from .schemas import REPO_SCHEMAS, export_schemas, schema_drift

    directory = Path(args.dir) if args.dir else REPO_SCHEMAS
    if args.action == "export" and args.output:
        write_document(args.output, ServiceSettings(), directory)
        return 0
    if args.action == "export":
        for path in [*export_schemas(directory), export_document(directory)]:
            print(path)
        return 0
    drift = schema_drift(directory) + document_drift(directory)
    for line in drift:
        print(line)
    return 1 if drift else 0


# -- parser --------------------------------------------------------------------------------------------

# Commands with parsers of their own get their arguments untouched (so that their --help works):
# name -> (module with `main(argv) -> int`, help, log level or None for the settings' level).
DELEGATED: dict[str, tuple[str, str, str | None]] = {
    "feeds": ("..fetcher.cli", "check one feed, or print a running fetcher's feed health", "warning"),
    "train": ("..extractor.training.command", "train the extractor's heads (see models/MODEL_CARD.md)", None),
    "export-onnx": ("..extractor.encoding.export", "export the encoder to ONNX (+ int8) for the onnx backend", None),
    "demo-site": ("..demo.server", "serve the demo site", None),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newswire", description=__doc__)
    parser.add_argument("--log-level", default=None, help="debug, info, warning (default: settings)")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in SERVICE_NAMES:
        sub.add_parser(name, help=f"run the {name} service (Faust worker)")

    up = sub.add_parser("up", help="run the whole pipeline; starts a local broker when none is configured")
    up.add_argument("--demo", action="store_true", help="serve the bundled demo site and poll its feed")
    up.add_argument("--duration", type=float, default=None, help="stop after this many seconds")
    up.add_argument("--max-events", type=int, default=None, help="stop after this many events")
    up.add_argument("--json", action="store_true", help="print events as JSON instead of one-line summaries")
    up.add_argument("--verbose", action="store_true", help="service logs on the terminal (default: files in the run)")

    extract = sub.add_parser("extract", help="code articles without Kafka; prints one JSON event per line")
    extract.add_argument("paths", nargs="+", help="text/HTML files (.gz too), or - for JSON lines on stdin")
    extract.add_argument("--published", help="publication date of file inputs (ISO 8601)")
    extract.add_argument(
        "--documents",
        action="store_true",
        help="print one document view per input (places, dates and events, with offsets) instead of events",
    )
    extract.add_argument("--encoder", help="encoder model id or path (default: settings)")
    extract.add_argument("--backend", choices=("torch", "onnx"), help="encoder runtime (default: settings)")

    clean = sub.add_parser("clean", help="clean HTML without Kafka; prints one JSON line per input")
    clean.add_argument("paths", nargs="+", help="HTML files (.gz too), or - for JSON lines on stdin")

    tail = sub.add_parser("tail", help="print a topic's messages as they arrive")
    tail.add_argument("topic")
    tail.add_argument("--from-beginning", action="store_true")
    tail.add_argument("--max", type=int, default=None, help="stop after this many messages")
    tail.add_argument("--idle-timeout", type=float, default=None, help="stop after this many idle seconds")
    tail.add_argument("--json", action="store_true", help="print events and incidents as JSON, not summaries")

    broker = sub.add_parser("broker", help="start, stop or inspect the local Kafka broker")
    broker.add_argument("action", choices=("start", "stop", "status"))

    topics = sub.add_parser("topics", help="create the pipeline's topics (idempotent), or list them")
    topics.add_argument("action", choices=("create", "list"))

    schemas = sub.add_parser(
        "schemas", help="export the JSON Schemas and the topics' AsyncAPI document, or check them for drift"
    )
    schemas.add_argument("action", choices=("export", "check"))
    schemas.add_argument("--dir", help="default: the schemas shipped with the package (the checkout's schemas/)")
    schemas.add_argument(
        "--output",
        help="export only the AsyncAPI document, with this environment's topic names, to this file "
        "(JSON for .json, else YAML; - for standard output)",
    )

    for name, (_, help_text, _) in DELEGATED.items():
        sub.add_parser(name, help=help_text, add_help=False)  # listed in --help; parsed by their own main
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments and arguments[0] in DELEGATED:
        module, _, log_level = DELEGATED[arguments[0]]
        _configure_logging(log_level or ServiceSettings().log_level)
        delegate: Callable[[list[str]], int] = importlib.import_module(module, __package__).main
        return delegate(arguments[1:])
    args = build_parser().parse_args(arguments)
    quiet_up = args.command == "up" and not args.verbose and not args.log_level
    # `up` speaks in its own one-line steps; its INFO logging would interleave with the events.
    _configure_logging("WARNING" if quiet_up else args.log_level or ServiceSettings().log_level)
    command: str = args.command
    if command in SERVICE_NAMES:
        return run_service(command)
    handlers: dict[str, Callable[[argparse.Namespace], int]] = {
        "up": cmd_up,
        "extract": cmd_extract,
        "clean": cmd_clean,
        "tail": cmd_tail,
        "broker": cmd_broker,
        "schemas": cmd_schemas,
        "topics": cmd_topics,
    }
    try:
        return handlers[command](args)
    except (RuntimeError, OSError) as exc:
        print(f"newswire {command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130

"""A local news site on 127.0.0.1, so the pipeline and its tests run without internet.

The site's files live in ``site/`` next to this module. Text files carry a ``{base_url}`` placeholder,
filled in once the server knows its port, so feed links, canonical links and guids point at the
running server rather than at an outlet on the internet.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import signal
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from importlib.resources.abc import Traversable
from types import TracebackType
from typing import Self
from urllib.parse import urlsplit

import yaml

__all__ = ["SEED_ARTICLE_PATH", "DemoSite", "demo_feeds_yaml", "main"]

log = logging.getLogger(__name__)

BASE_URL_PLACEHOLDER = "{base_url}"
FEED_PATH = "/feed.xml"
ATOM_PATH = "/atom.xml"
ARTICLES_DIR = "articles"
SEED_ARTICLE_PATH = "/articles/seed-syria-bloodiest-day.html"

# Served types by suffix; the feeds get their own media types so clients can tell them from HTML.
_CONTENT_TYPES: Mapping[str, str] = {
    ".html": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}
_FEED_CONTENT_TYPES: Mapping[str, str] = {
    FEED_PATH: "application/rss+xml; charset=utf-8",
    ATOM_PATH: "application/atom+xml; charset=utf-8",
}
_TEMPLATED_SUFFIXES = (".html", ".xml", ".txt")


@dataclass(frozen=True, slots=True)
class _Resource:
    body: bytes
    content_type: str
    etag: str


def _site_root() -> Traversable:
    # importlib.resources, not __file__, so the site is found inside an installed wheel or zip too.
    return resources.files(__package__ or "newswire.demo").joinpath("site")


def _walk(node: Traversable, prefix: str = "") -> Iterator[tuple[str, Traversable]]:
    for child in sorted(node.iterdir(), key=lambda c: c.name):
        if child.name.startswith(".") or child.name == "__pycache__":
            continue
        rel = f"{prefix}/{child.name}"
        if child.is_dir():
            yield from _walk(child, rel)
        else:
            yield rel, child


def _content_type(path: str) -> str:
    if path in _FEED_CONTENT_TYPES:
        return _FEED_CONTENT_TYPES[path]
    suffix = path[path.rfind(".") :] if "." in path else ""
    return _CONTENT_TYPES.get(suffix, "application/octet-stream")


def _render_site(base_url: str) -> dict[str, _Resource]:
    """Every file of the site, rendered for ``base_url``, keyed by URL path.

    Serving only from this table means a request can never reach a file outside the site.
    """
    rendered: dict[str, _Resource] = {}
    for path, node in _walk(_site_root()):
        body = node.read_bytes()
        if path.endswith(_TEMPLATED_SUFFIXES):
            body = body.decode("utf-8").replace(BASE_URL_PLACEHOLDER, base_url).encode("utf-8")
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        rendered[path] = _Resource(body=body, content_type=_content_type(path), etag=etag)
    rendered["/"] = rendered["/index.html"]
    return rendered


def _etag_matches(header: str, etag: str) -> bool:
    candidates = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return "*" in candidates or etag in candidates


class _SiteServer(ThreadingHTTPServer):
    """Carries the rendered site, so the handler needs no module-level state."""

    daemon_threads = True
    block_on_close = False
    pages: dict[str, _Resource]
    last_modified: str
    last_modified_epoch: float


class _Handler(BaseHTTPRequestHandler):
    server: _SiteServer
    protocol_version = "HTTP/1.1"
    server_version = "newswire-demo/1"

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def _respond(self, *, send_body: bool) -> None:
        path = urlsplit(self.path).path or "/"
        resource = self.server.pages.get(path)
        if resource is None:
            self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain; charset=utf-8", send_body)
            return
        if self._not_modified(resource):
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self.send_header("ETag", resource.etag)
            self.send_header("Last-Modified", self.server.last_modified)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self._send(HTTPStatus.OK, resource.body, resource.content_type, send_body, etag=resource.etag)

    def _not_modified(self, resource: _Resource) -> bool:
        # RFC 9110: If-None-Match wins over If-Modified-Since when both are present.
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            return _etag_matches(if_none_match, resource.etag)
        if_modified_since = self.headers.get("If-Modified-Since")
        if if_modified_since is None:
            return False
        try:
            since = parsedate_to_datetime(if_modified_since).timestamp()
        except (TypeError, ValueError):
            return False
        return self.server.last_modified_epoch <= since

    def _send(
        self, status: HTTPStatus, body: bytes, content_type: str, send_body: bool, etag: str | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if etag is not None:
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", self.server.last_modified)
            self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        log.debug("%s " + format, self.address_string(), *args)


class DemoSite:
    """The demo news site served from a background thread on 127.0.0.1.

    ``port=0`` picks a free port. Use as a context manager, or call ``start()`` and ``stop()``.
    ``public_url`` is the address the site's links and feed carry when readers reach it by another name
    than the one it binds (a container named ``demo`` on a compose network); by default, the bound one.
    """

    def __init__(self, port: int = 0, host: str = "127.0.0.1", public_url: str | None = None) -> None:
        self._host = host
        self._port = port
        self._public_url = public_url.rstrip("/") if public_url else None
        self._server: _SiteServer | None = None
        self._thread: threading.Thread | None = None
        self._base_url: str | None = None

    @property
    def base_url(self) -> str:
        if self._base_url is None:
            raise RuntimeError("DemoSite is not started")
        return self._base_url

    @property
    def feed_url(self) -> str:
        return self.base_url + FEED_PATH

    @property
    def atom_url(self) -> str:
        return self.base_url + ATOM_PATH

    @property
    def seed_url(self) -> str:
        return self.base_url + SEED_ARTICLE_PATH

    def article_urls(self) -> list[str]:
        """The article pages the feed lists, in a stable order."""
        server = self._require_server()
        prefix = f"/{ARTICLES_DIR}/"
        return [self.base_url + path for path in sorted(server.pages) if path.startswith(prefix)]

    def start(self) -> str:
        if self._server is not None:
            return self.base_url
        server = _SiteServer((self._host, self._port), _Handler)
        host, port = server.server_address[:2]
        base_url = self._public_url or f"http://{host!s}:{port}"
        server.pages = _render_site(base_url)
        started = self._started_at()
        server.last_modified = format_datetime(started, usegmt=True)
        server.last_modified_epoch = started.timestamp()
        thread = threading.Thread(target=server.serve_forever, name=f"demo-site:{port}", daemon=True)
        thread.start()
        self._server, self._thread, self._base_url = server, thread, base_url
        log.info("demo site serving on %s", base_url)
        return base_url

    def stop(self) -> None:
        server, thread = self._server, self._thread
        self._server = self._thread = self._base_url = None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _require_server(self) -> _SiteServer:
        if self._server is None:
            raise RuntimeError("DemoSite is not started")
        return self._server

    @staticmethod
    def _started_at() -> datetime:
        # Whole seconds: HTTP dates have no fractions, so If-Modified-Since must compare equal.
        return datetime.now(UTC).replace(microsecond=0)


def demo_feeds_yaml(base_url: str, interval: int = 5) -> str:
    """A feeds file for the fetcher that polls only the demo site's RSS feed."""
    feeds = {
        "feeds": [
            {
                "name": "newswire-demo",
                "url": base_url.rstrip("/") + FEED_PATH,
                "interval": interval,
                "tags": ["demo"],
                "language": "en",
            }
        ]
    }
    return yaml.safe_dump(feeds, sort_keys=False)


def main(argv: Sequence[str] | None = None) -> int:
    """``newswire demo-site``: serve the demo site until Ctrl-C."""
    parser = argparse.ArgumentParser(prog="newswire demo-site", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="port to listen on (default: a free one)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument(
        "--public-url", help="the site's address as its readers reach it, for its links (default: where it listens)"
    )
    parser.add_argument("--feeds-file", help="also write a feeds YAML pointing at the demo feed here")
    parser.add_argument("--interval", type=int, default=5, help="poll interval in the feeds file, seconds")
    args = parser.parse_args(argv)

    site = DemoSite(port=args.port, host=args.host, public_url=args.public_url)
    base_url = site.start()
    try:
        if args.feeds_file:
            with open(args.feeds_file, "w", encoding="utf-8") as out:
                out.write(demo_feeds_yaml(base_url, args.interval))
        print(f"demo site: {base_url}/", flush=True)
        print(f"feed:      {site.feed_url}", flush=True)
        stop_requested = threading.Event()
        if threading.current_thread() is threading.main_thread():
            # `newswire up` stops its children with SIGTERM; treat it like Ctrl-C.
            signal.signal(signal.SIGTERM, lambda _signum, _frame: stop_requested.set())
        stop_requested.wait()
    except KeyboardInterrupt:
        pass
    finally:
        site.stop()
    return 0

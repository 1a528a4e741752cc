"""One local HTTP server for the tests: real sockets on 127.0.0.1, a route table, and a record of every
request it got.

    with LocalHttpServer({"/feed.xml": (200, {"Content-Type": "application/rss+xml"}, RSS)}) as server:
        fetch(server.url("/feed.xml"))
        assert server.count("/feed.xml") == 1

Only GET is served. A route is a path: the exact path (the query left out), or a prefix ending in `*`
("/a/*" answers every path under /a/ that has no route of its own; the longest prefix wins). What it maps
to is either a fixed `Reply`, `(status, headers, body)`, or a function of the `Request` that returns one;
unrouted paths get `fallback` (a 404 by default). A function runs in the server's own thread, one thread
per connection, so it may block (`time.sleep`) to play a slow server, and several run at once.

The body is either bytes, sent with a Content-Length, or an iterable of bytes, sent chunked with each piece
on the wire before the next is asked for: a generator that sleeps between pieces is a slow drip, one that
yields many pieces a body too large to announce. Headers are sent as given (a gzip body is a
`Content-Encoding: gzip` header and gzipped bytes), except Content-Length and Transfer-Encoding, which
the server writes. `redirect` and `text` build the common replies.

It speaks HTTP/1.1 with keep-alive, as a real site does; `close` (or leaving the `with`) stops listening
and cuts every connection still open, so a client's pooled connection cannot reach a server that is gone.
"""

from __future__ import annotations

import contextlib
import functools
import socket
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self, TypeAlias
from urllib.parse import parse_qsl, urlsplit

Body: TypeAlias = bytes | Iterable[bytes]
Reply: TypeAlias = tuple[int, Mapping[str, str], Body]


@dataclass(frozen=True)
class Request:
    """One request as the server read it."""

    method: str
    target: str  # as sent: the path with its query
    path: str  # the query left out
    query: dict[str, str]
    headers: Message  # case-insensitive; .get(name) is None for a header that was not sent
    at: float  # time.monotonic() when the server had read it


Handler: TypeAlias = Callable[[Request], Reply]
Route: TypeAlias = Reply | Handler

NOT_FOUND: Reply = (404, {"Content-Type": "text/plain; charset=utf-8"}, b"not found")


def text(
    body: str, content_type: str = "text/plain", *, status: int = 200, headers: Mapping[str, str] | None = None
) -> Reply:
    """A UTF-8 text reply, labelled `<content_type>; charset=utf-8` (what aiohttp's `Response(text=...)` sends)."""
    return status, {"Content-Type": f"{content_type}; charset=utf-8", **(headers or {})}, body.encode("utf-8")


def redirect(location: str, status: int = 302) -> Reply:
    return status, {"Location": location}, b""


class LocalHttpServer:
    """See the module's docstring. The socket is bound (and `port`, `base`, `url` known) at construction;
    requests are served from `start` (or entering `with`) until `close`."""

    def __init__(self, routes: Mapping[str, Route] | None = None, *, fallback: Route = NOT_FOUND) -> None:
        self.routes: dict[str, Route] = dict(routes or {})
        self.fallback = fallback
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self._server = _Server(self)
        self.port: int = self._server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self._thread: threading.Thread | None = None

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def route(self, path: str) -> Callable[[Handler], Handler]:
        """Register a handler with a decorator: `@server.route("/feed.xml")`."""

        def register(handler: Handler) -> Handler:
            self.routes[path] = handler
            return handler

        return register

    def resolve(self, path: str) -> Route:
        if path in self.routes:
            return self.routes[path]
        prefixes = [key for key in self.routes if key.endswith("*") and path.startswith(key[:-1])]
        return self.routes[max(prefixes, key=len)] if prefixes else self.fallback

    # -- what it got --------------------------------------------------------------------------------------
    def requests_to(self, path: str) -> list[Request]:
        return [request for request in self.requests if request.path == path]

    def count(self, path: str) -> int:
        return len(self.requests_to(path))

    @property
    def hits(self) -> Counter[str]:
        """Requests per path."""
        return Counter(request.path for request in self.requests)

    @property
    def headers_seen(self) -> list[Message]:
        return [request.headers for request in self.requests]

    def _record(self, request: Request) -> None:
        with self._lock:
            self.requests.append(request)

    # -- life ---------------------------------------------------------------------------------------------
    def start(self) -> Self:
        if self._thread is None:
            # A short poll interval: `close` waits for the serving loop to notice, up to one interval.
            serve = functools.partial(self._server.serve_forever, poll_interval=0.02)
            self._thread = threading.Thread(target=serve, name="local-http", daemon=True)
            self._thread.start()
        return self

    def close(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread = None
        self._server.server_close()
        self._server.cut_connections()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, owner: LocalHttpServer) -> None:
        super().__init__(("127.0.0.1", 0), _RequestHandler)
        self.owner = owner
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def cut_connections(self) -> None:
        with self._open_lock:
            sockets = list(self._open)
        for connection in sockets:
            with contextlib.suppress(OSError):  # closed meanwhile
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # the client hung up (a timeout, a size cap) or `close` cut it: nobody to tell
        super().handle_error(request, client_address)


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:
        self._answer()

    def _answer(self) -> None:
        owner = self.server.owner
        target = urlsplit(self.path)
        request = Request(
            method=self.command,
            target=self.path,
            path=target.path,
            query=dict(parse_qsl(target.query, keep_blank_values=True)),
            headers=self.headers,
            at=time.monotonic(),
        )
        owner._record(request)
        route = owner.resolve(request.path)
        status, headers, body = route(request) if callable(route) else route
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if status in (204, 304) or status < 200:
                self.end_headers()  # no body, whatever `body` holds
            elif isinstance(body, bytes | bytearray):
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            else:
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for piece in body:
                    if piece:
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                self.wfile.write(b"0\r\n\r\n")
        except ConnectionError:
            self.close_connection = True  # the client went away mid-answer

    def log_message(self, format: str, *args: Any) -> None:
        pass

"""The live map: static page, a snapshot of recent incidents, and a server-sent-events stream of changes.

Served by the correlator's own web server, beside /healthz, /readyz and /metrics. The page and its
libraries are package files (`static/`, bundled from npm by deploy/map-assets/update.sh): nothing is
fetched from elsewhere, as no tile server is reachable where the service runs.
"""

from __future__ import annotations

import asyncio
import mimetypes
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any, cast

import orjson
from aiohttp import web
from faust.web import Request, Response, View

from ..common.runtime import ServiceRuntime
from ..common.serde import dumps
from .store import IncidentStore

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
}
# The page loads nothing from elsewhere and runs only its own scripts: say so, so a browser enforces it.
_SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-cache",
}


def _static_root() -> Traversable:
    return files(__package__ or "newswire.correlator").joinpath("static")


@cache
def static_file(name: str) -> tuple[bytes, str] | None:
    """A file of the page by its path under /map/, or None; no path leaves the static folder."""
    parts = [part for part in name.split("/") if part]
    if not parts or any(part in {".", ".."} or part.startswith(".") for part in parts):
        return None
    node = _static_root()
    for part in parts:
        node = node.joinpath(part)
    if not node.is_file():
        return None
    suffix = "." + parts[-1].rsplit(".", 1)[-1] if "." in parts[-1] else ""
    content_type = _TYPES.get(suffix) or mimetypes.guess_type(parts[-1])[0] or "application/octet-stream"
    return node.read_bytes(), content_type


def sse_message(payload: bytes, event: str = "incident") -> bytes:
    """One server-sent event; the JSON has no raw newlines, so one data line holds it."""
    return b"event: " + event.encode() + b"\ndata: " + payload + b"\n\n"


def register_map(runtime: ServiceRuntime, store: IncidentStore, *, keepalive_s: float) -> None:
    app = runtime.app

    def _static(view: View, name: str) -> Response:
        found = static_file(name)
        if found is None:
            raise web.HTTPNotFound(text=f"no such file: {name}")
        body, content_type = found
        # Headers rather than content_type=: aiohttp refuses a charset inside content_type.
        return cast(Response, web.Response(body=body, headers={"Content-Type": content_type, **_SECURITY_HEADERS}))

    @app.page("/map")
    async def map_redirect(view: View, request: Request) -> Response:
        raise web.HTTPFound("map/")  # relative: the page works behind a path prefix too

    @app.page("/map/")
    async def map_index(view: View, request: Request) -> Response:
        return _static(view, "index.html")

    @app.page("/map/{name:.+}")
    async def map_file(view: View, request: Request, name: str) -> Response:
        return _static(view, name)

    @app.page("/incidents")
    async def incidents(view: View, request: Request) -> Response:
        body = b"[" + b",".join(dumps(incident) for incident in store.recent()) + b"]"
        return view.bytes(body, content_type="application/json")

    @app.page("/incidents/stream")
    async def incident_stream(view: View, request: Request) -> Any:
        """Each incident's new state as it is written; a client that falls behind is dropped, and its
        EventSource reconnects and starts again from /incidents."""
        response = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
        )
        await response.prepare(cast(web.BaseRequest, request))
        queue = store.listen()
        try:
            await response.write(
                b"retry: 2000\n" + sse_message(orjson.dumps({"incidents": len(store.recent())}), "hello")
            )
            while True:
                try:
                    incident = await asyncio.wait_for(queue.get(), keepalive_s)
                except TimeoutError:
                    await response.write(b": keepalive\n\n")
                    continue
                if incident is None:
                    break
                await response.write(sse_message(dumps(incident)))
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            store.unlisten(queue)
        return response

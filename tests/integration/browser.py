"""Headless Chromium for the browser tests: load a page, let its scripts run, return the DOM they left
(and a screenshot if asked).

Why not plain ``chromium --headless=new --dump-dom --virtual-time-budget=N URL``: that works for a page
whose requests all finish, but the incident map keeps an ``EventSource`` open, and virtual time only
advances while no network fetch is pending, so the budget never runs out and Chromium never dumps (seen
with Chromium 156: it hangs until killed, with or without ``--timeout``; ``--timeout`` alone dumps at the
load event, before the page's ``fetch`` of its data has returned). So `render` drives Chromium over the
DevTools protocol on a pipe, with the standard library only, on the real clock:

    chromium --headless=new --no-sandbox --disable-gpu --remote-debugging-pipe --window-size=W,H
             --user-data-dir=<temp> --no-first-run --no-default-browser-check --disable-extensions
             --disable-background-networking --disable-component-update --disable-sync
             --hide-scrollbars --mute-audio about:blank

(requests are written to the browser's fd 3 and replies read from its fd 4, each message JSON ended by a
NUL byte). It opens a tab of the asked size, navigates, waits for the load event, then waits ``wait_ms``
of real time (or less: until the JavaScript expression ``wait_for`` is truthy), and reads
``document.documentElement.outerHTML`` (what ``--dump-dom`` prints) and, if asked, a PNG of the viewport,
all in one browser run. Server-sent events keep arriving while it waits, as in a real browser.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["ChromiumError", "Rendered", "find_chromium", "render", "render_page"]

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

# Flags for a browser that must not reach out anywhere (the test machines have no internet) and must run as
# root in a container (--no-sandbox).
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--remote-debugging-pipe",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-extensions",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--mute-audio",
)

# A wrapper that puts the two pipe ends on the fd numbers Chromium expects (3: its requests, 4: its
# replies) and execs it; the ends arrive on fds of 10 or more, so the dup2s cannot overwrite each other.
_EXEC_WITH_PIPE = (
    "import os, sys\n"
    "r, w = int(sys.argv[1]), int(sys.argv[2])\n"
    "os.dup2(r, 3)\n"
    "os.dup2(w, 4)\n"
    "os.close(r)\n"
    "os.close(w)\n"
    "os.execv(sys.argv[3], sys.argv[3:])\n"
)


class ChromiumError(RuntimeError):
    """Chromium could not be started, failed, timed out, or the page could not be loaded."""


@dataclass
class Rendered:
    """What a page left after its scripts ran."""

    dom: str
    # "level: text", in order: the page's console calls, and the browser's own log (failed loads, blocked
    # content, Content-Security-Policy violations)
    console: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)  # uncaught JavaScript exceptions


def find_chromium() -> str | None:
    """The Chromium to run: $NEWSWIRE_CHROMIUM (a path or a name on PATH) if set and found, else the first of
    chromium, chromium-browser, google-chrome, google-chrome-stable on PATH; None when there is none."""
    env = os.environ.get("NEWSWIRE_CHROMIUM", "").strip()
    if env:
        found = shutil.which(env)
        if found:
            return found
        if os.path.isfile(env) and os.access(env, os.X_OK):
            return env
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def render(
    url: str,
    *,
    screenshot: Path | None = None,
    wait_ms: int = 4000,
    window: tuple[int, int] = (1280, 800),
    wait_for: str | None = None,
) -> str:
    """The DOM of `url` after its scripts ran for `wait_ms` after the load event (or until the JavaScript
    expression `wait_for` is truthy, if given, but at most `wait_ms`), as ``--dump-dom`` prints it. With
    `screenshot`, also writes a PNG of the `window`-sized viewport there, taken just after the DOM. Raises
    `ChromiumError` (with Chromium's stderr) when there is no Chromium, it fails, or the page doesn't load."""
    return render_page(url, screenshot=screenshot, wait_ms=wait_ms, window=window, wait_for=wait_for).dom


def render_page(
    url: str,
    *,
    screenshot: Path | None = None,
    wait_ms: int = 4000,
    window: tuple[int, int] = (1280, 800),
    wait_for: str | None = None,
    timeout_s: float | None = None,
) -> Rendered:
    """`render`, also returning the page's console messages and uncaught exceptions. `timeout_s` bounds the
    whole run (default: `wait_ms` plus 45 s for starting the browser and loading the page)."""
    exe = find_chromium()
    if exe is None:
        raise ChromiumError(
            "no Chromium found: install it (apt-get install chromium) or set NEWSWIRE_CHROMIUM to its path"
        )
    width, height = window
    deadline = time.monotonic() + (timeout_s if timeout_s is not None else wait_ms / 1000 + 45)
    with tempfile.TemporaryDirectory(prefix="newswire-chromium-") as tmp:
        stderr_path = Path(tmp) / "stderr.log"
        args = [
            *CHROMIUM_FLAGS,
            f"--window-size={width},{height}",
            f"--user-data-dir={Path(tmp) / 'profile'}",
            "about:blank",
        ]
        session = _Session.start(exe, args, stderr_path, deadline)
        try:
            result = _drive(session, url, screenshot, wait_ms, width, height, wait_for)
        except ChromiumError as exc:
            session.close()
            raise ChromiumError(f"{exc}\n--- chromium stderr (last lines) ---\n{_tail(stderr_path)}") from None
        session.close()
        return result


def _drive(
    s: _Session, url: str, screenshot: Path | None, wait_ms: int, width: int, height: int, wait_for: str | None
) -> Rendered:
    target = s.call("Target.createTarget", {"url": "about:blank"})
    attached = s.call("Target.attachToTarget", {"targetId": target["targetId"], "flatten": True})
    sid = str(attached["sessionId"])
    s.call("Page.enable", session=sid)
    s.call("Runtime.enable", session=sid)
    s.call("Log.enable", session=sid)
    s.call(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        session=sid,
    )
    s.forget_events()
    nav = s.call("Page.navigate", {"url": url}, session=sid)
    if nav.get("errorText"):
        raise ChromiumError(f"could not load {url}: {nav['errorText']}")
    s.wait_event("Page.loadEventFired", sid)
    until = min(time.monotonic() + wait_ms / 1000, s.deadline)
    if wait_for is None:
        s.pump(until)
    else:
        while True:
            if s.evaluate(sid, f"Boolean({wait_for})") is True:
                break
            if time.monotonic() >= until:
                break
            s.pump(min(until, time.monotonic() + 0.1))
    dom = s.evaluate(sid, "document.documentElement.outerHTML")
    if not isinstance(dom, str):
        raise ChromiumError(f"could not read the DOM of {url}")
    if screenshot is not None:
        shot = s.call("Page.captureScreenshot", {"format": "png"}, session=sid)
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        screenshot.write_bytes(base64.b64decode(str(shot["data"])))
    return Rendered(dom=dom, console=list(s.console), exceptions=list(s.exceptions))


def _tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no stderr)"
    # D-Bus complaints are always there in a container and never the cause.
    kept = [ln for ln in text.splitlines() if "dbus" not in ln.lower()]
    return "\n".join(kept[-lines:]) or "(empty)"


def _high_fd(fd: int) -> int:
    """A close-on-exec duplicate of `fd` numbered 10 or more (the original is closed)."""
    high = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return high


class _Session:
    """One Chromium process and its DevTools pipe."""

    def __init__(self, proc: subprocess.Popen[bytes], to_browser: int, from_browser: int, deadline: float) -> None:
        self.proc = proc
        self.to_browser = to_browser
        self.from_browser = from_browser
        self.deadline = deadline
        self.buffer = b""
        self.next_id = 0
        self.replies: dict[int, dict[str, Any]] = {}
        self.events: list[dict[str, Any]] = []
        self.console: list[str] = []
        self.exceptions: list[str] = []
        self.closed = False

    @classmethod
    def start(cls, exe: str, args: list[str], stderr_path: Path, deadline: float) -> _Session:
        # Chromium reads requests from fd 3 and writes replies to fd 4.
        req_r, req_w = (_high_fd(fd) for fd in os.pipe())
        rep_r, rep_w = (_high_fd(fd) for fd in os.pipe())
        with stderr_path.open("wb") as err:
            try:
                proc = subprocess.Popen(
                    [sys.executable, "-c", _EXEC_WITH_PIPE, str(req_r), str(rep_w), exe, *args],
                    stdin=subprocess.DEVNULL,
                    stdout=err,
                    stderr=err,
                    pass_fds=(req_r, rep_w),
                    start_new_session=True,
                )
            except OSError as exc:
                for fd in (req_r, req_w, rep_r, rep_w):
                    os.close(fd)
                raise ChromiumError(f"could not start {exe}: {exc}") from None
        os.close(req_r)
        os.close(rep_w)
        return cls(proc, req_w, rep_r, deadline)

    def call(self, method: str, params: dict[str, Any] | None = None, *, session: str | None = None) -> dict[str, Any]:
        """Send one command and wait for its result."""
        self.next_id += 1
        msg_id = self.next_id
        msg: dict[str, Any] = {"id": msg_id, "method": method, "params": params or {}}
        if session is not None:
            msg["sessionId"] = session
        data = json.dumps(msg).encode() + b"\0"
        try:
            while data:
                data = data[os.write(self.to_browser, data) :]
        except OSError as exc:
            raise ChromiumError(f"chromium closed its DevTools pipe ({exc}) before {method}") from None
        while msg_id not in self.replies:
            self._read_once(self.deadline, waiting_for=method)
        reply = self.replies.pop(msg_id)
        if "error" in reply:
            raise ChromiumError(f"{method} failed: {reply['error']}")
        result = reply.get("result", {})
        return result if isinstance(result, dict) else {}

    def evaluate(self, session: str, expression: str) -> object:
        res = self.call(
            "Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True}, session=session
        )
        if "exceptionDetails" in res:
            raise ChromiumError(f"evaluating {expression!r} threw: {_exception_text(res['exceptionDetails'])}")
        value: object = res.get("result", {}).get("value")
        return value

    def wait_event(self, method: str, session: str) -> dict[str, Any]:
        while True:
            for i, ev in enumerate(self.events):
                if ev.get("method") == method and ev.get("sessionId") == session:
                    del self.events[i]
                    params = ev.get("params", {})
                    return params if isinstance(params, dict) else {}
            self._read_once(self.deadline, waiting_for=method)

    def forget_events(self) -> None:
        self.events.clear()

    def pump(self, until: float) -> None:
        """Read and keep what arrives until `until` (monotonic time)."""
        while time.monotonic() < until:
            self._read_once(min(until, self.deadline), waiting_for=None)

    def _read_once(self, until: float, *, waiting_for: str | None) -> None:
        remaining = until - time.monotonic()
        if remaining <= 0:
            if waiting_for is None:
                return
            raise ChromiumError(f"timed out waiting for {waiting_for}")
        ready, _, _ = select.select([self.from_browser], [], [], remaining)
        if not ready:
            if waiting_for is None:
                return
            raise ChromiumError(f"timed out waiting for {waiting_for}")
        chunk = os.read(self.from_browser, 1 << 20)
        if not chunk:
            code = self.proc.poll()
            raise ChromiumError(f"chromium exited (status {code}) while waiting for {waiting_for or 'the page'}")
        self.buffer += chunk
        *messages, self.buffer = self.buffer.split(b"\0")
        for raw in messages:
            if raw:
                self._dispatch(json.loads(raw))

    def _dispatch(self, msg: dict[str, Any]) -> None:
        if "id" in msg:
            self.replies[int(msg["id"])] = msg
            return
        method = msg.get("method")
        params = msg.get("params") or {}
        if method == "Runtime.consoleAPICalled":
            parts = [str(a.get("value", a.get("description", ""))) for a in params.get("args", [])]
            self.console.append(f"{params.get('type', 'log')}: {' '.join(parts)}")
        elif method == "Log.entryAdded":
            entry = params.get("entry", {})
            where = f" ({entry['url']})" if entry.get("url") else ""
            self.console.append(f"{entry.get('level', 'info')}: {entry.get('text', '')}{where}")
        elif method == "Runtime.exceptionThrown":
            self.exceptions.append(_exception_text(params.get("exceptionDetails", {})))
        else:
            self.events.append(msg)

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self.next_id += 1
        with contextlib.suppress(OSError):
            os.write(self.to_browser, json.dumps({"id": self.next_id, "method": "Browser.close"}).encode() + b"\0")
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            # its own process group (start_new_session): the browser and the renderers it started
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except OSError:
                self.proc.kill()
            self.proc.wait(timeout=10)
        finally:
            for fd in (self.to_browser, self.from_browser):
                with contextlib.suppress(OSError):
                    os.close(fd)


def _exception_text(details: dict[str, Any]) -> str:
    exc = details.get("exception") or {}
    desc = exc.get("description") if isinstance(exc, dict) else None
    return str(desc or details.get("text", "exception"))

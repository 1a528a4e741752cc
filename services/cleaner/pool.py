"""Cleaning in worker processes, so that parsing never blocks the event loop that talks to Kafka.

lxml and trafilatura hold the GIL and can take seconds on a hostile page; in a thread they would stall
heartbeats and commits. A page that runs past the time limit has hung its worker: the only way to stop
C code is to kill the process, so the pool's workers are killed and a fresh pool takes over; pages that
were in flight on the killed pool are retried once on the new one.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import signal
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from ..common.models import FeedEntry
from .extract import CleaningError, CleanResult, clean_html

CleanFunction = Callable[..., CleanResult]
STARTUP_TIMEOUT_S = 120.0


def _warm_up() -> None:
    """Load the language model in each worker before the first page, not during it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from .language import detect_language

    detect_language("warm up the language identifier with a short sentence")


def _ready() -> int:
    return os.getpid()


def _run(function: CleanFunction, html: str, url: str | None, feed_entry: FeedEntry | None) -> CleanResult:
    try:
        return function(html, url=url, feed_entry=feed_entry)
    except CleaningError:
        raise
    except RecursionError as err:
        raise CleaningError("markup too deeply nested to parse") from err
    except Exception as err:  # a parser bug on one page must become a dead letter, not a crash
        raise CleaningError(f"cleaner failed: {type(err).__name__}: {err}") from err


class CleaningPool:
    """A process pool with a per-page time limit.

    `clean_function` is what the workers run (a module-level function, so that it can be pickled);
    it is `clean_html` except where a test needs a page that hangs.
    """

    def __init__(
        self,
        workers: int,
        *,
        timeout_s: float = 30.0,
        max_tasks_per_child: int | None = 500,
        clean_function: CleanFunction = clean_html,
    ) -> None:
        if workers < 1:
            raise ValueError("a cleaning pool needs at least one worker")
        self.workers = workers
        self.timeout_s = timeout_s
        self.max_tasks_per_child = max_tasks_per_child
        self.clean_function = clean_function
        self._context: multiprocessing.context.BaseContext
        if "forkserver" in multiprocessing.get_all_start_methods():
            # Fork workers from a server that has the cleaner imported: a replaced worker starts in
            # milliseconds, and no Kafka client thread is inherited as fork() from the service would.
            self._context = multiprocessing.get_context("forkserver")
            self._context.set_forkserver_preload(["newswire.cleaner.extract"])
        else:
            self._context = multiprocessing.get_context("spawn")
        self._slots = asyncio.Semaphore(workers)
        self._generation = 0
        self._warming: list[Future[int]] = []
        self._executor = self._new_executor()
        self._closed = False
        self.timeouts = 0
        self.restarts = 0

    def _new_executor(self) -> ProcessPoolExecutor:
        executor = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=self._context,
            initializer=_warm_up,
            max_tasks_per_child=self.max_tasks_per_child,
        )
        self._warming = [executor.submit(_ready) for _ in range(self.workers)]
        return executor

    async def _wait_until_started(self) -> None:
        """Worker start-up (imports, language model) must not count against a page's time limit."""
        warming = self._warming
        if not warming:
            return
        try:
            await asyncio.wait_for(asyncio.gather(*(asyncio.wrap_future(f) for f in warming)), STARTUP_TIMEOUT_S)
        except (TimeoutError, BrokenProcessPool) as err:
            raise CleaningError(f"cleaning workers failed to start: {type(err).__name__}") from None
        if self._warming is warming:
            self._warming = []

    async def clean(self, html: str, url: str | None = None, feed_entry: FeedEntry | None = None) -> CleanResult:
        """Clean one page in a worker; raises CleaningError for bad input, a timeout or a dead worker."""
        for attempt in range(2):
            async with self._slots:
                if self._closed:
                    raise CleaningError("cleaning pool is closed")
                await self._wait_until_started()
                generation = self._generation
                try:
                    future: Future[CleanResult] = self._executor.submit(
                        _run, self.clean_function, html, url, feed_entry
                    )
                    return await asyncio.wait_for(asyncio.wrap_future(future), self.timeout_s)
                except TimeoutError:
                    self.timeouts += 1
                    self._replace(generation)
                    raise CleaningError(
                        f"timeout after {self.timeout_s:g}s: the page hung the parser, its worker was replaced"
                    ) from None
                except BrokenProcessPool:
                    # Killed because another page hung, or the worker died (out of memory): retry once.
                    self._replace(generation)
                    if attempt == 1:
                        raise CleaningError("worker process died while cleaning this page") from None
        raise CleaningError("worker process died while cleaning this page")

    def _replace(self, generation: int) -> None:
        """Kill the workers of `generation` and start a fresh pool, once however many pages notice."""
        if generation != self._generation or self._closed:
            return
        old = self._executor
        self._generation += 1
        self.restarts += 1
        self._executor = self._new_executor()
        _kill_workers(old)

    def close(self, *, wait: bool = False) -> None:
        """Stop taking pages; workers exit after their current page (or at once with `wait`=False
        once it is done). Safe to call twice and from a stop hook without awaiting."""
        if self._closed:
            return
        self._closed = True
        self._executor.shutdown(wait=wait, cancel_futures=True)


def _kill_workers(executor: ProcessPoolExecutor) -> None:
    processes = dict(getattr(executor, "_processes", None) or {})
    for process in processes.values():
        if process.pid is not None and process.is_alive():
            with contextlib.suppress(ProcessLookupError):
                os.kill(process.pid, signal.SIGKILL)
    executor.shutdown(wait=False, cancel_futures=True)

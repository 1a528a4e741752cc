"""Memory housekeeping for the services' large, long-lived indexes."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """The cyclic collector paused while a large index is built or unpickled. Each of its full passes
    walks every object made so far, so a million new records pay for many passes that free nothing;
    the gazetteer builds in about 4.7 s instead of 9.5-11 s and unpickles in 1.1 s instead of 2.7-3.4 s."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()

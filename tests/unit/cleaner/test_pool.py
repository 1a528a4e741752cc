"""The process pool: pages are cleaned off the event loop, and a page that hangs is cut off."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from newswire.cleaner.extract import CleaningError, CleanResult, clean_html
from newswire.cleaner.pool import CleaningPool
from newswire.common.models import FeedEntry
from tests.support import paths

SEED = (paths.FIXTURES / "cleaner" / "seed-commondreams.html").read_text(encoding="utf-8")
HANG_MARK = "<!-- hang the parser -->"


def clean_or_hang(html: str, url: str | None = None, feed_entry: FeedEntry | None = None) -> CleanResult:
    """Stands in for a parser stuck in C code on a hostile page: only killing the worker stops it."""
    if HANG_MARK in html:
        while True:
            time.sleep(1)
    return clean_html(html, url=url, feed_entry=feed_entry)


@pytest.fixture
async def pool() -> AsyncIterator[CleaningPool]:
    cleaning_pool = CleaningPool(2, timeout_s=3.0, clean_function=clean_or_hang)
    yield cleaning_pool
    cleaning_pool.close()


async def test_pool_cleans_like_clean_html(pool: CleaningPool) -> None:
    result = await pool.clean(SEED, "https://www.commondreams.org/x", None)
    assert result == clean_html(SEED, url="https://www.commondreams.org/x")


async def test_bad_input_comes_back_as_cleaning_error(pool: CleaningPool) -> None:
    with pytest.raises(CleaningError, match="not HTML"):
        await pool.clean("plain text, no markup", None, None)


async def test_hanging_page_is_cut_off_and_the_pool_recovers(pool: CleaningPool) -> None:
    await pool.clean(SEED, None, None)  # workers started
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.05)
            ticks += 1

    ticker = asyncio.create_task(tick())
    started = time.perf_counter()
    hung, fine = await asyncio.gather(
        pool.clean(SEED.replace("<body>", "<body>" + HANG_MARK), None, None),
        pool.clean(SEED, None, None),
        return_exceptions=True,
    )
    elapsed = time.perf_counter() - started
    ticker.cancel()
    assert isinstance(hung, CleaningError)
    assert "timeout" in hung.reason
    assert isinstance(fine, CleanResult)
    assert fine.word_count > 500
    assert elapsed < 30
    assert ticks >= int(3.0 / 0.05) // 2  # the event loop kept running while the worker hung
    assert pool.timeouts == 1
    after = await pool.clean(SEED, None, None)
    assert after.word_count == fine.word_count


async def test_closed_pool_refuses_pages() -> None:
    closed = CleaningPool(1)
    closed.close()
    with pytest.raises(CleaningError, match="closed"):
        await closed.clean(SEED, None, None)


def test_pool_needs_a_worker() -> None:
    with pytest.raises(ValueError, match="at least one worker"):
        CleaningPool(0)

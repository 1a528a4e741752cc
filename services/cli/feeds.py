"""`newswire feeds`: the fetcher's own feed tools."""

from __future__ import annotations

from .delegated import DelegatedCommand


def run(argv: list[str]) -> int:
    from ..fetcher.cli import main  # imported on use: feedparser is no cost to the other commands

    return main(argv)


COMMAND = DelegatedCommand("check one feed, or print a running fetcher's feed health", "warning", run)

"""`newswire train`: the extractor's training command."""

from __future__ import annotations

from .delegated import DelegatedCommand


def run(argv: list[str]) -> int:
    from ..extractor.training.command import main  # imported on use: torch is no cost to the other commands

    return main(argv)


COMMAND = DelegatedCommand("train the extractor's heads (see models/MODEL_CARD.md)", None, run)

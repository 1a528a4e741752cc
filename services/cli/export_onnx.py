"""`newswire export-onnx`: the encoder's ONNX export."""

from __future__ import annotations

from .delegated import DelegatedCommand


def run(argv: list[str]) -> int:
    from ..extractor.encoding.export import main  # imported on use: torch is no cost to the other commands

    return main(argv)


COMMAND = DelegatedCommand("export the encoder to ONNX (+ int8) for the onnx backend", None, run)

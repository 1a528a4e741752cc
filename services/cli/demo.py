"""`newswire demo-site`: the bundled demo site on its own."""

from __future__ import annotations

from .delegated import DelegatedCommand


def run(argv: list[str]) -> int:
    from ..demo.server import main

    return main(argv)


COMMAND = DelegatedCommand("serve the demo site", None, run)

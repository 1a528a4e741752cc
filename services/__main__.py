"""`python -m newswire` is the `newswire` command."""

from .common.cli import main

raise SystemExit(main())

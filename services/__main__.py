"""`python -m newswire` is the `newswire` command."""

from .cli import main

raise SystemExit(main())

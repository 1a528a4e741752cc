"""`python -m newswire.extractor.training`, the same as `newswire train`."""

from .command import main

if __name__ == "__main__":
    raise SystemExit(main())

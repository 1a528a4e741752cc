"""What the services read off an article's URL."""

from __future__ import annotations

from urllib.parse import urlsplit


def source_domain(url: str) -> str:
    """The outlet: the URL's host, lower-cased, without a leading `www.`."""
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")

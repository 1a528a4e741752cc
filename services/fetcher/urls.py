"""URL canonicalisation: the same article reached by different links must get the same id.

Feeds and pages link one article in many spellings (tracking parameters, `HTTP://Example.COM:80`,
`/a/./b/../c`, fragments); de-duplication keys on the canonical form, so it has to be stable and
idempotent: canonicalize_url(canonicalize_url(u)) == canonicalize_url(u).
"""

from __future__ import annotations

import hashlib
import re
from html.parser import HTMLParser
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}

# Parameters that only say where the click came from; they never select content.
_TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "msclkid",
        "yclid",
        "igshid",
        "twclid",
        "ttclid",
        "li_fat_id",
        "wbraid",
        "gbraid",
        "ref",
        "ref_src",
        "ref_url",
        "referrer",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "hsctatracking",
        "ocid",
        "cmpid",
        "s_cid",
        "smid",
        "smtyp",
        "ito",
        "at_medium",
        "at_campaign",
        "at_custom1",
        "at_custom2",
        "at_custom3",
        "at_custom4",
        "spm",
        "mkt_tok",
        "vero_id",
        "oly_enc_id",
        "oly_anon_id",
        "__twitter_impression",
        "__tn__",
        "ncid",
        "sr_share",
    }
)
_TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "piwik_", "matomo_", "hmb_", "itm_", "wt.", "wt_")

# RFC 3986 unreserved characters stay decoded; everything else is percent-encoded with upper-case hex.
_PATH_SAFE = "/:@!$&'()*+,;=-._~"
_MULTI_SLASH = re.compile(r"/{2,}")
_PERCENT = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def _normalise_escape(match: re.Match[str]) -> str:
    char = chr(int(match.group(1), 16))
    return char if char in _UNRESERVED else "%" + match.group(1).upper()


def is_tracking_param(name: str) -> bool:
    lowered = name.lower()
    return lowered in _TRACKING_PARAMS or lowered.startswith(_TRACKING_PREFIXES)


def _normalise_host(host: str) -> str:
    host = host.strip().rstrip(".").lower()
    if not host or host.startswith("["):
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4, so that `/a/./b/../c` and `/a/c` are one article."""
    output: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if len(output) > 1:
                output.pop()
        elif segment != ".":
            output.append(segment)
    result = "/".join(output)
    if path.endswith(("/.", "/..")):
        result += "/"
    return result if result.startswith("/") else "/" + result


def _normalise_path(path: str) -> str:
    path = _MULTI_SLASH.sub("/", path or "/")
    path = _remove_dot_segments(path)
    # Decode only escapes of unreserved characters: %2F must stay an escaped slash, not a separator.
    return quote(_PERCENT.sub(_normalise_escape, path), safe=_PATH_SAFE + "%")


def canonicalize_url(url: str) -> str:
    """The one spelling of `url` that de-duplication and article ids are computed from."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = _normalise_host(parts.hostname or "")
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = f"[{host}]" if ":" in host and not host.startswith("[") else host
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        netloc = f"{netloc}:{port}"
    path = _normalise_path(parts.path) if scheme in _DEFAULT_PORTS else parts.path
    kept = [
        (name, value) for name, value in parse_qsl(parts.query, keep_blank_values=True) if not is_tracking_param(name)
    ]
    kept.sort()
    query = urlencode(kept, quote_via=quote, safe="-._~:/@!$'()*,;")
    return urlunsplit((scheme, netloc, path, query, ""))


def article_id(canonical_url: str) -> str:
    """Stable id of an article: the SHA-256 of its canonical URL, so every instance agrees."""
    return hashlib.sha256(canonical_url.encode("utf-8")).hexdigest()


def host_of(url: str) -> str:
    """The politeness key: scheme-less `host:port`, so limits apply per server."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    try:
        port = parts.port or _DEFAULT_PORTS.get(parts.scheme.lower(), 0)
    except ValueError:
        port = 0
    return f"{host}:{port}"


class _CanonicalLinkFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.href: str | None = None
        self.og_url: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name.lower(): (value or "").strip() for name, value in attrs}
        if tag == "link" and self.href is None and "canonical" in attributes.get("rel", "").lower().split():
            self.href = attributes.get("href") or None
        elif tag == "meta" and self.og_url is None and attributes.get("property", "").lower() == "og:url":
            self.og_url = attributes.get("content") or None


def _site(host: str) -> str:
    """Host without the prefixes news sites vary freely (www., m., amp.)."""
    for prefix in ("www.", "m.", "amp.", "mobile."):
        if host.startswith(prefix):
            return host[len(prefix) :]
    return host


def page_canonical_url(html: str, page_url: str) -> str:
    """The canonical URL of a fetched page: its <link rel=canonical> (or og:url) when that stays on the
    same site, else the page URL, canonicalised either way.

    Only same-site declarations are trusted, so that a page cannot claim another site's article id
    and suppress it; syndicated copies on other sites are the near-duplicate detector's job.
    """
    finder = _CanonicalLinkFinder()
    finder.feed(html[:200_000])
    finder.close()
    fallback = canonicalize_url(page_url)
    declared = finder.href or finder.og_url
    if not declared:
        return fallback
    candidate = canonicalize_url(urljoin(page_url, declared))
    page_host = _site(urlsplit(fallback).hostname or "")
    declared_host = _site(urlsplit(candidate).hostname or "")
    if urlsplit(candidate).scheme not in _DEFAULT_PORTS or declared_host != page_host:
        return fallback
    return candidate

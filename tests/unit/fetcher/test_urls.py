from __future__ import annotations

import pytest

from newswire.fetcher.urls import article_id, canonicalize_url, host_of, page_canonical_url


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("HTTP://Example.COM:80/a/./b/../c#section", "http://example.com/a/c"),
        ("https://www.example.com:443/news/story", "https://www.example.com/news/story"),
        ("https://example.com:8443/x", "https://example.com:8443/x"),
        ("https://example.com", "https://example.com/"),
        (
            "https://example.com/story?utm_source=twitter&utm_medium=social&id=7",
            "https://example.com/story?id=7",
        ),
        ("https://example.com/s?fbclid=IwAR0&gclid=Cj0&mc_cid=1&mc_eid=2&ref=rss", "https://example.com/s"),
        ("https://example.com/s?b=2&a=1&c=3", "https://example.com/s?a=1&b=2&c=3"),
        ("https://example.com/s?q=a+b", "https://example.com/s?q=a%20b"),
        ("https://example.com/%7euser/%41rticle", "https://example.com/~user/Article"),
        ("https://example.com/a%2fb", "https://example.com/a%2Fb"),
        ("https://example.com//double//slash/", "https://example.com/double/slash/"),
        ("https://example.com/café", "https://example.com/caf%C3%A9"),
        ("https://Bücher.example/x", "https://xn--bcher-kva.example/x"),
        ("https://example.com./x", "https://example.com/x"),
        ("  https://example.com/x  ", "https://example.com/x"),
        ("https://example.com/s?empty=&utm_campaign=z", "https://example.com/s?empty="),
    ],
)
def test_canonicalize_url(raw: str, canonical: str) -> None:
    assert canonicalize_url(raw) == canonical


@pytest.mark.parametrize(
    "raw",
    [
        "HTTP://Example.COM:80/a/./b/../c?z=1&utm_source=x&a=%7e#f",
        "https://example.com/a%2fb/é%20x?q=a+b&q=%C3%A9",
        "https://example.com/100%",
    ],
)
def test_canonicalize_url_is_idempotent(raw: str) -> None:
    once = canonicalize_url(raw)
    assert canonicalize_url(once) == once


def test_article_id_is_sha256_of_canonical_url() -> None:
    first = article_id(canonicalize_url("https://Example.com/story?utm_source=a"))
    second = article_id(canonicalize_url("https://example.com:443/story#comments"))
    assert first == second
    assert len(first) == 64
    assert int(first, 16) >= 0
    assert article_id("https://example.com/other") != first


def test_host_of_includes_default_port() -> None:
    assert host_of("https://Example.com/x") == "example.com:443"
    assert host_of("http://127.0.0.1:8080/") == "127.0.0.1:8080"


@pytest.mark.parametrize(
    ("html", "page_url", "expected"),
    [
        (
            '<html><head><link rel="canonical" href="/world/story-1?utm_source=x"></head></html>',
            "https://www.news.example/amp/world/story-1?amp=1",
            "https://www.news.example/world/story-1",
        ),
        (
            '<head><meta property="og:url" content="https://news.example/a"></head>',
            "https://m.news.example/a?ref=home",
            "https://news.example/a",
        ),
        (
            '<head><link rel="canonical" href="https://other.example/stolen"></head>',
            "https://news.example/mine?fbclid=1",
            "https://news.example/mine",
        ),
        ("<p>no head at all</p>", "HTTPS://News.Example/x#top", "https://news.example/x"),
    ],
)
def test_page_canonical_url(html: str, page_url: str, expected: str) -> None:
    assert page_canonical_url(html, page_url) == expected

"""The demo site serves a coherent feed and real-looking pages on 127.0.0.1."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import httpx
import pytest
import yaml

from newswire.demo.server import FEED_PATH, DemoSite, demo_feeds_yaml
from tests.support import paths

SEED_TEXT = Path(
    os.environ.get(
        "NEWSWIRE_SEED_ARTICLE",
        paths.SHARED / "examples" / "seed-article.txt",
    )
)
APPEAL_OPENING = "This is the world we live in. This is the world we cover."
APPEAL_CLOSING = "If you can help today—because every gift of every size matters—please do."


class _PageParser(HTMLParser):
    """Collects what the pipeline will look at: <p> texts inside <article>, JSON-LD, canonical link."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.article_paragraphs: list[str] = []
        self.json_ld: list[dict[str, object]] = []
        self.canonical: str | None = None
        self._article_depth = 0
        self._paragraph: list[str] | None = None
        self._script: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "article":
            self._article_depth += 1
        elif tag == "p" and self._article_depth:
            self._paragraph = []
        elif tag == "script" and attributes.get("type") == "application/ld+json":
            self._script = []
        elif tag == "link" and attributes.get("rel") == "canonical":
            self.canonical = attributes.get("href")

    def handle_endtag(self, tag: str) -> None:
        if tag == "article":
            self._article_depth -= 1
        elif tag == "p" and self._paragraph is not None:
            self.article_paragraphs.append("".join(self._paragraph).strip())
            self._paragraph = None
        elif tag == "script" and self._script is not None:
            self.json_ld.append(json.loads("".join(self._script)))
            self._script = None

    def handle_data(self, data: str) -> None:
        for buffer in (self._paragraph, self._script):
            if buffer is not None:
                buffer.append(data)


def _parse_page(html: str) -> _PageParser:
    parser = _PageParser()
    parser.feed(html)
    parser.close()
    return parser


@pytest.fixture(scope="module")
def site() -> Iterator[DemoSite]:
    with DemoSite() as running:
        yield running


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5.0) as http:
        yield http


def test_start_returns_a_loopback_base_url_and_stop_frees_it() -> None:
    demo = DemoSite()
    base_url = demo.start()
    assert base_url.startswith("http://127.0.0.1:")
    assert httpx.get(base_url + "/robots.txt", timeout=5.0).status_code == 200
    demo.stop()
    with pytest.raises(httpx.TransportError):
        httpx.get(base_url + "/robots.txt", timeout=2.0)
    with pytest.raises(RuntimeError):
        _ = demo.feed_url


def test_a_public_url_is_what_the_feed_links_carry_while_the_site_listens_where_it_binds() -> None:
    """In a compose stack the fetcher reaches the site as http://demo:8080, not by the address it binds."""
    with DemoSite(public_url="http://demo.invalid:8080/") as site:
        assert site.feed_url == "http://demo.invalid:8080" + FEED_PATH
        bound = f"http://127.0.0.1:{site._require_server().server_address[1]}"
        feed = feedparser.parse(httpx.get(bound + FEED_PATH, timeout=5.0).content)
        links = [entry.link for entry in feed.entries]
        assert len(links) == 5
        assert all(link.startswith("http://demo.invalid:8080/") for link in links), links


def test_rss_feed_lists_five_articles_pointing_at_the_running_server(site: DemoSite, client: httpx.Client) -> None:
    response = client.get(site.feed_url)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/rss+xml")

    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "rss20"
    assert len(feed.entries) == 5
    links = [entry.link for entry in feed.entries]
    assert sorted(links) == site.article_urls()
    for entry in feed.entries:
        assert entry.title
        assert entry.summary
        assert entry.author
        assert entry.id == entry.link
        assert entry.published_parsed[:2] == (2011, 11)


def test_every_feed_link_is_a_utf8_html_page(site: DemoSite, client: httpx.Client) -> None:
    feed = feedparser.parse(client.get(site.feed_url).content)
    for entry in feed.entries:
        page = client.get(entry.link)
        assert page.status_code == 200, entry.link
        assert page.headers["content-type"] == "text/html; charset=utf-8"
        parsed = _parse_page(page.text)
        assert parsed.canonical == entry.link
        (metadata,) = parsed.json_ld
        assert metadata["@type"] == "NewsArticle"
        assert metadata["headline"] == entry.title
        assert str(metadata["datePublished"]).startswith("2011-11-")
        assert sum(len(p.split()) for p in parsed.article_paragraphs) >= 150


def test_atom_feed_matches_the_rss_feed(site: DemoSite, client: httpx.Client) -> None:
    response = client.get(site.atom_url)
    assert response.headers["content-type"].startswith("application/atom+xml")
    atom = feedparser.parse(response.content)
    rss = feedparser.parse(client.get(site.feed_url).content)
    assert atom.version == "atom10"
    assert [e.link for e in atom.entries] == [e.link for e in rss.entries]
    assert [e.published_parsed for e in atom.entries] == [e.published_parsed for e in rss.entries]


def test_feed_answers_304_to_a_matching_etag_or_date(site: DemoSite, client: httpx.Client) -> None:
    first = client.get(site.feed_url)
    etag, last_modified = first.headers["etag"], first.headers["last-modified"]

    by_etag = client.get(site.feed_url, headers={"If-None-Match": etag})
    assert by_etag.status_code == 304
    assert by_etag.content == b""
    assert by_etag.headers["etag"] == etag

    by_date = client.get(site.feed_url, headers={"If-Modified-Since": last_modified})
    assert by_date.status_code == 304

    stale = client.get(site.feed_url, headers={"If-None-Match": '"not-the-current-tag"'})
    assert stale.status_code == 200
    assert stale.content == first.content


def test_home_page_advertises_the_feed_and_unknown_paths_are_404(site: DemoSite, client: httpx.Client) -> None:
    home = client.get(site.base_url + "/")
    assert home.status_code == 200
    assert '<link rel="alternate" type="application/rss+xml"' in home.text
    assert 'href="/feed.xml"' in home.text
    assert client.get(site.base_url + "/robots.txt").text.startswith("User-agent: *\nAllow: /")
    assert client.get(site.base_url + "/articles/../server.py").status_code == 404
    assert client.get(site.base_url + "/nope.html").status_code == 404


def test_no_placeholder_survives_rendering(site: DemoSite, client: httpx.Client) -> None:
    for url in [site.base_url + "/", site.feed_url, site.atom_url, *site.article_urls()]:
        assert "{base_url}" not in client.get(url).text, url


def test_seed_page_carries_every_paragraph_of_the_seed_article(site: DemoSite, client: httpx.Client) -> None:
    if not SEED_TEXT.is_file():
        pytest.skip(f"seed article not found at {SEED_TEXT} (set NEWSWIRE_SEED_ARTICLE)")
    seed_lines = [line.strip() for line in SEED_TEXT.read_text(encoding="utf-8").splitlines()]
    first = next(i for i, line in enumerate(seed_lines) if line.startswith("At least 70 people have been"))
    last = seed_lines.index(APPEAL_OPENING)
    subheadings = {"Overcoming the crisis", "'Feed on blood'"}
    expected = [line for line in seed_lines[first:last] if line and line not in subheadings]
    assert len(expected) == 19

    page = client.get(site.seed_url).text
    paragraphs = _parse_page(page).article_paragraphs
    missing = [line for line in expected if line not in paragraphs]
    assert not missing
    for subheading in subheadings:
        assert f"<h2>{subheading}</h2>" in page


def test_seed_page_keeps_the_boilerplate_the_cleaner_must_strip(site: DemoSite, client: httpx.Client) -> None:
    page = client.get(site.seed_url).text
    parsed = _parse_page(page)
    assert any(APPEAL_CLOSING in p for p in parsed.article_paragraphs)
    assert any(APPEAL_OPENING in p for p in parsed.article_paragraphs)
    assert "(REUTERS/Handout)" in page
    assert "Share This Article" in page
    assert "More in:" in page
    assert "Published on" in page
    assert "Al Jazeera English" in page
    (metadata,) = parsed.json_ld
    assert str(metadata["datePublished"]).startswith("2011-11-15T")


def test_demo_feeds_yaml_points_the_fetcher_at_the_feed(site: DemoSite) -> None:
    config = yaml.safe_load(demo_feeds_yaml(site.base_url, interval=5))
    (feed,) = config["feeds"]
    assert feed["url"] == site.feed_url
    assert feed["interval"] == 5
    assert feed["language"] == "en"
    assert isinstance(feed["tags"], list)
    assert feed["name"]

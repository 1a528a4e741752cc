"""`newswire feeds check|status`: entries out for a good feed, one line and a non-zero exit for a bad one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from newswire.fetcher.cli import format_table, health_table, main
from tests.support.http import LocalHttpServer, Route

RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>World news</title>
<item><title>Floods in  the valley</title><link>https://news.example/floods</link>
<pubDate>Tue, 24 Nov 2026 10:00:00 GMT</pubDate></item>
<item><title>Talks resume</title><link>https://news.example/talks</link></item></channel></rss>"""


def test_check_prints_a_table_of_the_entries(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_text(RSS, encoding="utf-8")
    assert main(["check", str(feed)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("World news — 2 entries (rss20)")
    assert out[1].split() == ["published", "title", "url"]
    assert out[2].split() == ["2026-11-24", "10:00", "Floods", "in", "the", "valley", "https://news.example/floods"]
    assert out[3].split() == ["-", "Talks", "resume", "https://news.example/talks"]


def test_check_json_prints_one_entry_per_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_text(RSS, encoding="utf-8")
    assert main(["check", str(feed), "--json"]) == 0
    entries = [orjson.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(e["url"], e["published"]) for e in entries] == [
        ("https://news.example/floods", "2026-11-24T10:00:00+00:00"),
        ("https://news.example/talks", None),
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<?xml version='1.0'?><rss version='2.0'><channel><title>x</title><<", "malformed feed"),
        (b"", "empty document"),
        (
            b"<html><head><link rel='alternate' type='application/rss+xml' href='https://news.example/rss'></head>",
            "HTML page; it advertises: https://news.example/rss",
        ),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": 3}', "'items' is not a list"),
    ],
    ids=["malformed", "empty", "html-page", "bad-json-feed"],
)
def test_check_a_bad_feed_is_one_line_and_a_non_zero_exit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, message: str
) -> None:
    feed = tmp_path / "feed"
    feed.write_bytes(content)
    assert main(["check", str(feed)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("newswire feeds check: ") and message in lines[0], lines


def test_check_a_missing_file_or_unreachable_url(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "/nonexistent/feed.xml"]) == 1
    assert "cannot read" in capsys.readouterr().err
    assert main(["check", "http://10.255.255.1/feed.xml"]) == 1  # private address, refused before connecting
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "blocked address" in err[0]


STATUS = orjson.dumps(
    {
        "service": "fetcher",
        "polling": False,
        "feeds": [{"name": "bbc", "polls": 4, "failures": 1, "not_modified_share": 0.25, "last_error": "HTTP 503"}],
    }
)


@pytest.fixture
def feed_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("NEWSWIRE_FETCHER__POLICY__ALLOW_PRIVATE", '["127.0.0.1/32"]')
    monkeypatch.setenv("NEWSWIRE_FETCHER__POLICY__PER_HOST_DELAY", "0")
    routes: dict[str, Route] = {
        "/rss": (200, {"Content-Type": "application/rss+xml"}, RSS.encode()),
        "/": (
            200,
            {"Content-Type": "text/html"},
            b"<html><head><link rel='alternate' type='application/rss+xml' href='/rss'></head>",
        ),
        "/feeds": (200, {"Content-Type": "application/json"}, b"not json"),
        "/ok/feeds": (200, {"Content-Type": "application/json"}, STATUS),
    }
    with LocalHttpServer(routes, fallback=(404, {"Content-Type": "text/plain"}, b"gone")) as server:
        yield server.base


def test_check_a_url_and_a_page_that_advertises_its_feed(feed_server: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", f"{feed_server}/rss", "--json"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 2
    assert main(["check", f"{feed_server}/", "--json"]) == 0
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 2 and f"{feed_server}/rss" in captured.err
    assert main(["check", f"{feed_server}/missing"]) == 1
    assert capsys.readouterr().err.strip() == f"newswire feeds check: {feed_server}/missing: HTTP 404"


def test_status_fails_in_one_line_when_the_fetcher_is_away_or_odd(
    feed_server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["status", "--url", feed_server]) == 1
    assert "did not answer with feed health JSON" in capsys.readouterr().err
    assert main(["status", "--url", "http://127.0.0.1:9", "--timeout", "2"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("newswire feeds status: cannot ask the fetcher")


def test_health_table_shows_one_row_per_feed_with_ages() -> None:
    feeds = [
        {"name": "bbc", "polls": 10, "failures": 0, "not_modified_share": 0.7, "items_last_poll": 30,
         "items_total": 12, "retries": 1, "consecutive_failures": 0, "last_success": 950.0},
        {"name": "gone", "polls": 3, "failures": 3, "not_modified_share": 0.0, "items_last_poll": 0,
         "items_total": 0, "retries": 0, "consecutive_failures": 3, "last_error_at": 700.0,
         "last_error": "HTTP 404"},
    ]  # fmt: skip
    lines = health_table(feeds, now=1000.0).splitlines()
    assert lines[0].split()[:4] == ["feed", "polls", "fails", "304s"]
    assert lines[1].split() == ["bbc", "10", "0", "70%", "30", "12", "1", "0", "50s", "ago", "-", "-"]
    assert lines[2].split() == ["gone", "3", "3", "0%", "0", "0", "0", "3", "-", "5m", "ago", "HTTP", "404"]


def test_format_table_cuts_long_cells_to_keep_one_line_per_row() -> None:
    table = format_table(("a", "b"), [("x" * 30, "multi\nline")], (10, 20))
    assert table.splitlines()[1] == "xxxxxxxxx…  multi line"


def test_status_prints_the_table_and_says_when_the_instance_is_not_polling(
    feed_server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["status", "--url", f"{feed_server}/ok/"]) == 0
    captured = capsys.readouterr()
    rows = captured.out.splitlines()
    assert rows[1].split()[:4] == ["bbc", "4", "1", "25%"] and rows[1].endswith("HTTP 503")
    assert "not the polling instance" in captured.err
    assert main(["status", "--url", f"{feed_server}/ok", "--json"]) == 0
    assert [orjson.loads(line)["name"] for line in capsys.readouterr().out.splitlines()] == ["bbc"]

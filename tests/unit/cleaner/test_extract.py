"""clean_html on pages we wrote: the seed article with its appeal, a syndicated copy, and bad input."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from newswire.cleaner.extract import CleaningError, clean_html
from newswire.common.models import FeedEntry
from tests.support import paths

FIXTURES = paths.FIXTURES / "cleaner"
SEED_URL = "https://www.commondreams.org/news/2011/11/15/syrias-bloodiest-day-leaves-scores-dead"
LAST_REAL_PARAGRAPH = (
    "Authorities blame armed groups for the violence, saying at least 1,100 soldiers and police have "
    "been killed since the uprising broke out in March."
)


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def article_page(paragraphs: list[str], *, head: str = "", title: str = "A report") -> str:
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<!DOCTYPE html><html lang='en'><head><title>{title}</title>{head}</head><body>"
        f"<nav><a href='/'>Home</a> <a href='/world'>World</a></nav>"
        f"<article><h1>{title}</h1>{body}</article><footer><a href='/about'>About us</a></footer></body></html>"
    )


REPORT = [
    "The city council voted on Monday to close three public libraries, citing a budget shortfall of "
    "four million dollars, officials said after a meeting that lasted late into the night.",
    "Hundreds of residents had gathered outside the town hall to protest against the closures, "
    "carrying placards and chanting slogans while police watched from a distance.",
    "The mayor said the decision was painful but unavoidable, and promised that mobile library vans "
    "would serve the affected neighbourhoods from the start of next year.",
    "Opposition councillors said they would challenge the vote in court, arguing that the council had "
    "failed to consult residents as the law requires before closing public services.",
]


def test_seed_article_loses_its_appeal_but_keeps_its_last_paragraph() -> None:
    result = clean_html(fixture("seed-commondreams.html"), url=SEED_URL)
    assert result.paragraphs[-1] == LAST_REAL_PARAGRAPH
    assert "This is the world we live in" not in result.text
    assert "please do" not in result.text
    assert "Share This Article" not in result.text
    assert "More in" not in result.text
    assert "REUTERS/Handout" not in result.text
    assert any("every gift of every size matters" in p for p in result.removed_boilerplate)
    assert result.paragraphs[0].startswith("At least 70 people")
    assert result.text == "\n\n".join(result.paragraphs)
    assert result.word_count > 500
    assert not result.empty


def test_seed_article_metadata() -> None:
    result = clean_html(fixture("seed-commondreams.html"), url="https://www.commondreams.org/x?utm=1")
    assert result.title == "Syria's 'Bloodiest Day' Leaves Scores Dead"
    assert result.authors == ["Al Jazeera English"]
    assert result.published_at == datetime(2011, 11, 15, 14, 12, tzinfo=UTC)
    assert result.published_source == "meta"
    assert result.canonical_url == SEED_URL
    assert result.site_name == "Common Dreams"
    assert result.language == "en"
    assert "Syria's 'Bloodiest Day' Leaves Scores Dead" in result.removed_boilerplate


def test_syndicated_copy_metadata_from_json_ld() -> None:
    result = clean_html(fixture("seed-syndicated.html"), url="https://worldreport.example/syria")
    assert result.published_source == "json-ld"
    assert result.published_at == datetime(2011, 11, 15, 16, 40, tzinfo=UTC)
    assert result.site_name == "World Report Daily"
    assert result.canonical_url == "https://worldreport.example/syria"
    assert result.paragraphs[-1] == "Source: Al Jazeera and agencies"
    assert not any("newsletter" in p for p in result.paragraphs)


def test_feed_date_is_the_fallback_and_recorded_as_such() -> None:
    published = datetime(2024, 3, 5, 8, 30, tzinfo=UTC)
    entry = FeedEntry(feed_url="https://news.example/rss", published=published, title="Feed title")
    result = clean_html(article_page(REPORT, title="Libraries to close"), feed_entry=entry)
    assert result.published_at == published
    assert result.published_source == "feed"
    without_feed = clean_html(article_page(REPORT, title="Libraries to close"))
    assert without_feed.published_source == "none"
    assert without_feed.published_at is None


def test_bylines_never_yield_reading_times_or_labels_as_authors() -> None:
    head = '<meta name="author" content="By Jane Doe | 4 Minute Read | Published">'
    result = clean_html(article_page(REPORT, head=head))
    assert result.authors == ["Jane Doe"]


def test_page_without_article_text_is_flagged_empty() -> None:
    html = "<html><head><title>Login</title></head><body><nav><a href='/a'>A</a></nav></body></html>"
    result = clean_html(html)
    assert result.empty
    assert result.word_count < 10


@pytest.mark.parametrize("html", ["", "   \n\t  "])
def test_empty_body_is_refused_with_a_reason(html: str) -> None:
    with pytest.raises(CleaningError, match="empty"):
        clean_html(html)


@pytest.mark.parametrize(
    "text",
    ["Just a line of plain text, no markup at all.", '{"id": 1, "title": "json, not html"}'],
)
def test_non_html_is_refused(text: str) -> None:
    with pytest.raises(CleaningError, match="not HTML"):
        clean_html(text)


def test_binary_is_refused() -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
    with pytest.raises(CleaningError, match="binary"):
        clean_html(png.decode("latin-1"))
    with pytest.raises(CleaningError, match="binary"):
        clean_html(png)


def test_invalid_bytes_decoded_or_refused() -> None:
    page = article_page(REPORT).encode("utf-8")
    mangled = page.replace(b"Hundreds", b"Hundr\xff\xfeds")
    result = clean_html(mangled.decode("utf-8", errors="surrogateescape"))
    assert any("protest against the closures" in p for p in result.paragraphs)
    from_bytes = clean_html(mangled)
    assert "protest against the closures" in from_bytes.text
    garbage = "<html><body>" + "\udcff\udcfe" * 5000 + "</body></html>"
    with pytest.raises(CleaningError, match="invalid bytes"):
        clean_html(garbage)


def test_byte_input_in_utf16_or_a_declared_charset_is_decoded() -> None:
    page = article_page(REPORT, head='<meta charset="iso-8859-1">').replace("town hall", "Café du Commerce")
    assert "Café du Commerce" in clean_html(page.encode("iso-8859-1")).text
    assert "Café du Commerce" in clean_html(page.encode("utf-16")).text


def test_ten_megabyte_page_is_cleaned_in_bounded_time() -> None:
    report = "".join(f"<p>Paragraph {i}: {REPORT[i % len(REPORT)]}</p>" for i in range(12))
    bulk = "<script>var payload = '" + "x" * 6_000_000 + "';</script>"
    junk = "<div class='promo'><a href='/deal'>deal</a> more</div>\n" * 80_000
    html = f"<html><head><title>Big</title>{bulk}</head><body><article>{report}</article>{junk}</body></html>"
    assert len(html) > 10_000_000
    started = time.perf_counter()
    result = clean_html(html)
    assert time.perf_counter() - started < 60
    assert "Paragraph 11:" in result.text


def test_deeply_nested_markup_is_no_crash() -> None:
    depth = 50_000
    html = "<html><body>" + "<div>" * depth + "<p>deep</p>" + "</div>" * depth + "</body></html>"
    result = clean_html(html)
    assert result.empty or result.word_count < 5

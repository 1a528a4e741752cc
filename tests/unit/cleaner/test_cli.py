"""`newswire clean` as a user runs it: a real child process, files and JSON lines in, JSON lines out."""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import orjson

from tests.support import paths

FIXTURES = paths.FIXTURES / "cleaner"
SEED = FIXTURES / "seed-commondreams.html"
APPEAL = "This is the world we live in"


def run_clean(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "newswire", "clean", *args], input=stdin, capture_output=True, timeout=120, check=False
    )


def lines_of(result: subprocess.CompletedProcess[bytes]) -> list[dict[str, object]]:
    return [orjson.loads(line) for line in result.stdout.splitlines() if line.strip()]


def test_a_fixture_page_gives_one_line_with_clean_text_and_metadata(tmp_path: Path) -> None:
    packed = tmp_path / "seed.html.gz"
    packed.write_bytes(gzip.compress(SEED.read_bytes()))
    result = run_clean(str(SEED), str(packed))
    assert result.returncode == 0, result.stderr.decode()
    plain, from_gzip = lines_of(result)
    assert plain["id"] == str(SEED)
    assert "Twenty-three people were shot dead" in str(plain["text"])
    assert APPEAL not in str(plain["text"]) and "Share This Article" not in str(plain["text"])
    assert plain["title"] == "Syria's 'Bloodiest Day' Leaves Scores Dead"
    assert plain["published_at"] == "2011-11-15T09:12:00-05:00" and plain["published_source"] == "meta"
    assert plain["language"] == "en" and plain["empty"] is False
    assert "Minute Read" not in str(plain["authors"]) and "Published" not in str(plain["authors"])
    assert {key: value for key, value in from_gzip.items() if key != "id"} == {
        key: value for key, value in plain.items() if key != "id"
    }


def test_json_lines_on_stdin_give_one_line_each_in_order() -> None:
    pages = [
        {"id": "seed", "html": SEED.read_text(encoding="utf-8"), "url": "https://www.commondreams.org/news/x"},
        {"id": "copy", "html": (FIXTURES / "seed-syndicated.html").read_text(encoding="utf-8")},
    ]
    stdin = b"\n".join(orjson.dumps(page) for page in pages) + b"\n"
    result = run_clean("-", stdin=stdin)
    assert result.returncode == 0, result.stderr.decode()
    seed, copy = lines_of(result)
    assert [seed["id"], copy["id"]] == ["seed", "copy"]
    assert copy["site_name"] == "World Report Daily" and copy["published_source"] == "json-ld"
    assert "Twenty-three people were shot dead" in str(copy["text"])


def test_binary_and_non_html_inputs_are_clear_error_lines_and_a_failure_exit(tmp_path: Path) -> None:
    binary = tmp_path / "photo.html"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    plain = tmp_path / "notes.txt"
    plain.write_text("Just a note, with no markup at all.", encoding="utf-8")
    result = run_clean(str(binary), str(plain), str(SEED))
    assert result.returncode != 0
    bad_binary, bad_text, good = lines_of(result)
    assert bad_binary["id"] == str(binary) and "binary" in str(bad_binary["error"])
    assert bad_text["id"] == str(plain) and "not HTML" in str(bad_text["error"])
    assert "error" not in good and "Twenty-three people were shot dead" in str(good["text"])


def test_an_empty_html_field_on_stdin_is_an_error_line() -> None:
    result = run_clean("-", stdin=b'{"id": "blank", "html": ""}\n')
    assert result.returncode != 0
    assert lines_of(result) == [{"id": "blank", "error": "empty document"}]

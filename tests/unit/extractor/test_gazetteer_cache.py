"""The gazetteer kept on disk between starts: loaded when it is this very build, rebuilt otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest

from newswire.extractor import gazetteer_cache
from newswire.extractor.assembly import geo


def _small_gazetteer(*_: object) -> geo.Gazetteer:
    cities = [
        {
            "geonameid": 4259418,
            "name": "Indianapolis",
            "countrycode": "US",
            "admin1code": "IN",
            "latitude": 39.77,
            "longitude": -86.16,
            "population": 867125,
            "alternatenames": ["Indy"],
        }
    ]
    countries = [{"geonameid": 6252001, "name": "United States", "iso": "US", "population": 327167434}]
    return geo.Gazetteer(cities, countries)


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the real builds `load_gazetteer` asks for, each returning the small index."""
    calls: list[int] = []

    def build(min_population: int = 5000) -> geo.Gazetteer:
        calls.append(min_population)
        return _small_gazetteer()

    monkeypatch.setattr(geo, "default_gazetteer", build)
    return calls


def test_the_second_start_loads_what_the_first_built(tmp_path: Path, builds: list[int]) -> None:
    first = gazetteer_cache.load_gazetteer(500, tmp_path)
    second = gazetteer_cache.load_gazetteer(500, tmp_path)
    assert builds == [500]
    assert second is not first
    assert [place.name for place in second.lookup("Indy")] == ["Indianapolis"]
    assert second.by_id(4259418) == first.by_id(4259418)
    assert [path.name for path in tmp_path.iterdir()] == [gazetteer_cache.cache_path(tmp_path, 500).name]


def test_another_town_size_is_another_build(tmp_path: Path, builds: list[int]) -> None:
    gazetteer_cache.load_gazetteer(500, tmp_path)
    gazetteer_cache.load_gazetteer(1000, tmp_path)
    assert builds == [500, 1000]
    assert gazetteer_cache.fingerprint(500) != gazetteer_cache.fingerprint(1000)


def test_an_older_build_is_replaced_not_loaded(tmp_path: Path, builds: list[int]) -> None:
    stale = tmp_path / "gazetteer-500-0123456789abcdef0123.pickle"
    stale.write_bytes(b"an index built by older code")
    gazetteer_cache.load_gazetteer(500, tmp_path)
    assert builds == [500]
    assert not stale.exists()
    assert gazetteer_cache.cache_path(tmp_path, 500).exists()


@pytest.mark.parametrize("content", [b"", b"\x80\x05truncated", b"\x80\x05K\x07."])  # nothing, half, an int
def test_a_broken_file_is_rebuilt_and_replaced(tmp_path: Path, builds: list[int], content: bytes) -> None:
    path = gazetteer_cache.cache_path(tmp_path, 500)
    path.write_bytes(content)
    gazetteer = gazetteer_cache.load_gazetteer(500, tmp_path)
    assert builds == [500]
    assert gazetteer.lookup("Indianapolis")
    assert gazetteer_cache.load_gazetteer(500, tmp_path).lookup("Indianapolis")
    assert builds == [500]


def test_a_folder_that_cannot_be_written_costs_time_not_the_service(tmp_path: Path, builds: list[int]) -> None:
    blocked = tmp_path / "a-file-not-a-folder"
    blocked.write_text("")
    gazetteer = gazetteer_cache.load_gazetteer(500, blocked / "cache")
    assert gazetteer.lookup("Indianapolis")
    assert builds == [500]


def test_no_folder_means_no_file(tmp_path: Path, builds: list[int]) -> None:
    gazetteer_cache.load_gazetteer(500, None)
    assert builds == [500]
    assert list(tmp_path.iterdir()) == []


def test_the_folder_can_be_set_or_turned_off_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from newswire.extractor.settings import ExtractorSettings

    assert ExtractorSettings().extractor.gazetteer_cache_dir == Path.home() / ".cache" / "newswire"
    monkeypatch.setenv("NEWSWIRE_EXTRACTOR__GAZETTEER_CACHE_DIR", "/opt/newswire/gazetteer")
    assert ExtractorSettings().extractor.gazetteer_cache_dir == Path("/opt/newswire/gazetteer")
    monkeypatch.setenv("NEWSWIRE_EXTRACTOR__GAZETTEER_CACHE_DIR", "")
    assert ExtractorSettings().extractor.gazetteer_cache_dir is None

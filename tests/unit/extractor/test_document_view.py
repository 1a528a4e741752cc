"""The document view: every place and date of an article, with offsets into its text exactly as given."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from newswire.common.models import Event, ModelInfo
from newswire.extractor.assembly import document_places
from newswire.extractor.pipeline import ArticleInput, EventExtractor
from newswire.extractor.sentences import split_sentences
from newswire.extractor.types import EntitySpan, SentenceAnalysis
from tests.support.analyses import analyses_with_places

TEXT = (
    "CAIRO (Reuters) - Thousands of protesters marched in Alexandria on Friday, a week after police "
    "arrested 40 people in the Sinai. Turkish officials said talks with Jordan will resume next month in Ankara."
)


def _analyses(text: str) -> list[SentenceAnalysis]:
    """No model: entities where a tagger would put them (LOC for places, PER for a man called Jordan)."""
    analyses = []
    for sentence in split_sentences(text):
        entities = tuple(
            EntitySpan("LOC", m.group(0), m.start(), m.end())
            for m in re.finditer(r"\b(?:Alexandria|Ankara|Sinai)\b", sentence.text)
        )
        analyses.append(SentenceAnalysis(sentence=sentence, event_type=None, event_score=0.0, entities=entities))
    return analyses


def test_places_have_offsets_into_the_text_and_resolve_with_the_article_context() -> None:
    places = document_places(_analyses(TEXT))
    assert all(TEXT[p.start : p.end] == p.text for p in places)
    by_text = {p.text: p for p in places}
    # The dateline, written in capitals, is a place of the document too.
    assert by_text["CAIRO"].name == "Cairo" and by_text["CAIRO"].country_code == "EG"
    # Alexandria, Egypt, not Alexandria, Virginia: the article is about Egypt.
    alexandria = by_text["Alexandria"]
    assert alexandria.country_code == "EG" and alexandria.feature_class == "P" and alexandria.precision == "city"
    assert alexandria.lat is not None and 30 < alexandria.lat < 32
    assert by_text["Ankara"].country_code == "TR" and by_text["Ankara"].confidence > 0.5
    # "Turkish officials" stands for the Turkish state: the country is a place of the document, with
    # less confidence than a place named outright; "Turkish coffee" would not be.
    assert by_text["Turkish"].country_code == "TR" and by_text["Turkish"].precision == "country"
    assert by_text["Turkish"].confidence < by_text["Ankara"].confidence
    coffee = document_places(analyses_with_places("They drank Turkish coffee in Ankara.", ["Ankara"]))
    assert [p.text for p in coffee] == ["Ankara"]


def test_a_us_town_carries_its_state_name_as_well_as_its_code() -> None:
    text = "Flooding closed schools in Baton Rouge, Louisiana on Tuesday."
    places = {p.text: p for p in document_places(analyses_with_places(text, ["Baton Rouge", "Louisiana"]))}
    assert places["Baton Rouge"].country_code == "US"
    assert places["Baton Rouge"].admin1 == "Louisiana" and places["Baton Rouge"].admin1_code == "LA"


def test_a_town_abroad_carries_its_region_name_and_a_province_is_a_place() -> None:
    text = "Gunmen attacked a checkpoint in Kirkuk. Later, protests spread across Ontario and Dagestan."
    places = {p.text: p for p in document_places(analyses_with_places(text, ["Kirkuk", "Ontario", "Dagestan"]))}
    # The city, not its governorate of the same name, with the governorate's name as GeoNames gives it.
    kirkuk = places["Kirkuk"]
    assert (kirkuk.precision, kirkuk.country_code, kirkuk.admin1_code) == ("city", "IQ", "13")
    assert kirkuk.admin1 == "Muhafazat Kirkuk"
    # A province is a first-level region of its country: Ontario, Canada, not Ontario, California.
    ontario, dagestan = places["Ontario"], places["Dagestan"]
    assert (ontario.precision, ontario.country_code, ontario.admin1) == ("admin1", "CA", "Ontario")
    assert (dagestan.precision, dagestan.country_code, dagestan.feature_code) == ("admin1", "RU", "ADM1")
    assert dagestan.lat is not None and dagestan.lon is not None and 41 < dagestan.lat < 45 and 45 < dagestan.lon < 49


def test_a_demonym_refers_to_its_country_unless_it_is_a_dish_a_language_or_an_ethnicity() -> None:
    text = "Russian artists who emigrated showed their work beside Palestinian embroidery, and the Russians came."
    places = document_places(analyses_with_places(text, []))
    assert all(text[p.start : p.end] == p.text for p in places)
    assert [(p.text, p.country_code) for p in places] == [("Russian", "RU"), ("Palestinian", "PS"), ("Russians", "RU")]
    # Less sure than a place named outright, and than a demonym that stands for a state ("Turkish officials").
    assert all(p.precision == "country" and p.confidence == 0.5 for p in places)
    us_story = (
        "In Tulsa, she speaks Russian, cooks Turkish food and leads a Mexican-American choir on the Indian reservation."
    )
    assert [p.text for p in document_places(analyses_with_places(us_story, ["Tulsa"]))] == ["Tulsa"]


def test_two_states_joined_by_a_hyphen_are_both_places_and_an_ethnicity_is_none() -> None:
    text = (
        "Egyptian-US relations and the Egyptian-Israeli treaty outlived a Turkish-born envoy's African-American aide."
    )
    places = document_places(analyses_with_places(text, []))
    assert [(p.text, p.country_code) for p in places] == [("Egyptian", "EG"), ("Egyptian", "EG"), ("Israeli", "IL")]


def test_an_organisation_named_after_a_place_refers_to_it_and_a_mans_business_does_not() -> None:
    text = (
        "The Texas Parks and Wildlife Department and researchers at the University of Georgia counted the birds. "
        "Norman's Welding and Commerce Bank paid for the survey."
    )
    organisations = [
        "Texas Parks and Wildlife Department",
        "University of Georgia",
        "Norman's Welding",
        "Commerce Bank",
    ]
    places = {p.text: p for p in document_places(analyses_with_places(text, organisations, label="ORG"))}
    # The states, not the country of Georgia: the article is about the US (Texas says so).
    assert {name: (p.precision, p.country_code, p.admin1_code) for name, p in places.items()} == {
        "Texas": ("admin1", "US", "TX"),
        "Georgia": ("admin1", "US", "GA"),
    }
    assert all(text[p.start : p.end] == p.text and p.confidence == 0.5 for p in places.values())


class _NoEvents:
    """Stands in for the model: every sentence analysed as no event, places tagged as a tagger would."""

    model_name, model_version, encoder_name, event_threshold = "none", "0", "none", 0.5

    def analyze(self, sentences: list[object], leads: object = ()) -> list[SentenceAnalysis]:
        return _analyses(TEXT)


def test_the_enriched_article_carries_places_and_dates_resolved_against_publication() -> None:
    extractor = EventExtractor(_NoEvents())  # type: ignore[arg-type]
    article = ArticleInput(article_id="a" * 64, text=TEXT, published_at=datetime(2013, 3, 20, 9, tzinfo=UTC))
    enriched = extractor.extract([article])[0].enriched
    assert enriched.schema_version == 4
    assert enriched.model == ModelInfo(name="none", version="0", encoder="none")
    assert [(d.text, d.value) for d in enriched.dates] == [("Friday", "2013-03-15"), ("next month", "2013-04")]
    assert all(TEXT[d.start : d.end] == d.text for d in enriched.dates)
    assert {"CAIRO", "Alexandria", "Ankara"} <= {p.text for p in enriched.places}


def test_states_and_countries_are_places_on_the_map() -> None:
    text = "Storms hit Louisiana and later Egypt."
    places = {p.text: p for p in document_places(analyses_with_places(text, ["Louisiana", "Egypt"]))}
    louisiana = places["Louisiana"]
    # A US state resolves to the state (GeoNames id of the ADM1), not to a namesake town.
    assert louisiana.precision == "admin1" and louisiana.feature_code == "ADM1" and louisiana.geonames_id == 4331987
    assert louisiana.lat is not None and louisiana.lon is not None
    assert 29 < louisiana.lat < 33 and -94 < louisiana.lon < -89
    egypt = places["Egypt"]
    # A country gets a point near its middle, not none and not its capital's.
    assert egypt.precision == "country" and egypt.lat is not None and egypt.lon is not None
    assert 24 < egypt.lat < 29 and 28 < egypt.lon < 32


def test_us_local_context_keeps_a_town_at_home() -> None:
    """Alexandria, Louisiana, not Alexandria, Egypt, nor Virginia: Rapides Parish is only in Louisiana."""
    text = "Deputies from Rapides Parish searched a house in Alexandria on Tuesday."
    alexandria = {p.text: p for p in document_places(analyses_with_places(text, ["Alexandria"]))}["Alexandria"]
    assert alexandria.country_code == "US" and alexandria.admin1_code == "LA", alexandria
    # Without the parish, the city that dwarfs its namesakes wins.
    bare = document_places(analyses_with_places("Police searched a house in Alexandria.", ["Alexandria"]))
    assert bare[0].country_code == "EG"


def test_a_town_and_its_state_tagged_as_one_place_are_two_and_the_state_places_the_town() -> None:
    text = "CHARLESTON, W.Va. - Lawmakers met in Charleston on Monday."
    places = document_places(analyses_with_places(text, ["CHARLESTON, W.Va."]))
    by_text = {p.text: p for p in places}
    assert by_text["W.Va."].name == "West Virginia" and by_text["W.Va."].precision == "admin1"
    assert by_text["CHARLESTON"].country_code == "US" and by_text["CHARLESTON"].admin1_code == "WV"
    assert all(text[p.start : p.end] == p.text for p in places)


def test_georgia_is_the_state_in_us_news_and_the_country_in_news_from_the_caucasus() -> None:
    us = "Storms moved from Alabama into Georgia, where Atlanta lost power."
    caucasus = "Russian troops crossed into Georgia and advanced on Tbilisi."
    in_us = {p.text: p for p in document_places(analyses_with_places(us, ["Alabama", "Georgia", "Atlanta"]))}
    abroad = {p.text: p for p in document_places(analyses_with_places(caucasus, ["Georgia", "Tbilisi"]))}
    assert in_us["Georgia"].precision == "admin1" and in_us["Georgia"].country_code == "US"
    assert abroad["Georgia"].precision == "country" and abroad["Georgia"].country_code == "GE"


def test_a_public_body_named_after_its_state_places_the_story_there() -> None:
    """The tagger reads "the Texas Department of Public Safety" as an organisation; its name still says
    where the story is, as "Turkish officials" does for a country. A newspaper's name does not."""
    text = (
        "The Ohio Legislature passed the bill, and the Texas Department of Public Safety said New York Gov. "
        "Andrew Cuomo had called. The Washington Post reported it first."
    )
    places = {p.text: p for p in document_places(analyses_with_places(text, []))}
    assert {name: places[name].admin1_code for name in ("Ohio", "Texas", "New York")} == {
        "Ohio": "OH",
        "Texas": "TX",
        "New York": "NY",
    }, places
    assert all(places[name].precision == "admin1" for name in ("Ohio", "Texas", "New York"))
    assert "Washington" not in places and "The Ohio" not in places


def test_a_name_used_for_a_place_means_it_again_inside_an_organisation_but_not_in_a_person_or_longer_name() -> None:
    """One sense per discourse: the tagger found Mansfield once; the library named after it is there too
    (LGL and GKG count it), and so is MANSFIELD in capitals. "Tim Mansfield" is a man, and "Port
    Mansfield" another place."""
    text = (
        "Flooding closed roads in Mansfield, Ohio on Monday. The Mansfield Public Library opened its doors to "
        "stranded drivers. Mayor Tim Mansfield thanked volunteers. Boats left Port Mansfield at dawn. "
        "Parents said MANSFIELD had reopened its schools."
    )
    analyses = []
    for sentence in split_sentences(text):
        entities: tuple[EntitySpan, ...] = ()
        if sentence.text.startswith("Flooding"):
            start = sentence.text.index("Mansfield")
            entities = (EntitySpan("LOC", "Mansfield", start, start + len("Mansfield")),)
        elif sentence.text.startswith("Mayor"):
            start = sentence.text.index("Tim Mansfield")
            entities = (EntitySpan("PER", "Tim Mansfield", start, start + len("Tim Mansfield")),)
        analyses.append(SentenceAnalysis(sentence=sentence, event_type=None, event_score=0.0, entities=entities))
    mansfields = [p for p in document_places(analyses) if p.text.lower() == "mansfield"]
    assert [(p.start, p.text) for p in mansfields] == [
        (text.index("Mansfield"), "Mansfield"),
        (text.index("Mansfield Public"), "Mansfield"),
        (text.index("MANSFIELD"), "MANSFIELD"),  # the same name in capitals
    ]
    first, again, capitals = mansfields
    assert first.admin1 == "Ohio" and again.geonames_id == capitals.geonames_id == first.geonames_id
    assert again.confidence <= 0.5 < first.confidence


def test_a_dateline_in_capitals_names_the_town_its_headline_and_story_write_in_title_case() -> None:
    """Local papers print the dateline in capitals ("CLINTON —"); the headline and the story say "Clinton"."""
    text = (
        "Clinton couple faces drug counts. CLINTON — A town couple was arrested on Friday, and Clinton "
        "police said more arrests may follow. Clinton Smith, a neighbour, said so."
    )
    analyses = []
    for sentence in split_sentences(text):
        entities: tuple[EntitySpan, ...] = ()
        if "Clinton Smith" in sentence.text:
            start = sentence.text.index("Clinton Smith")
            entities = (EntitySpan("PER", "Clinton Smith", start, start + len("Clinton Smith")),)
        analyses.append(SentenceAnalysis(sentence=sentence, event_type=None, event_score=0.0, entities=entities))
    clintons = [p for p in document_places(analyses) if p.text.lower() == "clinton"]
    assert [(p.start, p.text) for p in clintons] == [
        (0, "Clinton"),
        (text.index("CLINTON"), "CLINTON"),
        (text.index("Clinton police"), "Clinton"),
    ]  # not the man
    assert len({p.geonames_id for p in clintons}) == 1 and clintons[0].geonames_id is not None


def test_a_company_s_base_and_a_legislator_s_home_are_places_of_the_document() -> None:
    """Never an event's place ("a Houston-based contractor" works elsewhere), but the article names them.
    A party letter before a town is a legislator's home, in the state the story is about."""
    text = (
        "Minnesota lawmakers met on Monday. Senate Tax Chairman Tom Bakk, DFL-Moorhead, said the Seattle-based "
        "contractor would testify, as would Rep. Charles Rangel (D-N.Y.)."
    )
    places = {p.text: p for p in document_places(analyses_with_places(text, ["Minnesota"]))}
    assert (places["Moorhead"].admin1_code, places["Moorhead"].precision) == ("MN", "city")
    assert (places["Seattle"].admin1_code, places["Seattle"].precision) == ("WA", "city")
    assert (places["N.Y."].admin1_code, places["N.Y."].precision) == ("NY", "admin1")
    assert all(places[name].confidence < places["Minnesota"].confidence for name in ("Moorhead", "Seattle", "N.Y."))
    assert "Tom Bakk" not in places and "DFL" not in places


def test_a_legislator_s_state_is_the_state_however_the_party_and_the_state_are_written() -> None:
    """AP writes the state's abbreviation; writers drop its full stop ("D-Calif"), a quote may follow it, and
    the tagger may read "D-Pa" as a place, whose "Pa" alone is a town in China."""
    text = (
        "Speaker Nancy Pelosi, D-Calif, told colleagues in Washington. Rep. Earl Pomeroy, D-N.D. “These bonuses "
        "are wrong.” Sen. Bob Casey, D-Pa., agreed."
    )
    places = {p.text: p for p in document_places(analyses_with_places(text, ["Washington", "D-Pa"]))}
    states = {name: (places[name].admin1_code, places[name].precision) for name in ("Calif", "N.D.", "Pa.")}
    assert states == {"Calif": ("CA", "admin1"), "N.D.": ("ND", "admin1"), "Pa.": ("PA", "admin1")}
    assert "Pa" not in places and "D-Pa" not in places


def test_a_state_or_province_named_by_its_people_is_a_place_of_the_document() -> None:
    """As "Russians" name Russia at demonym confidence; endings that make plain words name nothing."""
    text = "The census will hire 8,000 Minnesotans, and Ontarians will pay less. Guardians and musicians agreed."
    places = {p.text: p for p in document_places(analyses_with_places(text, []))}
    assert (places["Minnesotans"].admin1_code, places["Minnesotans"].precision) == ("MN", "admin1")
    assert (places["Ontarians"].name, places["Ontarians"].country_code, places["Ontarians"].admin1_code) == (
        "Ontario",
        "CA",
        "08",
    )
    assert places["Ontarians"].confidence < 0.9
    assert "Guardians" not in places and "musicians" not in places


def test_a_capitalised_office_after_a_country_names_the_country() -> None:
    """ "U.S. President Barack Obama" and "U.S. Census data" name the country as "US officials" does."""
    text = "Syria wants direct contact with U.S. President Barack Obama, citing U.S. Census data."
    places = document_places(analyses_with_places(text, ["Syria"]))
    assert [(p.text, p.country_code) for p in places if p.text == "U.S."] == [("U.S.", "US"), ("U.S.", "US")]


def test_a_name_the_article_resolved_two_ways_means_one_place_throughout() -> None:
    """The headline's "Palestine", which no tagger marked, had been the Palestinian territories while the
    story's own "Palestine", beside Freestone and Anderson counties, was the Texas town."""
    text = (
        "Palestine man charged in theft. A Palestine man was arrested Tuesday in Fairfield, Texas, the "
        "Freestone County sheriff said. He was taken to the Anderson County Jail in Palestine, Texas."
    )
    analyses = analyses_with_places(text, ["Palestine", "Fairfield"])
    analyses[0] = replace(analyses[0], entities=())
    places = [p for p in document_places(analyses) if p.text == "Palestine"]
    assert len(places) == 3
    assert {(p.country_code, p.admin1_code) for p in places} == {("US", "TX")}


def test_the_white_house_and_a_president_s_administration_are_no_towns() -> None:
    """The tagger marks "White House" as a place: it holds no town of White (Georgia). "The Bush
    administration" is a president's, not Būsh, Egypt's (136,000 people)."""
    text = "The White House said the Bush administration had kept its promises to Egypt."
    places = document_places(analyses_with_places(text, ["White House", "Egypt"]))
    assert [(p.text, p.country_code) for p in places if p.lat is not None] == [("Egypt", "EG")]


def test_a_dateline_after_the_headline_is_a_place_of_the_document() -> None:
    """Events read a dateline in any of the first three sentences; the document view now does too."""
    text = "Mason charged with theft. TORRINGTON — A Danbury man was arraigned Monday in Connecticut."
    places = {p.text: p for p in document_places(analyses_with_places(text, ["Danbury", "Connecticut"]))}
    assert (places["TORRINGTON"].name, places["TORRINGTON"].admin1_code) == ("Torrington", "CT")


def test_an_event_s_place_is_the_place_its_article_means_by_the_name() -> None:
    """Resolved by its sentence alone, "Palestine" is the Palestinian territories; where the document view
    settled the article's "Palestine" as the Texas town (4717232), the event is pinned there too."""
    text = "Police shot dead a man in Palestine on Friday."
    analyses = _one_assault(text, "Palestine")

    def event_places(senses: dict[str, int] | None) -> list[tuple[str | None, str | None, int | None]]:
        events = _events(analyses, text, place_senses=senses)
        return [(e.location.name, e.location.admin1, e.location.geonames_id) for e in events if e.location]

    assert event_places(None) == [("Palestine", None, 6254930)]
    assert event_places({"palestine": 4717232}) == [("Palestine", "TX", 4717232)]
    assert event_places({"gaza": 281133}) == [("Palestine", None, 6254930)]  # another name: no change


def test_the_senses_are_one_place_per_name_and_leave_out_names_still_read_two_ways() -> None:
    from newswire.common.models import PlaceMention
    from newswire.extractor.assembly import place_senses

    def mention(text: str, geonames_id: int | None, precision: str = "city") -> PlaceMention:
        return PlaceMention(
            text=text,
            start=0,
            end=len(text),
            geonames_id=geonames_id,
            precision=precision,
            confidence=0.9,
        )

    places = [
        mention("Palestine", 4717232),
        mention("PALESTINE", 4717232),
        mention("Paris", 2988507),
        mention("Paris", 4717560),
        mention("Texas", 4736286, "admin1"),
        mention("Nowhere", None, "unresolved"),
    ]
    assert place_senses(places) == {"palestine": 4717232}


def test_every_state_s_demonym_names_it_and_the_longer_one_wins() -> None:
    """LGL counts "missing Latvian climbers" as Latvia; "Latvian" was not in the list, and "South Sudanese"
    must be South Sudan, not Sudan."""
    text = "Border guards search for missing Latvian climbers. South Sudanese refugees met Jamaican doctors."
    places = [(p.text, p.country_code) for p in document_places(analyses_with_places(text, []))]
    assert places == [("Latvian", "LV"), ("South Sudanese", "SS"), ("Jamaican", "JM")]


def test_a_span_drawn_too_wide_yields_the_part_the_article_names_on_its_own() -> None:
    """ "Metro Nashville" is Nashville, not Metro, Indonesia (160,000 people); in a story that names
    Gainesville, Texas, "Rodeo Gainesville" is Gainesville, not Rodeo, California."""
    nashville = document_places(
        analyses_with_places("Metro Nashville police records state the trailer was stolen.", ["Metro Nashville"])
    )
    assert [(p.text, p.admin1) for p in nashville] == [("Nashville", "Tennessee")]
    text = "Rodeo Gainesville looking for queen candidates. The rodeo will be held in Gainesville, Texas."
    places = document_places(analyses_with_places(text, ["Rodeo Gainesville", "Gainesville"]))
    assert [(p.text, p.admin1) for p in places if p.start < 20] == [("Gainesville", "Texas")]


def test_each_of_two_organisations_the_tagger_joined_yields_its_place() -> None:
    text = "Officials of the Department of Justice and the Georgia Bureau of Investigation met in Monroe, Ga."
    organisations = "Department of Justice and the Georgia Bureau of Investigation"
    places = document_places(analyses_with_places(text, [organisations], "ORG"))
    assert [(p.text, p.country_code, p.precision) for p in places if p.text != "Monroe"] == [
        ("Georgia", "US", "admin1")
    ]


def test_a_city_of_millions_is_what_a_bare_name_means_unless_the_article_places_the_namesake() -> None:
    """A US story about flights to Russia means Moscow, not Moscow, Idaho (25,000 people), however much
    the rest of it is about the US; one that names Idaho means the Idaho town."""
    flights = (
        "Flights from New York, Chicago and Atlanta will go to Moscow next month, the U.S. airline said. "
        "Passengers from Baltimore can connect in New York."
    )
    cities = ["New York", "Chicago", "Atlanta", "Moscow", "Baltimore"]
    places = {p.text: p for p in document_places(analyses_with_places(flights, cities))}
    assert places["Moscow"].country_code == "RU"
    idaho = "Students at the University of Idaho in Moscow protested on Friday. Moscow police said 20 marched."
    places = {p.text: p for p in document_places(analyses_with_places(idaho, ["Moscow", "Idaho"]))}
    assert (places["Moscow"].country_code, places["Moscow"].admin1) == ("US", "Idaho")


def test_the_document_view_and_the_events_read_the_one_context_they_are_given() -> None:
    """Counted once per article (`article_context`) and passed to both: neither counts its own again.
    A context that weighs Lebanon makes "Tripoli" Lebanon's in both; without one, each counts the
    sentence's own (no country named) and the larger Tripoli, Libya's, wins."""
    from newswire.extractor.assembly import article_context
    from newswire.extractor.assembly.geo import CountryContext, default_gazetteer

    text = "Gunmen shot dead three people in Tripoli on Friday."
    analyses = _one_assault(text, "Tripoli")
    gazetteer = default_gazetteer()

    def countries(context: CountryContext | None) -> tuple[list[str | None], list[str | None]]:
        places = document_places(analyses, gazetteer=gazetteer, context=context)
        events = _events(analyses, text, gazetteer=gazetteer, context=context)
        return [p.country_code for p in places], [e.location.country_code for e in events if e.location]

    assert countries(None) == (["LY"], ["LY"])
    assert countries(article_context(analyses, gazetteer)) == (["LY"], ["LY"])
    assert countries(CountryContext({"LB": 3.0})) == (["LB"], ["LB"])


def _one_assault(text: str, place: str) -> list[SentenceAnalysis]:
    analyses = analyses_with_places(text, [place])
    analyses[0] = replace(analyses[0], event_type="ASSAULT", event_score=0.9)
    return analyses


def _events(analyses: list[SentenceAnalysis], text: str, **options: Any) -> list[Event]:
    from newswire.extractor.assembly import assemble_events

    return assemble_events(
        analyses,
        article_id="ab" * 32,
        text=text,
        published_at=datetime(2010, 3, 2, tzinfo=UTC),
        model=ModelInfo(name="m", version="1", encoder="e"),
        **options,
    )


def test_a_continent_and_the_eu_are_world_regions_not_their_namesake_towns() -> None:
    text = "EU ministers met as migrants crossed from Africa to Europe, and EU monitors arrived in Georgia."
    places = document_places(analyses_with_places(text, ["Africa", "Europe", "Georgia"]))
    by_text = {p.text: p for p in places}
    africa = by_text["Africa"]  # not África, a Mexican village
    assert africa.geonames_id == 6255146 and africa.precision == "world_region" and africa.country_code is None
    assert africa.feature_class == "L" and africa.feature_code == "CONT" and africa.admin1 is None
    assert africa.lat is not None and africa.lon is not None and -10 < africa.lat < 20 and 10 < africa.lon < 30
    assert by_text["Europe"].geonames_id == 6255148 and by_text["Europe"].precision == "world_region"
    # "EU monitors" stands for the union, as "Turkish officials" for Turkey; neither is Eu in Normandy.
    assert all(p.country_code != "FR" for p in places)
    union = by_text["EU"]
    assert union.geonames_id == 6695072 and union.feature_code == "ZN" and union.precision == "world_region"
    # Its point is its members' middle weighted by their people: in Germany or France, not Normandy's Eu.
    assert union.lat is not None and union.lon is not None and 45 < union.lat < 52 and 2 < union.lon < 14


def test_a_bare_name_the_article_gives_in_full_as_a_county_is_that_county() -> None:
    text = "Storms felled trees across DeKalb County, Ga. Schools in DeKalb stayed shut, officials said."
    places = document_places(analyses_with_places(text, ["DeKalb"]))
    bare = next(p for p in places if p.text == "DeKalb")
    # Not DeKalb, Illinois, the largest town of the name: the county named before, in Georgia.
    assert (bare.name, bare.precision, bare.admin1_code) == ("DeKalb County", "admin2", "GA")
    # A town of that name in the county's state is the town: "Los Angeles" beside its county is the city.
    text = "Fires burned in Los Angeles County on Monday. Smoke drifted over Los Angeles."
    city = next(p for p in document_places(analyses_with_places(text, ["Los Angeles"])) if p.start > 40)
    assert (city.name, city.precision, city.admin1_code) == ("Los Angeles", "city", "CA")


def test_a_region_news_names_by_its_countries_is_a_world_region_not_a_village() -> None:
    """ "Middle East" is also a village in Maryland; "the Caucasus" and "the Sahel" were no place at all."""
    text = "Envoys to the Mideast met in Maryland, then flew to the Caucasus and the Sahel."
    places = {p.text: p for p in document_places(analyses_with_places(text, ["Mideast", "Maryland", "Caucasus"]))}
    mideast = places["Mideast"]
    assert (mideast.name, mideast.precision, mideast.country_code) == ("Middle East", "world_region", None)
    assert (mideast.feature_class, mideast.feature_code, mideast.geonames_id) == ("L", "RGN", None)
    # its countries' middle weighted by their people: between Egypt, Turkey and Iran
    assert mideast.lat is not None and mideast.lon is not None and 24 < mideast.lat < 36 and 35 < mideast.lon < 50
    caucasus = places["Caucasus"]
    assert caucasus.precision == "world_region" and caucasus.lat is not None and 39 < caucasus.lat < 43
    assert places["Sahel"].precision == "world_region"

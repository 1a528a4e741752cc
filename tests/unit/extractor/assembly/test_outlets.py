"""An outlet's usual regions: learnt from its earlier articles, they settle the homonyms a local paper
leaves bare, and never outweigh what the article itself says."""

from __future__ import annotations

import pytest

from newswire.extractor.assembly import article_context, document_places
from newswire.extractor.assembly.geo import default_gazetteer
from newswire.extractor.assembly.outlets import (
    OUTLET_REGION_WEIGHT,
    OutletLexicon,
    names_its_town,
    outlet_country,
    outlet_names,
    with_outlet_regions,
)
from newswire.extractor.pipeline import ArticleInput, EventExtractor
from newswire.extractor.types import Sentence, SentenceAnalysis
from tests.support.analyses import analyses_with_places


def test_an_outlet_not_seen_yet_has_no_prior() -> None:
    lexicon = OutletLexicon()
    assert lexicon.prior("richmondregister.com") == {}
    assert lexicon.prior(None) == {}
    lexicon.observe(None, [("US", "KY")])
    lexicon.observe("richmondregister.com", [("US", None), (None, None)])  # nothing with a region
    assert len(lexicon) == 0


def test_each_article_is_one_vote_shared_among_the_regions_it_names() -> None:
    lexicon = OutletLexicon()
    lexicon.observe("richmondregister.com", [("US", "KY"), ("US", "KY"), ("US", "KY"), ("US", "OH")])
    lexicon.observe("richmondregister.com", [("US", "KY")])
    prior = lexicon.prior("richmondregister.com")
    assert prior.keys() == {"US.KY", "US.OH"}
    assert sum(prior.values()) == pytest.approx(1.0)
    # 0.75 + 1 for Kentucky against 0.25 for Ohio, the first article faded by 1/50
    assert prior["US.OH"] == pytest.approx(0.25 * 0.98 / (0.75 * 0.98 + 1 + 0.25 * 0.98))
    assert lexicon.prior("kentucky.com") == {}


def test_old_articles_fade_so_an_outlet_that_moves_on_is_followed() -> None:
    lexicon = OutletLexicon(memory=5)
    for _ in range(5):
        lexicon.observe("paper.example", [("US", "KY")])
    for _ in range(10):
        lexicon.observe("paper.example", [("US", "TX")])
    prior = lexicon.prior("paper.example")
    assert prior["US.TX"] > 0.9 > prior.get("US.KY", 0.0)


def test_the_least_recently_seen_outlets_are_forgotten_first() -> None:
    lexicon = OutletLexicon(max_outlets=2)
    lexicon.observe("a.example", [("US", "KY")])
    lexicon.observe("b.example", [("US", "TX")])
    lexicon.observe("a.example", [("US", "KY")])
    lexicon.observe("c.example", [("US", "OH")])
    assert len(lexicon) == 2
    assert lexicon.prior("b.example") == {}
    assert lexicon.prior("a.example") == {"US.KY": 1.0}
    with pytest.raises(ValueError, match="at least 1"):
        OutletLexicon(memory=0)


def test_the_prior_is_a_share_of_the_article_s_own_regional_evidence() -> None:
    assert with_outlet_regions({}, {"US.KY": 1.0}) == {"US.KY": OUTLET_REGION_WEIGHT}
    merged = with_outlet_regions({"US.OH": 4.0}, {"US.KY": 0.5, "US.OH": 0.5})
    assert merged == {"US.OH": 4.0 + OUTLET_REGION_WEIGHT * 2.0, "US.KY": OUTLET_REGION_WEIGHT * 2.0}
    assert with_outlet_regions({"US.OH": 4.0}, {}) == {"US.OH": 4.0}


def _places(text: str, names: list[str], prior: dict[str, float] | None = None) -> dict[str, tuple[str, str]]:
    gazetteer = default_gazetteer()
    analyses = analyses_with_places(text, names)
    context = article_context(analyses, gazetteer).with_outlet_prior(prior or {})
    places = document_places(analyses, gazetteer=gazetteer, context=context)
    return {p.text: (p.country_code or "", p.admin1_code or "") for p in places}


def test_a_bare_town_is_the_outlet_s_own_and_the_article_s_word_beats_the_outlet_s_habit() -> None:
    text = "A fire closed two shops in Richmond and Berea on Friday."
    # Alone, Richmond is Virginia's capital and Berea the old name of Aleppo.
    assert _places(text, ["Richmond", "Berea"]) == {"Richmond": ("US", "VA"), "Berea": ("SY", "09")}
    # From a paper whose stories are in Kentucky, both are the Kentucky towns, though the US is not named.
    assert _places(text, ["Richmond", "Berea"], {"US.KY": 1.0}) == {"Richmond": ("US", "KY"), "Berea": ("US", "KY")}
    # The same paper's story that says which Richmond it means keeps it.
    said = "A fire closed two shops in Richmond, Virginia, on Friday."
    assert _places(said, ["Richmond", "Virginia"], {"US.KY": 1.0})["Richmond"] == ("US", "VA")


class _TagsPlaces:
    """Stands in for the model: the named places tagged LOC where a tagger would put them, no events."""

    model_name, model_version, encoder_name, event_threshold = "none", "0", "none", 0.5

    def __init__(self, names: list[str]) -> None:
        self.names = names

    def analyze(self, sentences: list[Sentence], leads: object = ()) -> list[SentenceAnalysis]:
        return [analyses_with_places(sentence.text, self.names)[0] for sentence in sentences]


def test_the_extractor_learns_each_outlet_from_the_articles_it_codes() -> None:
    names = ["Richmond", "Berea", "Madison County", "Kentucky"]
    extractor = EventExtractor(_TagsPlaces(names), outlets=OutletLexicon())  # type: ignore[arg-type]

    def richmond(article_id: str, url: str) -> tuple[str | None, str | None]:
        article = ArticleInput(article_id=article_id * 64, text="Police in Richmond arrested a man.", url=url)
        place = next(p for p in extractor.extract([article])[0].enriched.places if p.text == "Richmond")
        return place.country_code, place.admin1_code

    assert richmond("a", "https://www.richmondregister.com/news/1") == ("US", "VA")  # nothing learnt yet
    local = "Deputies in Madison County, Kentucky, searched a farm near Berea on Tuesday."
    for number in range(2, 4):
        article = ArticleInput(article_id=str(number) * 64, text=local, url=f"https://richmondregister.com/{number}")
        extractor.extract([article])
    assert richmond("c", "https://richmondregister.com/news/3") == ("US", "KY")
    # Another outlet learnt nothing from it, and an article with no outlet gets no prior.
    assert richmond("d", "https://www.timesdispatch.com/news/4") == ("US", "VA")
    assert richmond("e", "") == ("US", "VA")


def test_a_town_named_like_a_country_is_the_town_in_its_own_paper() -> None:
    """ "Jordan" is the country, except in jordannews.com, a Jordan, Minnesota paper; a Minneapolis paper's
    "Jordan", or a paper named Jordan elsewhere, is still the country."""
    gazetteer = default_gazetteer()
    text = "The Jordan volleyball program starts again in March, and tryouts are at the Jordan middle school."
    analyses = analyses_with_places(text, ["Jordan"])

    def jordan(outlet: str, prior: dict[str, float]) -> tuple[str | None, str | None]:
        context = article_context(analyses, gazetteer).with_outlet_prior(prior, outlet)
        place = document_places(analyses, gazetteer=gazetteer, context=context)[0]
        return place.country_code, place.admin1_code

    assert jordan("jordannews.com", {"US.MN": 0.9, "US.IA": 0.1}) == ("US", "MN")
    assert jordan("startribune.com", {"US.MN": 0.9, "US.IA": 0.1}) == ("JO", None)
    assert jordan("jordannews.com", {"US.KY": 1.0}) == ("JO", None)  # no Jordan in Kentucky's stories
    assert jordan("jordannews.com", {"US.MN": 0.3, "US.IA": 0.7}) == ("JO", None)  # not its home region


def test_an_outlet_s_country_domain_says_its_country_and_a_generic_one_says_nothing() -> None:
    known = {"CA", "GB", "RU", "US", "TV", "CO"}.__contains__
    assert outlet_country("lfpress.ca", known) == "CA"
    assert outlet_country("thelancasterandmorecambecitizen.co.uk", known) == "GB"
    assert outlet_country("sptimes.ru", known) == "RU"
    assert outlet_country("richmondregister.com", known) is None
    assert outlet_country("news.tv", known) is None  # Tuvalu's domain, sold for television
    assert outlet_country("eltiempo.co", known) is None  # Colombia's, sold as "company"
    assert outlet_country("paper.zz", known) is None  # no such country
    assert outlet_country(None, known) is None


def test_a_label_of_the_domain_that_starts_with_the_town_names_the_outlet_s_town() -> None:
    assert outlet_names("chronicle.augusta.com") == ("chronicle", "augusta")
    assert outlet_names("www.news.co.uk") == ()
    assert names_its_town(outlet_names("richmondregister.com"), "richmond")
    assert names_its_town(outlet_names("thelancasterandmorecambecitizen.co.uk"), "lancaster")
    assert names_its_town(outlet_names("chronicle.augusta.com"), "augusta")
    assert not names_its_town(outlet_names("newyorkpost.com"), "york")  # inside a longer name
    assert not names_its_town(outlet_names("adanews.com"), "ada")  # too short to trust


def _resolved(text: str, names: list[str], outlet: str, prior: dict[str, float]) -> dict[str, tuple[str, str]]:
    gazetteer = default_gazetteer()
    analyses = analyses_with_places(text, names)
    context = article_context(analyses, gazetteer).with_outlet_prior(prior, outlet)
    places = document_places(analyses, gazetteer=gazetteer, context=context)
    return {p.text: (p.country_code or "", p.admin1_code or "") for p in places}


def test_a_country_domain_places_the_outlet_s_first_article() -> None:
    text = "A woman from Lancaster has won a top award from the College of Law."
    assert _resolved(text, ["Lancaster"], "lancaster.example", {})["Lancaster"] == ("US", "CA")  # by size alone
    assert _resolved(text, ["Lancaster"], "citizen.co.uk", {})["Lancaster"] == ("GB", "ENG")


def test_a_paper_s_own_town_is_the_one_in_its_regions_unless_the_article_says_another() -> None:
    text = "An Augusta man was arrested after the crash, and Augusta police are still looking for a second man."
    # Alone, the largest Augusta is Augsburg's old name.
    assert _resolved(text, ["Augusta"], "statesman.example", {})["Augusta"] == ("DE", "02")
    # A paper on the Georgia and South Carolina line, whose stories lie in both states.
    prior = {"US.SC": 0.4, "US.GA": 0.3, "US.IL": 0.3}
    assert _resolved(text, ["Augusta"], "chronicle.augusta.com", prior)["Augusta"] == ("US", "GA")
    said = "An Augusta, Maine, man was arrested after the crash in Augusta."
    assert _resolved(said, ["Augusta", "Maine"], "chronicle.augusta.com", prior)["Augusta"] == ("US", "ME")


def test_of_two_homonyms_in_the_paper_s_regions_its_own_town_is_the_one_the_article_points_to() -> None:
    text = "Gainesville police said the Cooke County man was held in Gainesville, north of Dallas."
    prior = {"US.FL": 0.45, "US.TX": 0.4, "US.OK": 0.15}  # a Texas paper whose bare "Gainesville"s went astray
    names = ["Gainesville", "Cooke County", "Dallas"]
    assert _resolved(text, names, "gainesvilleregister.com", prior)["Gainesville"] == ("US", "TX")

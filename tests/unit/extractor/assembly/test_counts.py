"""Counts of killed, injured and arrested from real-looking news sentences."""

from __future__ import annotations

import pytest

from newswire.extractor.assembly.counts import (
    article_tallies,
    as_tallies,
    extract_counts,
    find_count_mentions,
    parse_number,
)


@pytest.mark.parametrize(
    ("phrase", "value"),
    [("23", 23), ("1,100", 1100), ("Twenty-three", 23), ("four", 4), ("a dozen", 12),
     ("one hundred and twenty", 120), ("3 thousand", 3000), ("eleven", 11)],
)  # fmt: skip
def test_parse_number(phrase: str, value: int) -> None:
    assert parse_number(phrase) == value


def test_digits_qualifier_and_victim_kind() -> None:
    counts = extract_counts("At least four other civilians were killed by security force fire in Homs.")
    assert counts.killed is not None
    assert (counts.killed.value, counts.killed.qualifier, counts.killed.victim_kind) == (4, "at_least", "civilians")


def test_number_words_in_a_quote() -> None:
    counts = extract_counts('"Twenty-three people were shot dead by security forces," the statement said.')
    assert counts.killed is not None and counts.killed.value == 23 and counts.killed.phrase == "Twenty-three people"


def test_victims_named_by_kin_age_or_trade_and_tolls_given_as_deaths() -> None:
    counts = extract_counts("In 1990, two brothers from Burrabazar, were killed in police firing.")
    assert counts.killed is not None and (counts.killed.value, counts.killed.phrase) == (2, "two brothers")
    counts = extract_counts("Three youths and a shopkeeper were injured when the police opened fire.")
    assert counts.injured is not None and counts.injured.value == 3
    counts = extract_counts("The hospital recorded 12 deaths after the stampede on Sunday.")
    assert counts.killed is not None and counts.killed.value == 12
    counts = extract_counts("Police said 14 youths were nabbed and 6 others booked for rioting.")
    assert counts.arrested is not None and counts.arrested.value == 14
    assert extract_counts("The minister booked 3 seats on the morning flight.").arrested is None
    # Without a victim noun or a verb of harm, a number near "brothers" is still no toll.
    assert extract_counts("The two brothers founded the company in 1990.").killed is None


def test_ranges_and_vague_quantities() -> None:
    counts = extract_counts("Between 10 and 15 protesters were wounded and dozens arrested.")
    assert counts.injured is not None and (counts.injured.value, counts.injured.high) == (10, 15)
    assert counts.injured.qualifier == "range"
    assert counts.arrested is not None and counts.arrested.qualifier == "vague" and counts.arrested.value >= 24


def test_scores_in_a_headline() -> None:
    counts = extract_counts("Syria's 'Bloodiest Day' Leaves Scores Dead")
    assert counts.killed is not None and counts.killed.qualifier == "vague"


def test_verb_before_the_count() -> None:
    counts = extract_counts("Gunmen killed 10 to 15 villagers, wounding more than 20.")
    assert counts.killed is not None and (counts.killed.value, counts.killed.high) == (10, 15)
    assert counts.killed.victim_kind == "civilians"
    assert counts.injured is not None and (counts.injured.value, counts.injured.qualifier) == (20, "more_than")


def test_arrests_with_approximation() -> None:
    counts = extract_counts("Police detained some 300 protesters in the capital.")
    assert counts.arrested is not None
    assert (counts.arrested.value, counts.arrested.qualifier, counts.arrested.victim_kind) == (
        300,
        "about",
        "protesters",
    )


def test_coordinated_victims_share_one_verb() -> None:
    text = "34 soldiers as well as 12 suspected army deserters were killed in clashes."
    mentions = find_count_mentions(text)
    assert [(m.value, m.victim_kind) for m in mentions] == [(34, "soldiers"), (12, "army deserters")]
    assert len({m.verb_start for m in mentions}) == 1


def test_separate_verbs_are_separate_groups() -> None:
    text = "27 civilians were shot dead by security forces and 34 soldiers were killed in clashes."
    mentions = find_count_mentions(text)
    assert [m.value for m in mentions] == [27, 34]
    assert mentions[0].verb_start != mentions[1].verb_start


@pytest.mark.parametrize(
    "text",
    [
        "The UN says 3,500 people have been killed in Assad's crackdown on the protests.",
        "At least 1,100 soldiers and police have been killed since the uprising broke out in March.",
    ],
)
def test_running_totals_are_cumulative(text: str) -> None:
    counts = extract_counts(text)
    assert counts.killed is not None and counts.killed.cumulative


def test_a_day_toll_is_cumulative_only_where_it_sums_incidents_across_places() -> None:
    across = extract_counts("At least 70 people have been killed across Syria over the past 24 hours.")
    assert across.killed is not None and across.killed.cumulative and across.killed.value == 70
    nationwide = extract_counts("Police said 40 people were arrested nationwide over the past 24 hours.")
    assert nationwide.arrested is not None and nationwide.arrested.cumulative
    one_place = extract_counts("Twelve people were killed in Homs over the past 24 hours.")
    assert one_place.killed is not None and not one_place.killed.cumulative
    across_the_street = extract_counts("Two men were shot dead across the street over the past 24 hours.")
    assert across_the_street.killed is not None and not across_the_street.killed.cumulative


def test_a_tally_repeated_without_its_framing_is_still_the_tally() -> None:
    article = [
        "At least 70 people reportedly killed over past 24 hours as security forces clash with defectors.",
        "At least 70 people have been killed in violence across Syria over the past 24 hours, activists said.",
        "Twelve people were killed in Homs.",
    ]
    tallies = article_tallies(article)
    assert tallies == {("killed", 70)}
    standfirst = as_tallies(find_count_mentions(article[0]), tallies)
    assert [(m.value, m.cumulative) for m in standfirst] == [(70, True)]
    homs = as_tallies(find_count_mentions(article[2]), tallies)
    assert [(m.value, m.cumulative) for m in homs] == [(12, False)]


@pytest.mark.parametrize(
    "text",
    ["A shipment of 20 tanks arrived at the port.", "The uprising began in 2011.", "He was 45 years old."],
)
def test_numbers_that_are_not_tolls(text: str) -> None:
    assert extract_counts(text).killed is None and extract_counts(text).arrested is None


@pytest.mark.parametrize(
    "text",
    [
        "A security official said no one died in the blast.",
        "Police said a woman was detained about 3:30 p.m. near the intersection.",
    ],
)
def test_no_one_and_clock_times_are_not_counts(text: str) -> None:
    counts = extract_counts(text)
    assert (counts.killed, counts.injured, counts.arrested) == (None, None, None)

"""The document-level date tagger: offsets into the text as given, values resolved against publication."""

from __future__ import annotations

from datetime import date

import pytest

from newswire.extractor.temporal import find_dates

WEDNESDAY = date(2013, 3, 20)  # a Wednesday in ISO week 12


def values(text: str, published: date | None = WEDNESDAY) -> list[tuple[str, str]]:
    return [(mention.text, mention.value) for mention in find_dates(text, published)]


def test_offsets_point_into_the_text_exactly_as_given() -> None:
    text = "Protesters  gathered on\tMarch 22, 2013 — and again  last  Friday — in Cairo."
    mentions = find_dates(text, WEDNESDAY)
    assert [text[m.start : m.end] for m in mentions] == [m.text for m in mentions]
    assert [m.value for m in mentions] == ["2013-03-22", "2013-03-15"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The vote was held on March 22, 2013.", [("March 22, 2013", "2013-03-22")]),
        ("The vote was held on 22 March 2013.", [("22 March 2013", "2013-03-22")]),
        ("Records dated 22/03 show it.", [("22/03", "2013-03-22")]),
        ("He signed it on 3/4/2012.", [("3/4/2012", "2012-03-04")]),
        ("Three quarters, or 3/4 of voters, agreed.", []),
        ("The report, dated 2013-03-18, was leaked.", [("2013-03-18", "2013-03-18")]),
        ("Sales rose in March 2012.", [("March 2012", "2012-03")]),
        ("Prices fell in the third quarter.", [("the third quarter", "2012-Q3")]),
        ("Prices fell in the third quarter of 2011.", [("the third quarter of 2011", "2011-Q3")]),
        ("The war ended in 1995.", [("1995", "1995")]),
        ("Unrest began in the 1990s.", [("the 1990s", "199")]),
        ("Built in the 11th century, the mosque fell.", [("the 11th century", "10")]),
        ("Talks collapsed last summer.", [("last summer", "2012-SU")]),
        ("He is now in custody.", [("now", "PRESENT_REF")]),
    ],
)
def test_absolute_and_calendar_expressions(text: str, expected: list[tuple[str, str]]) -> None:
    assert values(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Police said two people died yesterday.", [("yesterday", "2013-03-19")]),
        ("Police said two people died two days ago.", [("two days ago", "2013-03-18")]),
        ("Fighting flared last week.", [("last week", "2013-W11")]),
        ("Fighting flared earlier this month.", [("earlier this month", "2013-03")]),
        ("Ministers will meet next month.", [("next month", "2013-04")]),
        ("The company was founded five years ago.", [("five years ago", "2008")]),
        ("Troops withdrew in 2010.", [("2010", "2010")]),
    ],
)
def test_relative_expressions_resolve_against_publication(text: str, expected: list[tuple[str, str]]) -> None:
    assert values(text) == expected


def test_the_tense_next_to_a_weekday_chooses_last_or_next() -> None:
    assert values("Protesters marched on Friday.") == [("Friday", "2013-03-15")]
    assert values("Protesters will march on Friday.") == [("Friday", "2013-03-22")]
    # Each weekday takes the tense of its own clause, not the sentence's first verb.
    said_then_will = values("The minister said on Monday that talks will resume on Friday.")
    assert said_then_will == [("Monday", "2013-03-18"), ("Friday", "2013-03-22")]


def test_a_day_and_month_without_a_year_is_the_nearest_one() -> None:
    january = date(2000, 1, 6)
    assert values("The trial opens Jan. 14.", january) == [("Jan. 14", "2000-01-14")]
    assert values("The deal closed on Nov. 25.", january) == [("Nov. 25", "1999-11-25")]


def test_last_or_next_before_a_day_and_month_picks_the_side() -> None:
    april = date(1999, 4, 19)
    assert values("He was shot to death last Oct. 23 at his home.", april) == [("last Oct. 23", "1998-10-23")]
    assert values("The court sits again next Jan. 5.", april) == [("next Jan. 5", "2000-01-05")]


def test_an_irregular_past_verb_is_a_past_tense_cue() -> None:
    # "began" is the cue nearest Monday; the "will" a clause earlier would make it the coming Monday
    assert values("The talks, which will move to Geneva, began Monday in Vienna.") == [("Monday", "2013-03-18")]
    assert values("The king, who will fly home, met Bush on Tuesday.") == [("Tuesday", "2013-03-19")]


def test_the_verb_before_a_date_governs_it_before_one_after() -> None:
    # "arrived" is nearer Friday than "will", but the verb ahead of the time adjunct is the one it modifies
    assert values("Aid convoys will reach the city on Friday, officials who arrived said.") == [
        ("Friday", "2013-03-22")
    ]
    # with nothing before it, the first verb after decides
    assert values("On Friday, police arrested six people.") == [("Friday", "2013-03-15")]


def test_a_participle_after_be_is_not_a_past_tense() -> None:
    assert values("Collins will be named commander for a mission in December.", date(1998, 3, 4)) == [
        ("December", "1998-12")
    ]


def test_an_agreement_or_intention_points_ahead_of_its_past_verb() -> None:
    november = date(2011, 11, 21)
    # the meeting agreed on is to come, though "agreed" is past
    assert values("The ministers agreed to meet again in Brasilia in March.", november) == [("March", "2012-03")]
    assert values("Rebels vowed to retake the town by Friday.") == [("Friday", "2013-03-22")]
    # the plain past still reads back
    assert values("The ministers met in Brasilia in March.", november) == [("March", "2011-03")]


def test_a_date_inside_a_quotation_takes_the_tense_of_the_quoted_words() -> None:
    text = "``The father will leave at 4 in the morning (4 a.m. EDT Thursday),'' Castro said."
    assert values(text, date(2000, 4, 5)) == [("Thursday", "2000-04-06")]
    assert values('"Talks will resume on Friday," the minister said.') == [("Friday", "2013-03-22")]


def test_a_year_ago_after_a_quarter_is_that_quarter_a_year_before() -> None:
    text = "Third-quarter profit rose to $5 million from $3 million a year earlier."
    assert values(text, date(1989, 10, 30)) == [("Third-quarter", "1989-Q3"), ("a year earlier", "1988-Q3")]
    text = "Third-quarter profit rose to $5 million. Last year the company lost $2 million."
    assert values(text, date(1989, 10, 30)) == [("Third-quarter", "1989-Q3"), ("Last year", "1988")]


def test_numbers_that_only_look_like_years_are_not_dates() -> None:
    assert values("The company sold 1,995 cars for $2010 each, up 2012%.") == []


def test_may_and_march_alone_are_not_months_but_are_with_a_cue() -> None:
    assert values("Officials may march to the square.") == []
    assert values("Elections are due in May.") == [("May", "2013-05")]


def test_relative_expressions_without_a_publication_date_are_left_out() -> None:
    assert values("He died on Friday, on March 22, 2013.", None) == [("March 22, 2013", "2013-03-22")]


def test_spelled_out_years_and_holidays_as_broadcast_copy_writes_them() -> None:
    assert values("It began in nineteen ninety-six.") == [("nineteen ninety-six", "1996")]
    assert values("By the year two thousand, prices doubled.") == [("the year two thousand", "2000")]
    assert values("He died last Christmas.") == [("last Christmas", "2012-12-25")]
    assert values("Stores were crowded on Thanksgiving Day.", date(1999, 12, 1)) == [("Thanksgiving Day", "1999-11-25")]


def test_a_season_is_a_date_only_where_the_text_places_it() -> None:
    assert values("Prices could fall sharply.") == []
    assert values("Talks will resume in the spring.", date(2013, 1, 10)) == [("the spring", "2013-SP")]


def test_the_weekend_told_on_a_weekday_is_the_one_just_gone_unless_it_is_to_come() -> None:
    assert values("Protesters marched over the weekend.") == [("the weekend", "2013-W11-WE")]
    assert values("Protesters will march this weekend.") == [("this weekend", "2013-W12-WE")]
    assert values("Talks were postponed until Tuesday.") == [("Tuesday", "2013-03-26")]

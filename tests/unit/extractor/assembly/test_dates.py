"""Dates resolved against the publication date (the seed article: Tuesday 2011-11-15)."""

from __future__ import annotations

from datetime import date

import pytest

from newswire.extractor.assembly.dates import publication_default, resolve_date

TUESDAY = date(2011, 11, 15)


@pytest.mark.parametrize(
    ("text", "expected", "precision"),
    [
        ("The observatory said on Tuesday that 27 civilians were shot dead.", "2011-11-15", "day"),
        ("Walid al-Muallem condemned it at a press conference on Monday.", "2011-11-14", "day"),
        ("Troops stormed the town on Sunday.", "2011-11-13", "day"),
        ("Protesters gathered yesterday.", "2011-11-14", "day"),
        ("Shelling continued today.", "2011-11-15", "day"),
        ("Talks collapsed last week.", "2011-11-07", "week"),  # a week is dated by its Monday
        ("Demonstrators gather in Hula, near Homs November 13, 2011.", "2011-11-13", "day"),
        ("Two people were killed on Nov. 13.", "2011-11-13", "day"),
        ("The bodies were found on 2 November.", "2011-11-02", "day"),
        ("The talks failed last month.", "2011-10-01", "month"),
        ("Elections were held in 2010.", "2010-01-01", "year"),
    ],
)
def test_past_phrases(text: str, expected: str, precision: str) -> None:
    resolved = resolve_date(text, TUESDAY)
    assert resolved is not None
    assert (resolved.date, resolved.precision) == (expected, precision)
    assert resolved.phrase is not None and resolved.phrase.lower() in text.lower()


def test_a_weekday_in_the_future_looks_ahead() -> None:
    text = "The latest developments come ahead of an Arab League meeting in Cairo on Wednesday."
    resolved = resolve_date(text, TUESDAY, future=True)
    assert resolved is not None and resolved.date == "2011-11-16"
    assert resolve_date("They met on Wednesday.", TUESDAY) is not None
    assert resolve_date("They met on Wednesday.", TUESDAY).date == "2011-11-09"  # type: ignore[union-attr]


def test_a_date_late_in_the_year_read_in_january_is_last_year() -> None:
    resolved = resolve_date("Clashes broke out on Dec. 30.", date(2012, 1, 2))
    assert resolved is not None and resolved.date == "2011-12-30"


def test_since_dates_a_running_total_not_the_event() -> None:
    assert resolve_date("1,100 soldiers have been killed since March.", TUESDAY) is None
    assert resolve_date("Prices have risen since early 2010.", TUESDAY) is None


def test_the_most_precise_date_of_the_clause_wins_and_quarters_are_not_event_dates() -> None:
    resolved = resolve_date("In 2011, troops stormed Hama on July 31.", TUESDAY)
    assert resolved is not None and (resolved.date, resolved.precision, resolved.phrase) == (
        "2011-07-31",
        "day",
        "July 31",
    )
    assert resolve_date("Profits fell in the third quarter.", TUESDAY) is None
    assert resolve_date("They carried the slogan of the 1973 uprising.", TUESDAY) is None
    weekend = resolve_date("Protesters marched last weekend.", TUESDAY)
    assert weekend is not None and (weekend.date, weekend.precision) == ("2011-11-12", "week")


def test_no_phrase_and_the_default() -> None:
    assert resolve_date("Security forces opened fire.", TUESDAY) is None
    default = publication_default(TUESDAY)
    assert default is not None and (default.date, default.precision, default.phrase) == ("2011-11-15", "day", None)
    assert resolve_date("It happened on Monday.", None) is None


def test_a_date_of_the_act_agreed_on_is_not_the_agreements_date() -> None:
    monday = date(2011, 11, 21)
    # the ministers agreed now; March is when they are to meet
    assert resolve_date("The ministers agreed to meet again in Brasilia in March.", monday) is None
    on_monday = resolve_date("The ministers agreed on Monday to meet again in March.", monday)
    assert on_monday is not None and on_monday.date == "2011-11-21"
    # the meeting itself, coded as the planned event, takes the date
    planned = resolve_date("The ministers agreed to meet again in Brasilia in March.", monday, future=True)
    assert planned is not None and (planned.date, planned.precision) == ("2012-03-01", "month")

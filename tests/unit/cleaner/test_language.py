"""Language detection on text we wrote."""

from __future__ import annotations

import pytest

from newswire.cleaner.language import detect_language


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("At least seventy people were killed in clashes across the country on Tuesday, activists said.", "en"),
        ("Au moins soixante-dix personnes ont été tuées mardi dans des affrontements, selon des militants.", "fr"),
        ("Al menos setenta personas murieron el martes en enfrentamientos en todo el país, según activistas.", "es"),
        ("Mindestens siebzig Menschen wurden am Dienstag bei Zusammenstößen getötet, sagten Aktivisten.", "de"),
        ("قتل ما لا يقل عن سبعين شخصا يوم الثلاثاء في اشتباكات في أنحاء البلاد، بحسب ناشطين.", "ar"),
    ],
)
def test_detects_the_language(text: str, code: str) -> None:
    assert detect_language(text) == code


@pytest.mark.parametrize("text", ["", "OK", "12 34 56 78 90 !!!", "—"])
def test_too_little_text_gives_none(text: str) -> None:
    assert detect_language(text) is None

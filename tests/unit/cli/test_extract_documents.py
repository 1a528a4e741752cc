"""`newswire extract --documents -` through the real models: an input's outlet informs its later inputs."""

from __future__ import annotations

import io

import orjson
import pytest

from newswire.cli import main

pytestmark = pytest.mark.slow


def test_an_outlet_s_earlier_inputs_place_its_later_bare_town_names(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bare = "Police in Richmond arrested a man on Friday after a crash."
    inputs = [
        {"id": "alone", "text": bare},
        {
            "id": "local",
            "outlet": "richmondregister.com",
            "text": "Deputies in Madison County, Kentucky, searched a farm near Berea on Tuesday. Berea police helped.",
        },
        {"id": "same-outlet", "outlet": "richmondregister.com", "text": bare},
        {"id": "by-url", "url": "https://www.richmondregister.com/news/4", "text": bare},
        {"id": "other-outlet", "outlet": "timesdispatch.com", "text": bare},
    ]
    stdin = "".join(orjson.dumps(item).decode() + "\n" for item in inputs)
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    assert main(["extract", "--documents", "-"]) == 0
    views = {view["input_id"]: view for view in map(orjson.loads, capsys.readouterr().out.splitlines())}

    def richmond(input_id: str) -> tuple[str, str]:
        place = next(p for p in views[input_id]["places"] if p["text"] == "Richmond")
        return place["country_code"], place["admin1_code"]

    assert richmond("alone") == ("US", "VA")
    assert {p["admin1_code"] for p in views["local"]["places"]} == {"KY"}
    assert richmond("same-outlet") == ("US", "KY")
    assert richmond("by-url") == ("US", "KY")  # the URL's host is the outlet
    assert richmond("other-outlet") == ("US", "VA")

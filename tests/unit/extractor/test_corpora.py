"""The real-news sets read into one shape (files written here in the sets' own formats)."""

from __future__ import annotations

import json
from pathlib import Path

from newswire.extractor import corpora


def _write(root: Path, relative: Path, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_loaders_map_labels_to_events_quads_and_types(tmp_path: Path) -> None:
    _write(
        tmp_path,
        corpora.CAMEO_FILE,
        "text\tlabel\nThe minister said the economy was growing.\t0\nTroops shelled the town.\t4\n",
    )
    _write(
        tmp_path,
        corpora.POLICE_DIR / "dev.tsv",
        "text\tKILL\tARREST\tANY_ACTION\tFAIL\tFORCE\n"
        "police arrested 12 men.\t0\t1\t1\t0\t0\n"
        "police stood by as the mob burnt shops.\t0\t0\t0\t1\t0\n"
        "police fired at the crowd, killing two.\t1\t0\t1\t0\t1\n",
    )
    _write(
        tmp_path,
        corpora.CASE_FILE,
        "id\tEventSnippet\tSubType\n"
        "1\tA quake struck the valley.\tNATURAL_DISASTER\n"
        "2\tRebels ambushed a convoy.\tATTACK\n",
    )
    record = {"event": "DISAPPROVE", "text": "The envoy criticised the decision."}
    _write(tmp_path, corpora.GSR_FILE, json.dumps([{"event": "DOCUMENT"}, record]))

    cameo = corpora.load_cameo(tmp_path)
    assert [(r.is_event, r.quad) for r in cameo] == [(False, 0), (True, 4)]
    police = corpora.load_police(tmp_path, "dev")
    assert [r.is_event for r in police] == [True, False, True]  # failing to act is no action
    assert [r.plover_type for r in police] == ["COERCE", None, "ASSAULT"]
    assert police[2].police == {"KILL", "ANY_ACTION", "FORCE"}
    case = corpora.load_case(tmp_path)
    assert [(r.plover_type, r.quad) for r in case] == [(None, None), ("ASSAULT", corpora.MATERIAL_CONFLICT)]
    (gsr,) = corpora.load_gsr(tmp_path)
    assert (gsr.plover_type, gsr.quad) == ("ACCUSE", corpora.VERBAL_CONFLICT)


def test_every_plover_type_has_a_quad_class_and_every_political_subtype_a_type() -> None:
    from newswire.common.models import PLOVER_TYPES
    from newswire.extractor.heads import SUBTYPE_COMPATIBILITY

    assert set(corpora.PLOVER_QUAD) == set(PLOVER_TYPES)
    for subtype, plover in corpora.SUBTYPE_PLOVER.items():
        assert subtype in SUBTYPE_COMPATIBILITY[plover], (subtype, plover)
    assert corpora.quad_of(None) == corpora.STATEMENT


def test_event_locations_pool_the_places_of_a_sentences_event_verbs(tmp_path: Path) -> None:
    text = "Gunmen killed two guards in Mosul and fled to Tikrit."
    records = [
        {
            "text": text,
            "spans": [{"start": 7, "end": 13, "label": "VERB"}, {"start": 28, "end": 33, "label": "LOCATION"}],
        },
        {
            "text": text,
            "spans": [{"start": 38, "end": 42, "label": "VERB"}, {"start": 46, "end": 52, "label": "LOCATION"}],
        },
        {"text": "Talks were held.", "spans": [{"start": 11, "end": 15, "label": "VERB"}]},
        {"text": "A rejected record.", "answer": "reject", "spans": []},
    ]
    _write(tmp_path, corpora.EVENT_LOCATIONS_FILE, "\n".join(json.dumps(r) for r in records) + "\n")
    rows = corpora.load_event_locations(tmp_path)
    assert [(r.text, r.places) for r in rows] == [(text, ("Mosul", "Tikrit")), ("Talks were held.", ())]

"""The real-news sentence sets in `../shared/data`, read into one shape: text, source set and labels.

Training (the `training` package) and the end-to-end benchmark (`benchmarks/event_quality.py`) read the
data through this module, so both see the same sentences with the same labels; the analyzer and the
scoring read its quad classes, which is why it sits beside them rather than inside `training/`. Nothing
here loads a model; the text is read, never copied into the repository.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

CAMEO_FILE = Path("event-sentences-cameo") / "cameo_class_train.tsv"
POLICE_DIR = Path("event-sentences-police")
CASE_FILE = Path("event-types-acled") / "case2021-task2-dev.tsv"
GSR_FILE = Path("event-plover-gsr") / "PLOVER_GSR_CAMEO.json"

POLICE_LABELS = ("KILL", "ARREST", "ANY_ACTION", "FAIL", "FORCE")

# Quad classes as the CAMEO sentence set numbers them (0 is "make a statement / appeal": no event).
STATEMENT, VERBAL_COOPERATION, MATERIAL_COOPERATION, VERBAL_CONFLICT, MATERIAL_CONFLICT = range(5)
QUAD_NAMES = ("statement", "verbal_cooperation", "material_cooperation", "verbal_conflict", "material_conflict")

# PLOVER types grouped into quad classes. PLOVER's manual puts its types in CAMEO's four quad classes by
# the CAMEO root codes each type takes over: talk that cooperates (AGREE, CONSULT, SUPPORT: CAMEO 03-05),
# deeds that cooperate (COOPERATE, AID, and yielding: CONCEDE, RETREAT, CAMEO 06-08), talk that
# conflicts (ACCUSE, REJECT, THREATEN, and SANCTION: reduced relations, which the CAMEO sentence set
# labels verbal conflict too) and deeds that conflict (PROTEST, MOBILIZE, COERCE, ASSAULT). REQUEST is
# CAMEO's APPEAL root (02), which the CAMEO sentence set files with statements (class 0, "make a
# statement / appeal"), so a REQUEST scores as a statement there.
PLOVER_QUAD: dict[str, int] = {
    "AGREE": VERBAL_COOPERATION,
    "CONSULT": VERBAL_COOPERATION,
    "SUPPORT": VERBAL_COOPERATION,
    "REQUEST": STATEMENT,
    "COOPERATE": MATERIAL_COOPERATION,
    "AID": MATERIAL_COOPERATION,
    "CONCEDE": MATERIAL_COOPERATION,
    "RETREAT": MATERIAL_COOPERATION,
    "ACCUSE": VERBAL_CONFLICT,
    "REJECT": VERBAL_CONFLICT,
    "THREATEN": VERBAL_CONFLICT,
    "SANCTION": VERBAL_CONFLICT,
    "PROTEST": MATERIAL_CONFLICT,
    "MOBILIZE": MATERIAL_CONFLICT,
    "COERCE": MATERIAL_CONFLICT,
    "ASSAULT": MATERIAL_CONFLICT,
}

# The PLOVER type an ACLED-style sub-type refines. Disasters and OTHER are not political events: a
# snippet with such a sub-type teaches nothing about PLOVER types.
SUBTYPE_PLOVER: dict[str, str] = {
    "ARMED_CLASH": "ASSAULT",
    "ATTACK": "ASSAULT",
    "AIR_STRIKE": "ASSAULT",
    "ART_MISS_ATTACK": "ASSAULT",
    "CHEM_WEAP": "ASSAULT",
    "GRENADE": "ASSAULT",
    "SUIC_BOMB": "ASSAULT",
    "REM_EXPLOS": "ASSAULT",
    "SEX_VIOL": "ASSAULT",
    "ABDUCT_DISSAP": "ASSAULT",
    "MOB_VIOL": "ASSAULT",
    "GOV_REGAINS_TERIT": "ASSAULT",
    "NON_STATE_ACTOR_OVERTAKES_TER": "ASSAULT",
    "PROPERTY_DISTRUCT": "ASSAULT",
    "ORG_CRIME": "ASSAULT",
    "VIOL_DEMONSTR": "PROTEST",
    "PEACE_PROTEST": "PROTEST",
    "PROTEST_WITH_INTER": "PROTEST",
    "FORCE_AGAINST_PROTEST": "COERCE",
    "ARREST": "COERCE",
    "DISR_WEAP": "COERCE",
    "CHANGE_TO_GROUP_ACT": "MOBILIZE",
    "HQ_ESTABLISHED": "MOBILIZE",
    "NON_VIOL_TERRIT_TRANSFER": "RETREAT",
    "AGREEMENT": "AGREE",
    "DIPLO": "CONSULT",
    "ATTRIB": "ACCUSE",
}
NON_POLITICAL_SUBTYPES = frozenset({"NATURAL_DISASTER", "MAN_MADE_DISASTER", "OTHER"})

# PLOVER 0.5 names in the gold-standard records, mapped to the 2.0 types we code.
_GSR_TYPES = {
    "FIGHT": "ASSAULT",
    "DISAPPROVE": "ACCUSE",
    "DEMAND": "REQUEST",
    "INVESTIGATE": "ACCUSE",
}


@dataclass(frozen=True, slots=True)
class LabelledText:
    """One sentence (or snippet) of a set, with what its annotators said about it."""

    text: str
    corpus: str
    is_event: bool | None  # None: the set does not say
    quad: int | None = None
    plover_type: str | None = None
    subtype: str | None = None
    police: frozenset[str] = field(default_factory=frozenset)


def load_cameo(data: Path) -> list[LabelledText]:
    rows: list[LabelledText] = []
    with (data / CAMEO_FILE).open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            quad = int(row["label"])
            rows.append(LabelledText(text=row["text"].strip(), corpus="cameo", is_event=quad != STATEMENT, quad=quad))
    return rows


def load_police(data: Path, split: str) -> list[LabelledText]:
    """`split` is "train" or "dev". FAIL alone (police failed to act) is no police action."""
    rows: list[LabelledText] = []
    with (data / POLICE_DIR / f"{split}.tsv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            labels = frozenset(name for name in POLICE_LABELS if row.get(name, "0").strip() == "1")
            acted = bool(labels & {"KILL", "ARREST", "ANY_ACTION", "FORCE"})
            plover = "ASSAULT" if labels & {"KILL", "FORCE"} else ("COERCE" if "ARREST" in labels else None)
            rows.append(
                LabelledText(
                    text=(row["text"] or "").strip(),
                    corpus=f"police-{split}",
                    is_event=acted,
                    quad=MATERIAL_CONFLICT if acted else None,
                    plover_type=plover,
                    police=labels,
                )
            )
    return [row for row in rows if row.text]


def load_case(data: Path) -> list[LabelledText]:
    rows: list[LabelledText] = []
    with (data / CASE_FILE).open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            subtype = row["SubType"].strip()
            plover = SUBTYPE_PLOVER.get(subtype)
            rows.append(
                LabelledText(
                    text=row["EventSnippet"].strip(),
                    corpus="case",
                    is_event=True,
                    quad=PLOVER_QUAD[plover] if plover else None,
                    plover_type=plover,
                    subtype=subtype,
                )
            )
    return rows


def load_gsr(data: Path) -> list[LabelledText]:
    """The PLOVER gold-standard records that carry a sentence and a codable event."""
    path = data / GSR_FILE
    if not path.exists():
        return []
    rows: list[LabelledText] = []
    for record in json.loads(path.read_text(encoding="utf-8")):
        text = str(record.get("text") or "").strip()
        name = str(record.get("event") or "")
        plover = _GSR_TYPES.get(name, name)
        if not text or plover not in PLOVER_QUAD:
            continue
        rows.append(LabelledText(text=text, corpus="gsr", is_event=True, quad=PLOVER_QUAD[plover], plover_type=plover))
    return rows


def quad_of(plover_type: str | None) -> int:
    """The quad class of a coded event; no event is a statement, as the CAMEO sentence set has it."""
    return PLOVER_QUAD.get(plover_type or "", STATEMENT)


def texts(rows: Sequence[LabelledText]) -> list[str]:
    return [row.text for row in rows]


EVENT_LOCATIONS_FILE = Path("event-locations") / "labeled_text.jsonl"


@dataclass(frozen=True, slots=True)
class LocatedSentence:
    """A wire-news sentence and the spans of the places where its events happened (none: nowhere named)."""

    text: str
    places: tuple[str, ...]


def load_event_locations(data: Path) -> list[LocatedSentence]:
    """One row per sentence: the set's records are per event verb, so a sentence's places are pooled."""
    places: dict[str, set[str]] = {}
    for line in (data / EVENT_LOCATIONS_FILE).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        if record.get("answer") not in (None, "accept"):
            continue
        text = str(record["text"])
        found = places.setdefault(text, set())
        for span in record.get("spans") or []:
            if span.get("label") == "LOCATION":
                found.add(text[int(span["start"]) : int(span["end"])])
    return [LocatedSentence(text, tuple(sorted(found))) for text, found in places.items()]

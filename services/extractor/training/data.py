"""The training sets' raw text, from `../shared/data` and `models/training/`: read here, never encoded.

Every reader returns text and labels only, so the same rows reach the encoder cache, the heads and the
benchmarks in the same order.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ...common.paths import package_path
from .. import corpora
from ..corpora import LabelledText
from ..sentences import split_sentences

REPO_MODELS_DIR = package_path("models")
NO_EVENT_FIXTURE = REPO_MODELS_DIR / "training" / "no-event-lines.txt"
EVENT_SENTENCES_FIXTURE = REPO_MODELS_DIR / "training" / "event-sentences.tsv"

PLOVER_FILE = Path("event-types-plover") / "synthetic_stories.csv"
PLOVER_CODEBOOK = Path("event-types-plover") / "PLOVER_codebook.csv"
ACLED_FILE = corpora.CASE_FILE
CONLL_DIR = Path("ner-conll2003")
REAL_NEWS_DATA = f"{corpora.CAMEO_FILE}, {corpora.POLICE_DIR}/train.tsv, {corpora.CASE_FILE}, {corpora.GSR_FILE}"


# CoNLL-2003 headlines that open sports and market-report documents; their sentences carry no
# political event, which makes them honest "no event" examples drawn from real newswire.
_NON_POLITICAL_HEADLINE = re.compile(
    r"^(SOCCER|CRICKET|TENNIS|GOLF|BASEBALL|BASKETBALL|RUGBY|CYCLING|ATHLETICS|MOTOR|MOTORCYCLING|"
    r"BOXING|SKIING|NFL|NHL|NBA|HOCKEY|ICE HOCKEY|HORSE RACING|SWIMMING|SQUASH|BADMINTON|FORMULA|"
    r"ALPINE|SAILING|ROWING|TABLE TENNIS|VOLLEYBALL|HANDBALL|OLYMPICS|"
    r"[A-Z ]*STOCKS|[A-Z ]*SHARES|[A-Z ]*BONDS|[A-Z ]*FUTURES|[A-Z ]*PRICES|FOREX|[A-Z ]*DOLLAR|"
    r"[A-Z ]*GOLD|[A-Z ]*MONEY MARKET|[A-Z ]*WEATHER)\b"
)


@dataclass
class PloverStory:
    title: str
    sentences: list[str]
    label: str
    mode: str


def load_plover(path: Path, max_sentences: int = 6) -> list[PloverStory]:
    stories: list[PloverStory] = []
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            prompt_title = (row.get("prompt") or "").strip().split("\n")[0].strip()
            title = prompt_title or re.sub(r"\{country_\d\}", "the country", row.get("title") or "")
            sentences = [sentence.text for sentence in split_sentences(row["text"])][:max_sentences]
            stories.append(PloverStory(title, sentences, row["label"].strip(), (row.get("mode") or "").strip()))
    return stories


def load_codebook(path: Path) -> tuple[list[str], list[str]]:
    """PLOVER's own definitions ("Promise to sign a treaty" -> AGREE): short, clean, per-sentence examples."""
    texts: list[str] = []
    labels: list[str] = []
    seen: set[str] = set()
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            for text in (row.get("event_def") or "", row.get("mode_def") or ""):
                text = text.strip()
                if len(text) > 8 and text not in seen:
                    seen.add(text)
                    texts.append(text)
                    labels.append(row["event"].strip())
    return texts, labels


def load_event_sentences(path: Path = EVENT_SENTENCES_FIXTURE) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            label, text = line.split("\t", 1)
            rows.append((label.strip(), text.strip()))
    return rows


def load_acled(path: Path) -> tuple[list[str], list[str]]:
    texts: list[str] = []
    labels: list[str] = []
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            texts.append(row["EventSnippet"].strip())
            labels.append(row["SubType"].strip())
    return texts, labels


def load_conll(path: Path) -> list[tuple[list[str], list[str]]]:
    sentences: list[tuple[list[str], list[str]]] = []
    words: list[str] = []
    tags: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if not parts or parts[0] == "-DOCSTART-":
            if words:
                sentences.append((words, tags))
            words, tags = [], []
            continue
        words.append(parts[0])
        tags.append(parts[-1])
    if words:
        sentences.append((words, tags))
    return sentences


def conll_non_event_sentences(path: Path, limit: int, seed: int) -> list[str]:
    """Sentences from CoNLL sports and market documents (a headline opens each document)."""
    chosen: list[str] = []
    in_non_political = False
    for words, _ in load_conll(path):
        text = " ".join(words)
        letters = [c for c in text if c.isalpha()]
        is_headline = (
            len(words) >= 3
            and bool(letters)
            and all(c.isupper() for c in letters)
            and not re.search(r"\d{4}-\d\d-\d\d", text)
        )
        if is_headline:
            in_non_political = bool(_NON_POLITICAL_HEADLINE.match(text))
            continue
        if in_non_political and len(words) >= 6 and not re.search(r"\d{4}-\d\d-\d\d", text):
            chosen.append(detokenize(words))
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(chosen))[:limit]
    return [chosen[i] for i in sorted(order)]


def detokenize(words: Sequence[str]) -> str:
    text = " ".join(words)
    text = re.sub(r" ([,.;:!?)%])", r"\1", text)
    return re.sub(r"([($]) ", r"\1", text)


def load_no_event_fixture(path: Path = NO_EVENT_FIXTURE) -> list[str]:
    return [
        line.strip()
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]


def load_real_news(data: Path) -> list[LabelledText]:
    """Training sets only: the police set's dev split is kept for scoring."""
    return [
        *corpora.load_cameo(data),
        *corpora.load_police(data, "train"),
        *corpora.load_case(data),
        *corpora.load_gsr(data),
    ]

"""`newswire train`: fit the small heads on frozen encoder outputs, from `../shared/data`.

The encoder is frozen, so each data set is encoded once (and cached on disk keyed by encoder and data
fingerprint); the heads then train in seconds to minutes on CPU. The sub-type head fine-tunes copies of
the encoder's top layers on the cached hidden state below them (`top_layers.py`). Every random choice is seeded, so the
same command on the same data yields the same heads. Nothing from the data's text is stored in the
artifacts: only weights, label names and scores.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import itertools
import json
import os
import platform
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..common.paths import package_path
from . import corpora, event_training
from .arrays import FloatArray, IntArray
from .encoding import Encoder
from .heads import (
    DETECTOR_HEAD,
    EVENT_HEAD,
    MODE_HEAD,
    NER_HEAD,
    NER_TAGS,
    NO_EVENT,
    QUAD_HEAD,
    SUBTYPE_COMPATIBILITY,
    SUBTYPE_HEAD,
    SUBTYPE_MIN_CONFIDENCE,
    SUBTYPE_MIN_SHARE_OF_TOP,
    SUBTYPE_OVERRIDE_CONFIDENCE,
    DenseHead,
    TaggerHead,
    TransformerHead,
    bio_transition_mask,
    case_features,
    pooled_features,
    viterbi,
)
from .lexical import lexical_matrix
from .top_layers import TopLayerConfig, fit_top_layers, supports_top_layers

REPO_MODELS_DIR = package_path("models")
NO_EVENT_FIXTURE = REPO_MODELS_DIR / "training" / "no-event-lines.txt"
EVENT_SENTENCES_FIXTURE = REPO_MODELS_DIR / "training" / "event-sentences.tsv"

PLOVER_FILE = Path("event-types-plover") / "synthetic_stories.csv"
PLOVER_CODEBOOK = Path("event-types-plover") / "PLOVER_codebook.csv"
ACLED_FILE = corpora.CASE_FILE
CONLL_DIR = Path("ner-conll2003")

# CoNLL-2003 headlines that open sports and market-report documents; their sentences carry no
# political event, which makes them honest "no event" examples drawn from real newswire.
_NON_POLITICAL_HEADLINE = re.compile(
    r"^(SOCCER|CRICKET|TENNIS|GOLF|BASEBALL|BASKETBALL|RUGBY|CYCLING|ATHLETICS|MOTOR|MOTORCYCLING|"
    r"BOXING|SKIING|NFL|NHL|NBA|HOCKEY|ICE HOCKEY|HORSE RACING|SWIMMING|SQUASH|BADMINTON|FORMULA|"
    r"ALPINE|SAILING|ROWING|TABLE TENNIS|VOLLEYBALL|HANDBALL|OLYMPICS|"
    r"[A-Z ]*STOCKS|[A-Z ]*SHARES|[A-Z ]*BONDS|[A-Z ]*FUTURES|[A-Z ]*PRICES|FOREX|[A-Z ]*DOLLAR|"
    r"[A-Z ]*GOLD|[A-Z ]*MONEY MARKET|[A-Z ]*WEATHER)\b"
)
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”']?\s+(?=[\"“]?[A-Z0-9])")


def split_sentences(text: str) -> list[str]:
    """A plain regex splitter: good enough to cut synthetic training stories into sentences."""
    out: list[str] = []
    for paragraph in re.split(r"\n\s*\n|\n", text):
        paragraph = paragraph.strip()
        if paragraph:
            out.extend(part.strip() for part in _SENTENCE_END.split(paragraph) if part.strip())
    return out


def _file_digest(paths: Sequence[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


# ----------------------------------------------------------------------------------------------------
# data sets


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
            sentences = split_sentences(row["text"])[:max_sentences]
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


# ----------------------------------------------------------------------------------------------------
# encoding with a disk cache


class FeatureCache:
    """Encoder outputs for training texts, keyed by encoder fingerprint and text digest."""

    def __init__(self, encoder: Encoder, directory: Path | None, batch_size: int = 64) -> None:
        self.encoder = encoder
        self.directory = directory
        self.batch_size = batch_size

    def _key(self, kind: str, texts: Sequence[str]) -> Path | None:
        if self.directory is None:
            return None
        digest = hashlib.sha256()
        digest.update(f"{kind}|{self.encoder.fingerprint}|{self.encoder.max_length}".encode())
        for text in texts:
            digest.update(text.encode())
            digest.update(b"\x00")
        self.directory.mkdir(parents=True, exist_ok=True)
        return self.directory / f"{kind}-{digest.hexdigest()[:16]}.npz"

    def _batches(self, texts: Sequence[str]) -> list[list[int]]:
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        return [order[i : i + self.batch_size] for i in range(0, len(order), self.batch_size)]

    def sentence_features(self, texts: Sequence[str], progress: str = "") -> FloatArray:
        key = self._key("pooled", texts)
        if key is not None and key.exists():
            with np.load(key) as data:
                cached: FloatArray = data["features"].astype(np.float32)
            return cached
        out = np.zeros((len(texts), 2 * self.encoder.hidden_size), dtype=np.float32)
        started = time.monotonic()
        for done, batch in enumerate(self._batches(texts)):
            encoded = self.encoder.encode([texts[i] for i in batch])
            out[batch] = pooled_features(encoded.pooled, encoded.token_embeddings, encoded.attention_mask)
            if progress and done % 50 == 0:
                _log(f"  {progress}: {min((done + 1) * self.batch_size, len(texts))}/{len(texts)}", started)
        if key is not None:
            np.savez(key, features=out)
        return out

    def layer_states(self, texts: Sequence[str], layer: int, progress: str = "") -> tuple[FloatArray, IntArray]:
        """Hidden states after encoder layer `layer` ([N, T, H], padded to the longest text) and the mask."""
        key = self._key(f"layer{layer}", texts)
        if key is not None and key.exists():
            with np.load(key) as data:
                return data["states"].astype(np.float32), data["mask"].astype(np.int64)
        chunks: list[tuple[list[int], FloatArray, IntArray]] = []
        started = time.monotonic()
        for done, batch in enumerate(self._batches(texts)):
            encoded = self.encoder.encode([texts[i] for i in batch], layers=(layer,))
            chunks.append((batch, encoded.hidden_states[layer], encoded.attention_mask))
            if progress and done % 50 == 0:
                _log(f"  {progress}: {min((done + 1) * self.batch_size, len(texts))}/{len(texts)}", started)
        width = max((mask.shape[1] for _, _, mask in chunks), default=0)
        states = np.zeros((len(texts), width, self.encoder.hidden_size), dtype=np.float32)
        masks = np.zeros((len(texts), width), dtype=np.int64)
        for batch, hidden, mask in chunks:
            states[batch, : mask.shape[1]] = hidden
            masks[batch, : mask.shape[1]] = mask
        if key is not None:
            np.savez(key, states=states, mask=masks)
        return states, masks

    def token_features(self, texts: Sequence[str], progress: str = "") -> list[tuple[FloatArray, IntArray]]:
        """Per text: ([n_tokens, H] float16 embeddings of real tokens, [n_tokens, 2] char offsets)."""
        key = self._key("tokens", texts)
        if key is not None and key.exists():
            with np.load(key) as data:
                flat, offsets, lengths = data["embeddings"], data["offsets"], data["lengths"]
            bounds = np.concatenate([[0], np.cumsum(lengths)])
            return [(flat[a:b], offsets[a:b]) for a, b in itertools.pairwise(bounds)]
        results: list[tuple[FloatArray, IntArray]] = [(np.zeros((0, 0), np.float32), np.zeros((0, 2), np.int64))] * len(
            texts
        )
        started = time.monotonic()
        for done, batch in enumerate(self._batches(texts)):
            encoded = self.encoder.encode([texts[i] for i in batch])
            for row, index in enumerate(batch):
                real = encoded.special_tokens_mask[row] == 0
                results[index] = (encoded.token_embeddings[row][real].astype(np.float16), encoded.offsets[row][real])
            if progress and done % 50 == 0:
                _log(f"  {progress}: {min((done + 1) * self.batch_size, len(texts))}/{len(texts)}", started)
        if key is not None:
            np.savez(
                key,
                embeddings=np.concatenate([r[0] for r in results]),
                offsets=np.concatenate([r[1] for r in results]),
                lengths=np.array([len(r[0]) for r in results]),
            )
        return results


def _log(message: str, started: float | None = None) -> None:
    suffix = f" ({time.monotonic() - started:.0f}s)" if started is not None else ""
    print(message + suffix, file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------------------------------
# dense heads


def fit_dense(
    features: FloatArray,
    labels: Sequence[str],
    seed: int,
    sample_weight: FloatArray | None = None,
    c: float = 4.0,
) -> DenseHead:
    """Multinomial logistic regression; its weights become a numpy-only DenseHead."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=c, max_iter=2000, class_weight="balanced", random_state=seed)
    model.fit(features, list(labels), sample_weight=sample_weight)
    return DenseHead.from_logistic_regression(model)


def _predict(head: DenseHead, features: FloatArray) -> list[str]:
    return [head.labels[i] for i in head.predict_proba(features).argmax(axis=1)]


@dataclass
class EventData:
    story_labels: list[str]
    story_modes: list[str]
    doc: FloatArray  # [S, F] mean of each story's sentence features
    title: FloatArray  # [S, F]
    first: FloatArray  # [S, F] first sentence
    second: FloatArray  # [S, F] second sentence (first again when missing)
    story: FloatArray  # [S, F] mean of title and body: the story as a reader sees it
    negatives: FloatArray  # [N, F] "no event" sentences
    negative_sources: list[str]
    codebook: FloatArray  # [D, F] PLOVER codebook definitions, always in training (never scored)
    codebook_labels: list[str]
    story_texts: list[str] = field(default_factory=list)  # title and body, for the word features
    title_texts: list[str] = field(default_factory=list)
    negative_texts: list[str] = field(default_factory=list)
    codebook_texts: list[str] = field(default_factory=list)


def build_event_data(cache: FeatureCache, data: Path, seed: int) -> EventData:
    stories = load_plover(data / PLOVER_FILE)
    texts: list[str] = []
    owners: list[int] = []
    for index, story in enumerate(stories):
        for sentence in story.sentences:
            texts.append(sentence)
            owners.append(index)
    sentence_feats = cache.sentence_features(texts, progress="plover sentences")
    title_feats = cache.sentence_features([s.title for s in stories], progress="plover titles")
    owner_array = np.array(owners)
    dims = sentence_feats.shape[1]
    doc = np.zeros((len(stories), dims), np.float32)
    first = np.zeros_like(doc)
    second = np.zeros_like(doc)
    for index in range(len(stories)):
        rows = np.flatnonzero(owner_array == index)
        if len(rows) == 0:
            doc[index] = first[index] = second[index] = title_feats[index]
            continue
        doc[index] = sentence_feats[rows].mean(axis=0)
        first[index] = sentence_feats[rows[0]]
        second[index] = sentence_feats[rows[1] if len(rows) > 1 else rows[0]]
    fixture = load_no_event_fixture()
    conll = conll_non_event_sentences(data / CONLL_DIR / "train.txt", limit=900, seed=seed)
    negatives = cache.sentence_features(fixture + conll, progress="no-event sentences")
    codebook_texts, codebook_labels = load_codebook(data / PLOVER_CODEBOOK)
    written = load_event_sentences()
    codebook_texts += [text for _, text in written]
    codebook_labels += [label for label, _ in written]
    codebook = cache.sentence_features(codebook_texts, progress="codebook")
    return EventData(
        story_labels=[s.label for s in stories],
        story_modes=[s.mode for s in stories],
        doc=doc,
        title=title_feats,
        first=first,
        second=second,
        story=((title_feats + doc) / 2).astype(np.float32),
        negatives=negatives,
        negative_sources=["fixture"] * len(fixture) + ["conll"] * len(conll),
        codebook=codebook,
        codebook_labels=codebook_labels,
        story_texts=[" ".join([s.title, *s.sentences]) for s in stories],
        title_texts=[s.title for s in stories],
        negative_texts=fixture + conll,
        codebook_texts=codebook_texts,
    )


def _event_training_set(
    data: EventData, stories: IntArray, negatives: IntArray
) -> tuple[FloatArray, list[str], FloatArray]:
    """Each story contributes its title and its whole (title + body) with the story's label.

    Body sentences alone are not used: the synthetic bodies drift from the labelled event (5-fold CV
    macro F1 about 0.5 when classifying bodies), so they taught sentence-level noise. Sentence-like
    supervision comes from the titles, the codebook definitions and our own example sentences."""
    labels = [data.story_labels[i] for i in stories]
    parts = [data.story[stories], data.title[stories]]
    weights = [1.0, 1.0]
    features = np.concatenate([*parts, data.negatives[negatives], data.codebook])
    all_labels = labels * len(parts) + [NO_EVENT] * len(negatives) + data.codebook_labels
    # Fixture lines are few and hand-written: weight them up against the many CoNLL sports lines.
    neg_weight = [3.0 if data.negative_sources[i] == "fixture" else 1.0 for i in negatives]
    codebook_weight = [3.0] * len(data.codebook_labels)
    sample_weight = np.array(
        [w for w in weights for _ in range(len(stories))] + neg_weight + codebook_weight, dtype=np.float32
    )
    return features, all_labels, sample_weight


def train_events(data: EventData, seed: int) -> DenseHead:
    stories = np.arange(len(data.story_labels))
    negatives = np.arange(len(data.negatives))
    features, labels, weights = _event_training_set(data, stories, negatives)
    return fit_dense(features, labels, seed, sample_weight=weights)


WRITTEN_SENTENCE_WEIGHT = 12.0


def synthetic_types(data: EventData) -> event_training.SyntheticTypes:
    """What the synthetic stories teach about PLOVER types: each story as published and its title, and
    the codebook definitions with our own example sentences (weighted up: few, and sentence-like)."""
    stories = np.arange(len(data.story_labels))
    features, labels, weights = _event_training_set(data, stories, np.zeros(0, dtype=np.int64))
    written = len(load_event_sentences())
    # Our written sentences are few but real-news shaped and aimed at the confusions synthetic stories
    # leave (condemning is ACCUSE, opposing is REJECT): each counts as much as a dozen synthetic views.
    weights[len(weights) - written :] = WRITTEN_SENTENCE_WEIGHT
    return event_training.SyntheticTypes(
        features=features,
        lexical=lexical_matrix(data.story_texts + data.title_texts + data.codebook_texts),
        labels=labels,
        weights=weights,
        negatives=data.negatives,
        negatives_lexical=lexical_matrix(data.negative_texts),
        positives=data.codebook[len(data.codebook) - written :],
        positives_lexical=lexical_matrix(data.codebook_texts[len(data.codebook_texts) - written :]),
    )


def train_modes(data: EventData, seed: int) -> DenseHead:
    """Modes are coded per type in PLOVER; stories without a mode teach the "-" (unspecified) label."""
    labels = [f"{t}/{m}" if m else f"{t}/-" for t, m in zip(data.story_labels, data.story_modes, strict=True)]
    features = np.concatenate([data.story, data.title, data.first])
    return fit_dense(features, labels * 3, seed, c=2.0)


def cv_events(data: EventData, folds: int, seed: int) -> dict[str, float]:
    from sklearn.metrics import f1_score, precision_score, recall_score
    from sklearn.model_selection import StratifiedKFold

    labels = np.array(data.story_labels)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    neg_split = list(splitter.split(data.negatives, np.array(data.negative_sources)))
    doc_true: list[str] = []
    doc_pred: list[str] = []
    body_pred: list[str] = []
    first_pred: list[str] = []
    title_pred: list[str] = []
    first_true: list[str] = []
    neg_true: list[bool] = []
    neg_pred: list[bool] = []
    for fold, (train_idx, test_idx) in enumerate(splitter.split(labels, labels)):
        neg_train, neg_test = neg_split[fold]
        features, fold_labels, weights = _event_training_set(data, train_idx, neg_train)
        head = fit_dense(features, fold_labels, seed, sample_weight=weights)
        doc_true.extend(labels[test_idx])
        doc_pred.extend(_predict(head, data.story[test_idx]))
        body_pred.extend(_predict(head, data.doc[test_idx]))
        first_true.extend(labels[test_idx])
        first_pred.extend(_predict(head, data.first[test_idx]))
        title_pred.extend(_predict(head, data.title[test_idx]))
        held_out = np.concatenate([data.first[test_idx], data.negatives[neg_test]])
        no_event_prob = head.predict_proba(held_out)[:, head.labels.index(NO_EVENT)]
        neg_true.extend([False] * len(test_idx) + [True] * len(neg_test))
        neg_pred.extend((no_event_prob > 0.5).tolist())
        _log(f"  events fold {fold + 1}/{folds}")
    types = sorted(set(data.story_labels))
    return {
        "story_macro_f1": float(f1_score(doc_true, doc_pred, labels=types, average="macro")),
        "story_weighted_f1": float(f1_score(doc_true, doc_pred, labels=types, average="weighted")),
        "body_only_macro_f1": float(f1_score(doc_true, body_pred, labels=types, average="macro")),
        "first_sentence_macro_f1": float(f1_score(first_true, first_pred, labels=types, average="macro")),
        "title_macro_f1": float(f1_score(first_true, title_pred, labels=types, average="macro")),
        "no_event_precision": float(precision_score(neg_true, neg_pred)),
        "no_event_recall": float(recall_score(neg_true, neg_pred)),
    }


@dataclass
class SubtypeData:
    """The ACLED-style snippets as every sub-type head kind reads them."""

    labels: list[str]
    pooled: FloatArray  # [N, 2H] frozen features, for the dense fallback
    states: FloatArray | None = None  # [N, T, H] hidden states below the fine-tuned layers
    mask: IntArray | None = None


DEFAULT_TOP_LAYERS = TopLayerConfig()


def build_subtype_data(
    cache: FeatureCache, data: Path, config: TopLayerConfig | None = DEFAULT_TOP_LAYERS
) -> SubtypeData:
    """Frozen features always; hidden states too when the encoder can fine-tune its top layers (and
    `config` asks for it: None means the logistic-regression head)."""
    texts, labels = load_acled(data / ACLED_FILE)
    pooled = cache.sentence_features(texts, progress="acled snippets")
    if config is None or not supports_top_layers(cache.encoder.model):
        return SubtypeData(labels, pooled)
    tap = cache.encoder.layer_count - config.layers
    states, mask = cache.layer_states(texts, tap, progress=f"acled snippets, layer {tap}")
    return SubtypeData(labels, pooled, states, mask)


def train_subtypes(
    data: SubtypeData,
    seed: int,
    model: Any = None,
    config: TopLayerConfig | None = None,
    initial: TransformerHead | None = None,
) -> DenseHead | TransformerHead:
    """Fine-tuned top layers where the encoder allows it (`model` given), else logistic regression."""
    if model is not None and data.states is not None and data.mask is not None:
        return fit_top_layers(model, data.states, data.mask, data.labels, seed, config, initial)
    return fit_dense(data.pooled, data.labels, seed)


def _subset(data: SubtypeData, index: IntArray) -> SubtypeData:
    return SubtypeData(
        labels=[data.labels[i] for i in index],
        pooled=data.pooled[index],
        states=data.states[index] if data.states is not None else None,
        mask=data.mask[index] if data.mask is not None else None,
    )


def subtype_probabilities(head: DenseHead | TransformerHead, data: SubtypeData) -> FloatArray:
    if isinstance(head, TransformerHead):
        assert data.states is not None and data.mask is not None
        width = int(data.mask.sum(axis=1).max())
        parts = [
            head.predict_proba(data.states[i : i + 64, :width], data.mask[i : i + 64, :width])
            for i in range(0, len(data.labels), 64)
        ]
        return np.concatenate(parts).astype(np.float32)
    return head.predict_proba(data.pooled)


def cv_subtypes(
    data: SubtypeData,
    folds: int,
    seed: int,
    model: Any = None,
    config: TopLayerConfig | None = None,
    initial: TransformerHead | None = None,
) -> dict[str, float]:
    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.model_selection import StratifiedKFold

    label_array = np.array(data.labels)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    truth: list[str] = []
    predicted: list[str] = []
    top_probability: list[float] = []
    for fold, (train_idx, test_idx) in enumerate(splitter.split(data.pooled, label_array)):
        started = time.monotonic()
        head = train_subtypes(_subset(data, train_idx), seed, model, config, initial)
        probs = subtype_probabilities(head, _subset(data, test_idx))
        truth.extend(label_array[test_idx])
        predicted.extend(head.labels[i] for i in probs.argmax(axis=1))
        top_probability.extend(probs.max(axis=1).tolist())
        _log(f"  sub-types fold {fold + 1}/{folds}", started)
    # What the extractor reports: a sub-type only at p >= SUBTYPE_MIN_CONFIDENCE (how often, how right).
    confident = np.array(top_probability) >= SUBTYPE_MIN_CONFIDENCE
    correct = np.array(truth) == np.array(predicted)
    return {
        "weighted_f1": float(f1_score(truth, predicted, average="weighted")),
        "macro_f1": float(f1_score(truth, predicted, average="macro")),
        "accuracy": float(accuracy_score(truth, predicted)),
        "confident_coverage": float(confident.mean()),
        "confident_accuracy": float(correct[confident].mean()) if confident.any() else 0.0,
    }


# ----------------------------------------------------------------------------------------------------
# NER tagger


@dataclass
class TaggedSentence:
    embeddings: FloatArray  # [n, H] float16
    features: FloatArray  # [n, F]
    labels: IntArray  # [n] tag index per word piece
    first_piece: IntArray  # [n] word index for a word's first piece, -1 for continuation pieces
    word_tags: list[str]


def build_ner_data(cache: FeatureCache, path: Path, progress: str) -> list[TaggedSentence]:
    sentences = load_conll(path)
    texts: list[str] = []
    spans: list[list[tuple[int, int]]] = []
    for words, _ in sentences:
        position = 0
        word_spans = []
        for word in words:
            word_spans.append((position, position + len(word)))
            position += len(word) + 1
        texts.append(" ".join(words))
        spans.append(word_spans)
    encoded = cache.token_features(texts, progress=progress)
    tag_index = {tag: i for i, tag in enumerate(NER_TAGS)}
    out: list[TaggedSentence] = []
    for (words, tags), text, word_spans, (embeddings, offsets) in zip(sentences, texts, spans, encoded, strict=True):
        starts = {start: i for i, (start, _) in enumerate(word_spans)}
        ends = np.array([end for _, end in word_spans])
        labels = np.zeros(len(offsets), np.int64)
        first_piece = np.full(len(offsets), -1, np.int64)
        for piece, (start, _end) in enumerate(offsets.tolist()):
            word_index = min(int(np.searchsorted(ends, start, side="right")), len(words) - 1)
            tag = tags[word_index]
            if start in starts:
                first_piece[piece] = starts[start]
            elif tag.startswith("B-"):
                tag = "I-" + tag[2:]
            labels[piece] = tag_index.get(tag, 0)
        features = case_features(text, offsets, np.zeros(len(offsets), np.int64))
        out.append(TaggedSentence(embeddings, features, labels, first_piece, list(tags)))
    return out


def _torch_tagger(input_size: int, projection: int, hidden: int, tags: int, dropout: float) -> Any:
    import torch
    from torch import nn

    class Tagger(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.proj = nn.Linear(input_size, projection)
            self.drop = nn.Dropout(dropout)
            self.lstm = nn.LSTM(projection, hidden, batch_first=True, bidirectional=True)
            self.out = nn.Linear(2 * hidden, tags)

        def forward(self, inputs: Any, lengths: Any) -> Any:
            x = self.drop(torch.relu(self.proj(self.drop(inputs))))
            packed = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
            output, _ = self.lstm(packed)
            output, _ = nn.utils.rnn.pad_packed_sequence(output, batch_first=True, total_length=x.shape[1])
            return self.out(self.drop(output))

    return Tagger()


def _batch_tensors(batch: Sequence[TaggedSentence]) -> tuple[Any, Any, Any]:
    import torch

    longest = max(len(s.labels) for s in batch)
    dims = batch[0].embeddings.shape[1] + batch[0].features.shape[1]
    inputs = np.zeros((len(batch), longest, dims), np.float32)
    labels = np.full((len(batch), longest), -100, np.int64)
    for row, sentence in enumerate(batch):
        n = len(sentence.labels)
        inputs[row, :n] = np.concatenate([sentence.embeddings.astype(np.float32), sentence.features], axis=1)
        labels[row, :n] = sentence.labels
    lengths = torch.tensor([max(len(s.labels), 1) for s in batch])
    return torch.from_numpy(inputs), torch.from_numpy(labels), lengths


def train_tagger(
    train: Sequence[TaggedSentence],
    seed: int,
    epochs: int = 8,
    dev: Sequence[TaggedSentence] | None = None,
    projection: int = 256,
    hidden: int = 192,
    batch_size: int = 32,
    lr: float = 3e-3,
) -> TaggerHead:
    import torch

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    usable = [s for s in train if len(s.labels) > 0]
    input_size = usable[0].embeddings.shape[1] + usable[0].features.shape[1]
    model = _torch_tagger(input_size, projection, hidden, len(NER_TAGS), dropout=0.3)
    optimiser = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
    steps_per_epoch = (len(usable) + batch_size - 1) // batch_size
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimiser, max_lr=lr, total_steps=epochs * steps_per_epoch, pct_start=0.1
    )
    loss_fn = torch.nn.CrossEntropyLoss(ignore_index=-100)
    started = time.monotonic()
    for epoch in range(epochs):
        model.train()
        # Bucket by length for speed, shuffle buckets for SGD noise; both seeded.
        order = rng.permutation(len(usable))
        chunks = [order[i : i + batch_size * 50] for i in range(0, len(order), batch_size * 50)]
        batches: list[list[int]] = []
        for chunk in chunks:
            chunk_sorted = sorted(chunk.tolist(), key=lambda i: len(usable[i].labels))
            batches.extend(chunk_sorted[i : i + batch_size] for i in range(0, len(chunk_sorted), batch_size))
        total = 0.0
        for batch_index in rng.permutation(len(batches)):
            inputs, labels, lengths = _batch_tensors([usable[i] for i in batches[batch_index]])
            logits = model(inputs, lengths)
            loss = loss_fn(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1))
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimiser.step()
            scheduler.step()
            total += float(loss.detach())
        message = f"  ner epoch {epoch + 1}/{epochs} loss {total / max(len(batches), 1):.4f}"
        if dev is not None:
            head = _tagger_head_from_torch(model)
            message += f" dev F1 {evaluate_tagger(head, dev)['f1']:.4f}"
        _log(message, started)
    return _tagger_head_from_torch(model)


def _tagger_head_from_torch(model: Any) -> TaggerHead:
    def arr(tensor: Any) -> FloatArray:
        return np.asarray(tensor.detach().cpu().numpy(), dtype=np.float32)

    lstm = model.lstm
    arrays = {
        "proj_W": arr(model.proj.weight),
        "proj_b": arr(model.proj.bias),
        "w_ih": arr(lstm.weight_ih_l0),
        "w_hh": arr(lstm.weight_hh_l0),
        "b_ih": arr(lstm.bias_ih_l0),
        "b_hh": arr(lstm.bias_hh_l0),
        "w_ih_r": arr(lstm.weight_ih_l0_reverse),
        "w_hh_r": arr(lstm.weight_hh_l0_reverse),
        "b_ih_r": arr(lstm.bias_ih_l0_reverse),
        "b_hh_r": arr(lstm.bias_hh_l0_reverse),
        "out_W": arr(model.out.weight),
        "out_b": arr(model.out.bias),
    }
    return TaggerHead(tags=list(NER_TAGS), arrays=arrays)


def _batched_log_probs(head: TaggerHead, sentences: Sequence[TaggedSentence]) -> list[FloatArray]:
    """Torch-batched inference for evaluation speed; the numpy path gives the same numbers."""
    import torch

    a = head.arrays
    hidden = a["w_hh"].shape[1]
    model = _torch_tagger(a["proj_W"].shape[1], a["proj_W"].shape[0], hidden, len(head.tags), 0.0)
    with torch.no_grad():
        model.proj.weight.copy_(torch.from_numpy(a["proj_W"]))
        model.proj.bias.copy_(torch.from_numpy(a["proj_b"]))
        for name, key in (
            ("weight_ih_l0", "w_ih"),
            ("weight_hh_l0", "w_hh"),
            ("bias_ih_l0", "b_ih"),
            ("bias_hh_l0", "b_hh"),
            ("weight_ih_l0_reverse", "w_ih_r"),
            ("weight_hh_l0_reverse", "w_hh_r"),
            ("bias_ih_l0_reverse", "b_ih_r"),
            ("bias_hh_l0_reverse", "b_hh_r"),
        ):
            getattr(model.lstm, name).copy_(torch.from_numpy(a[key]))
        model.out.weight.copy_(torch.from_numpy(a["out_W"]))
        model.out.bias.copy_(torch.from_numpy(a["out_b"]))
    model.eval()
    out: list[FloatArray] = []
    with torch.inference_mode():
        for i in range(0, len(sentences), 128):
            batch = sentences[i : i + 128]
            inputs, _, lengths = _batch_tensors(batch)
            logits = torch.log_softmax(model(inputs, lengths), dim=-1).numpy()
            out.extend(logits[row, : len(s.labels)] for row, s in enumerate(batch))
    return out


def evaluate_tagger(head: TaggerHead, sentences: Sequence[TaggedSentence]) -> dict[str, float]:
    from seqeval.metrics import f1_score, precision_score, recall_score

    start, trans = bio_transition_mask(head.tags)
    truth: list[list[str]] = []
    predicted: list[list[str]] = []
    for sentence, log_probs in zip(sentences, _batched_log_probs(head, sentences), strict=True):
        path = viterbi(log_probs, start, trans) if len(log_probs) else []
        words = ["O"] * len(sentence.word_tags)
        for piece, tag_id in enumerate(path):
            word = int(sentence.first_piece[piece])
            if word >= 0:
                words[word] = head.tags[tag_id]
        truth.append(sentence.word_tags)
        predicted.append(words)
    return {
        "f1": float(f1_score(truth, predicted)),
        "precision": float(precision_score(truth, predicted)),
        "recall": float(recall_score(truth, predicted)),
    }


# ----------------------------------------------------------------------------------------------------
# model card


def write_model_card(out: Path) -> None:
    """Regenerate MODEL_CARD.md from the metadata each head carries (so partial re-training stays honest)."""
    heads: list[tuple[str, dict[str, Any]]] = []
    for name in (DETECTOR_HEAD, QUAD_HEAD, EVENT_HEAD, MODE_HEAD, SUBTYPE_HEAD, NER_HEAD):
        meta_file = out / name / "labels.json"
        if meta_file.exists():
            heads.append((name, json.loads(meta_file.read_text())))
    lines = [
        "# newswire model card",
        "",
        "Small heads on the outputs of one shared, frozen sentence encoder; the extractor runs the encoder",
        "once per sentence batch and every head reads the same pass. The event heads (detector, quad class,",
        "PLOVER type) also read hashed word unigrams and bigrams of the sentence (`lexical.py`). The",
        "ACLED-style sub-type head alone carries its own copy of the encoder's top four layers, fine-tuned,",
        "and re-runs them from the pass's hidden state below them. Heads are numpy-only (`weights.npz` +",
        "`labels.json`); no training text is stored in them.",
        "",
        "Reproduce: `newswire train all --data ../shared/data --out models --encoder default --seed 13 --cv 5`",
        "(equivalently `python -m newswire.extractor.training all ...`); `newswire train events` retrains the",
        "detector, quad-class, type and mode heads alone in under a minute once encoder outputs are cached.",
        "",
        "Intended use: coding political events in English news sentences. Not for decisions about",
        "individuals. Whether a sentence reports an occurrence is learnt from real news sentences (CAMEO",
        "sentences, the police set's train split, CASE snippets, PLOVER gold records) with real negatives",
        "(statements, background, comment); the PLOVER types still lean on synthetic stories, with real",
        "sentences whose labels map to a type beside them.",
        "",
    ]
    lines += _end_to_end_lines(out)
    for name, meta in heads:
        lines += [f"## {name}", ""]
        lines.append(f"- encoder: `{meta.get('encoder')}` (fingerprint `{meta.get('encoder_fingerprint')}`)")
        lines.append(f"- data: {meta.get('data')}")
        lines.append(f"- architecture: {meta.get('architecture')}")
        if meta.get("decoding"):
            lines.append(f"- decoding: {meta['decoding']}")
        if meta.get("notes"):
            lines.append(f"- notes: {meta['notes']}")
        lines.append(f"- labels: {len(meta.get('labels', []))}")
        lines.append(f"- command: `{meta.get('command')}`")
        lines.append(f"- trained: seed {meta.get('seed')}, {meta.get('train_seconds', 0):.0f}s on {meta.get('host')}")
        for key, value in sorted((meta.get("scores") or {}).items()):
            lines.append(f"- {key}: {value:.4f}" if isinstance(value, float) else f"- {key}: {value}")
        if name == SUBTYPE_HEAD:
            lines += ["", "Sub-types allowed per predicted PLOVER type (any other type gets none):", ""]
            lines += [f"- {kind}: {', '.join(sorted(allowed))}" for kind, allowed in SUBTYPE_COMPATIBILITY.items()]
        lines.append("")
    run_file = out / "training-run.json"
    if run_file.exists():
        run = json.loads(run_file.read_text())
        lines += [
            "## Last training run",
            "",
            f"- command: `{run.get('command')}`",
            f"- encoder-output cache: {run.get('cache')}",
            f"- machine: {run.get('machine')}",
            f"- wall-clock seconds, encoding included: {run.get('seconds')}",
            "",
        ]
    lines += [
        "## How the figures are defined",
        "",
        "- End to end (`benchmarks/event_quality.py`): each input goes through `newswire extract -` and its",
        "  most confident event stands for it; no event is an answer (a miss for CASE, a statement for the",
        "  CAMEO quad class). CASE and CAMEO are 5-fold (stratified, seed 13): the detector, quad-class and",
        "  type heads, and the sub-type head's fine-tuned layers, are retrained without the fold's inputs;",
        "  the police dev split is never trained on. Police labels from events: KILL a killed count with",
        "  police or state forces as actor; ARREST an arrested count, the ARREST sub-type or COERCE/ARREST;",
        "  FORCE an ASSAULT by them; ANY_ACTION any of those, any event of theirs or of the government, or a",
        "  coercion or mobilisation with no non-state actor named. Quad classes: `corpora.PLOVER_QUAD`.",
        "- Detector `heldout_*` (head only): a fifth of the real sentences held out of the first fit, Platt",
        "  scaling fitted on them; ECE over ten equal-width bins.",
        "- ACLED sub-types `cv5_*` (head only): stratified 5-fold CV over the 609 snippets, seed 13; the top",
        "  layers are fine-tuned afresh inside each fold, from the pretrained weights.",
        "- NER: entity-level F1 with seqeval on CoNLL-2003 dev (tag of each word's first word piece).",
        "",
        "## Targets (issue 9)",
        "",
        "End to end, on the dev data: ACLED-style sub-type weighted F1 >= 0.82; police-action macro F1 >= 0.75;",
        "quad-class weighted F1 >= 0.75; CASE snippets with no event <= 3%; event rate within 20% of the gold",
        "rate on every set. Not all are met yet: the table above says where each stands.",
        "",
    ]
    (out / "MODEL_CARD.md").write_text("\n".join(lines))


END_TO_END_FILE = "end-to-end.json"


def _end_to_end_lines(out: Path) -> list[str]:
    """The figures `benchmarks/event_quality.py --record` measured through `newswire extract`."""
    path = out / END_TO_END_FILE
    if not path.exists():
        return []
    record = json.loads(path.read_text())
    lines = [
        "## End-to-end scores (what `newswire extract` prints, scored against gold)",
        "",
        f"Command: `{record['command']}` ({record['folds']}-fold, retraining inside each fold; "
        f"detector ECE, head only: {record['detector_ece']:.4f}).",
        "",
        "| set | metric | score | event rate | gold rate | inputs |",
        "|---|---|---|---|---|---|",
    ]
    for row in record["sets"]:
        lines.append(
            f"| {row['name']} | {row['metric']} | {row['score']:.4f} | {row['event_rate']:.3f} | "
            f"{row['gold_rate']:.3f} | {row['inputs']} |"
        )
    lines.append("")
    for row in record["sets"]:
        if row["extra"]:
            extra = ", ".join(f"{key} {value:.4f}" for key, value in row["extra"].items())
            lines.append(f"- {row['name']}: {extra}")
    lines.append("")
    return lines


# ----------------------------------------------------------------------------------------------------
# command


SUBTYPE_NOTES = (
    "each measured under the same stratified 5-fold CV (seed 13): on frozen features, logistic regression, "
    "SVM and MLP 0.71-0.75, per-layer features 0.72-0.74, word and character n-grams stacked with them 0.76; "
    "fine-tuning the top 1, 2, 3 layers 0.77, 0.79, 0.80 (0.7990); top 3 plus each snippet's sentences as extra "
    "examples 0.79, top 2 first tuned on PLOVER titles 0.78, top 3 without class weights 0.79; this head: "
    "the top 4 layers (cv5 scores below; one and two torch threads gave the same 0.8012)"
)


HEAD_INPUT = "[mean-pool ; max-pool] (768) ; hashed word unigrams+bigrams (32,768, lexical.py)"
NO_EVENT_SOURCES = "models/training/no-event-lines.txt and CoNLL-2003 sports/market sentences"


SUBTYPE_DECODING = (
    "a sentence of an article's lead (its first sentences, up to three, in the first paragraph) reads a blend, "
    "half and half, of its own distribution and the head's distribution over the whole lead, which is what the "
    "head was fitted on (analyzer.LEAD_SUBTYPE_SHARE; on the CASE snippets end to end, with ATTRIB allowed for "
    "ASSAULT: 0.7548 without the lead, 0.7676 half and half, 0.7719 with the lead alone); reported only when "
    "compatible with the predicted PLOVER type "
    f"(heads.SUBTYPE_COMPATIBILITY), at p >= {SUBTYPE_MIN_CONFIDENCE} and p >= {SUBTYPE_MIN_SHARE_OF_TOP} x the "
    f"top sub-type's p; a sure sub-type (p >= {SUBTYPE_OVERRIDE_CONFIDENCE}) settles ASSAULT vs COERCE and makes "
    "a DISASTER of a harm-typed sentence, and a sure ATTRIB that no likely accusation takes stays with an ASSAULT "
    "or a REJECT (heads.reconcile_type_and_subtype); cv_confident_* = share of snippets whose top p clears the "
    "floor, and accuracy among them"
)


def _common_meta(encoder: Encoder, seed: int, command: str, seconds: float) -> dict[str, Any]:
    return {
        "encoder": encoder.name,
        "encoder_fingerprint": encoder.fingerprint,
        "max_length": encoder.max_length,
        "seed": seed,
        "command": command,
        "train_seconds": round(seconds, 1),
        "host": f"{platform.machine()} CPU" if encoder.device == "cpu" else encoder.device,
    }


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newswire train", description=__doc__.splitlines()[0])
    parser.add_argument("what", nargs="?", default="all", choices=["events", "subtypes", "ner", "all"])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"), help="the shared data folder")
    parser.add_argument("--out", type=Path, default=REPO_MODELS_DIR, help="where heads are written")
    parser.add_argument("--encoder", default="default", help="Hugging Face id or local path")
    parser.add_argument("--device", default="cpu")
    parser.add_argument(
        "--threads", type=int, default=None, help="torch intra-op threads (default: the CPU count, at most 4)"
    )
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--cv", type=int, default=5, help="cross-validation folds for the scores (0: skip)")
    parser.add_argument("--epochs", type=int, default=8, help="NER tagger epochs")
    parser.add_argument(
        "--subtype-layers",
        type=int,
        default=TopLayerConfig.layers,
        help="top encoder layers the sub-type head fine-tunes (0: logistic regression on frozen features)",
    )
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=Path("build/train-cache"),
        help="encoder outputs are cached here between runs ('none' disables)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    command = "newswire train " + " ".join(argv if argv is not None else sys.argv[1:])
    np.random.seed(args.seed)
    import torch

    torch.manual_seed(args.seed)
    cache_dir = None if str(args.cache_dir).lower() == "none" else args.cache_dir
    started_all = time.monotonic()
    encoder = Encoder(args.encoder, device=args.device, threads=args.threads)
    cache = FeatureCache(encoder, cache_dir)
    out: Path = args.out
    what: str = args.what
    steps: list[tuple[str, Callable[[], None]]] = []

    def events() -> None:
        started = time.monotonic()
        data = build_event_data(cache, args.data, args.seed)
        synthetic = synthetic_types(data)
        real = event_training.encode_real_news(event_training.load_real_news(args.data), cache.sentence_features)
        meta = _common_meta(encoder, args.seed, command, time.monotonic() - started)
        detector = event_training.train_detector(real, synthetic, args.seed)
        detector.meta = {
            **meta,
            **detector.meta,
            "data": f"real sentences: {event_training.REAL_NEWS_DATA}; negatives also {NO_EVENT_SOURCES}",
            "architecture": f"binary logistic regression on {HEAD_INPUT}, Platt-calibrated",
        }
        detector.save(out / DETECTOR_HEAD)
        quads = event_training.train_quad(real, synthetic, args.seed)
        quads.meta = {
            **meta,
            "data": f"real sentences of the four quad classes ({event_training.REAL_NEWS_DATA}); {PLOVER_FILE}",
            "architecture": f"multinomial logistic regression on {HEAD_INPUT}, class-balanced",
        }
        quads.save(out / QUAD_HEAD)
        types = event_training.train_types(real, synthetic, args.seed)
        types.meta = {
            **meta,
            "data": (
                f"{PLOVER_FILE} (per story: title, and title+body mean), {PLOVER_CODEBOOK} definitions, "
                "models/training/event-sentences.tsv, and the real sentences whose labels name a PLOVER type "
                "(CASE sub-types, police kills/force/arrests, PLOVER gold records)"
            ),
            "architecture": f"multinomial logistic regression on {HEAD_INPUT}, class-balanced; at decoding "
            "p(type) is weighed by the quad-class head's p(the type's quad class)",
        }
        types.save(out / EVENT_HEAD)
        modes = train_modes(data, args.seed)
        modes.meta = {
            **meta,
            "data": f"{PLOVER_FILE} (labels TYPE/MODE; '-' = no mode)",
            "architecture": "multinomial logistic regression; decoding restricted to the predicted type",
        }
        modes.save(out / MODE_HEAD)
        _log(f"events: {json.dumps(detector.meta['scores'])}", started)

    def subtypes() -> None:
        started = time.monotonic()
        config = TopLayerConfig(layers=max(1, args.subtype_layers))
        data = build_subtype_data(cache, args.data, config if args.subtype_layers > 0 else None)
        model = encoder.model if data.states is not None else None
        scores = cv_subtypes(data, args.cv, args.seed, model, config) if args.cv > 1 else {}
        head = train_subtypes(data, args.seed, model, config)
        if isinstance(head, TransformerHead):
            architecture = (
                f"the encoder's top {head.layer_count} layers fine-tuned (from hidden state {head.tap_layer} of the "
                "shared pass), mean-pooled, softmax; class-balanced loss; weights stored as float16"
            )
        else:
            architecture = "multinomial logistic regression on [mean-pool ; max-pool], class-balanced (encoder "
            architecture += "is not BERT-style, so its top layers cannot be fine-tuned)"
        head.meta = {
            **head.meta,
            **_common_meta(encoder, args.seed, command, time.monotonic() - started),
            "data": str(ACLED_FILE),
            "architecture": architecture,
            "min_confidence": SUBTYPE_MIN_CONFIDENCE,
            "decoding": SUBTYPE_DECODING,
            "notes": SUBTYPE_NOTES,
            "scores": {f"cv{args.cv}_{k}": v for k, v in scores.items()},
        }
        head.save(out / SUBTYPE_HEAD)
        _log(f"subtypes: {json.dumps(scores)}", started)

    def ner() -> None:
        started = time.monotonic()
        train = build_ner_data(cache, args.data / CONLL_DIR / "train.txt", "conll train")
        dev = build_ner_data(cache, args.data / CONLL_DIR / "dev.txt", "conll dev")
        head = train_tagger(train, args.seed, epochs=args.epochs, dev=dev)
        scores = evaluate_tagger(head, dev)
        head.meta = {
            **_common_meta(encoder, args.seed, command, time.monotonic() - started),
            "data": f"{CONLL_DIR}/train.txt; scored on dev.txt",
            "architecture": "word-piece BiLSTM over [token embeddings ; case features], BIO Viterbi",
            "case_features": "see heads.CASE_FEATURE_NAMES",
            "scores": {f"conll_dev_entity_{k}": v for k, v in scores.items()},
        }
        head.save(out / NER_HEAD)
        _log(f"ner: {json.dumps(scores)}", started)

    if what in {"events", "all"}:
        steps.append(("events", events))
    if what in {"subtypes", "all"}:
        steps.append(("subtypes", subtypes))
    if what in {"ner", "all"}:
        steps.append(("ner", ner))
    step_seconds: dict[str, float] = {}
    for name, step in steps:
        _log(f"training {name}")
        step_started = time.monotonic()
        step()
        step_seconds[name] = round(time.monotonic() - step_started, 1)
    step_seconds["total"] = round(time.monotonic() - started_all, 1)
    run = {
        "command": command,
        "cache": "none (every text encoded)" if cache_dir is None else str(cache_dir),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, device {args.device}",
        "seconds": step_seconds,
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / "training-run.json").write_text(json.dumps(run, indent=2) + "\n")
    write_model_card(out)
    _log(f"done: {what}", started_all)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

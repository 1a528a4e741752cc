"""The model stage: sentences in, `SentenceAnalysis` out, with one encoder pass per batch for all heads."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from ..common.paths import package_path
from .arrays import FloatArray
from .corpora import PLOVER_QUAD, QUAD_NAMES
from .encoding import EncodedBatch, load_encoder
from .heads import (
    DETECTOR_HEAD,
    EVENT_HEAD,
    MODE_HEAD,
    NER_HEAD,
    NO_EVENT,
    QUAD_HEAD,
    SUBTYPE_COMPATIBILITY,
    SUBTYPE_HEAD,
    SUBTYPE_MIN_CONFIDENCE,
    SUBTYPE_OVERRIDE_SHARE,
    DenseHead,
    SubtypeHead,
    TaggerHead,
    TransformerHead,
    calibrated_event_probability,
    case_features,
    load_subtype_head,
    pooled_features,
    reconcile_type_and_subtype,
    spans_from_tags,
)
from .lexical import lexical_matrix
from .types import EntitySpan, Sentence, SentenceAnalysis

log = logging.getLogger(__name__)

MODEL_NAME = "newswire-heads"


def default_models_dir() -> Path:
    """The trained heads shipped with the package (`models/` of the checkout, see `common.paths`)."""
    return package_path("models")


# The sub-type head was fitted on ACLED-style snippets of one to three sentences, and a news lead is
# such a snippet: it names the occurrence and says what kind it is across its sentences ("Gunmen stormed
# a school. They seized 40 pupils."). A sentence of the lead reads its sub-type from this blend of its own
# distribution and the whole lead's. Measured on the CASE snippets (5-fold, end to end): see MODEL_CARD.
LEAD_SUBTYPE_SHARE = 0.5
LEAD_SENTENCES = 3

LeadPassage = Sequence[int]  # indices of an article's opening sentences in the analysed list


def lead_passage(text: str, sentences: Sequence[Sentence], first: int = 0) -> list[int]:
    """The indices (counted from `first`) of an article's opening sentences: up to `LEAD_SENTENCES`, within
    its first paragraph (a line break ends the lead: a headline or a dateline line is not its prose)."""
    passage: list[int] = []
    for offset, sentence in enumerate(sentences[:LEAD_SENTENCES]):
        if offset and "\n" in text[sentences[offset - 1].end : sentence.start]:
            break
        passage.append(first + offset)
    return passage


def _may_have_subtype(type_scores: dict[str, float]) -> bool:
    """Whether any type plausible enough to be reported could carry a sub-type; the fine-tuned layers
    are the costliest part of the pass, so a clear THREATEN or REQUEST skips them."""
    top = max(type_scores.values())
    return any(
        SUBTYPE_COMPATIBILITY.get(kind) and score >= SUBTYPE_OVERRIDE_SHARE * top for kind, score in type_scores.items()
    )


class SentenceAnalyzer:
    """Runs the shared encoder once per batch and reads event type, mode, sub-type and entities from it."""

    def __init__(
        self,
        encoder: str = "default",
        models_dir: Path | None = None,
        device: str = "cpu",
        batch_size: int = 32,
        event_threshold: float = 0.35,
        backend: str = "torch",
        onnx_path: Path | None = None,
        blas_threads: int | None = 1,
        torch_threads: int | None = None,
        onnx_threads: int | None = None,
        precision: str = "fp32",
    ) -> None:
        self.blas_threads = blas_threads  # see ExtractorOptions.blas_threads
        self.models_dir = Path(models_dir) if models_dir is not None else default_models_dir()
        if not (self.models_dir / EVENT_HEAD / "weights.npz").exists():
            raise FileNotFoundError(
                f"no trained heads in {self.models_dir}; run `newswire train all --data ../shared/data`"
            )
        self.encoder = load_encoder(
            encoder,
            device=device,
            backend=backend,
            onnx_path=onnx_path,
            torch_threads=torch_threads,
            onnx_threads=onnx_threads,
            precision=precision,
        )
        self.batch_size = max(1, batch_size)
        # The fine-tuned sub-type layers follow the encoder's arithmetic: left in fp32 beside a bf16
        # encoder, they took a seventh of the extractor's time.
        self._bf16 = self.encoder.precision == "bf16"
        self.event_threshold = event_threshold
        self.event_head = DenseHead.load(self.models_dir / EVENT_HEAD)
        self.detector = self._optional_dense(DETECTOR_HEAD)
        self.quad_head = self._optional_dense(QUAD_HEAD)
        self.mode_head = self._optional_dense(MODE_HEAD)
        self.subtype_head: SubtypeHead | None = (
            load_subtype_head(self.models_dir / SUBTYPE_HEAD)
            if (self.models_dir / SUBTYPE_HEAD / "weights.npz").exists()
            else None
        )
        # A fine-tuned sub-type head starts from an intermediate hidden state of the same encoder pass.
        self._taps: tuple[int, ...] = (
            (self.subtype_head.tap_layer,) if isinstance(self.subtype_head, TransformerHead) else ()
        )
        self._check_taps()
        self.tagger = TaggerHead.load(self.models_dir / NER_HEAD) if (self.models_dir / NER_HEAD).exists() else None
        self._check_encoder_matches()
        self._type_columns = [i for i, label in enumerate(self.event_head.labels) if label != NO_EVENT]
        self._type_labels = [self.event_head.labels[i] for i in self._type_columns]
        self._quad_columns = self._quad_columns_of_types()
        self._reads_words = any(
            head is not None and head.lexical is not None for head in (self.event_head, self.detector, self.quad_head)
        )
        self._version = self._compute_version()

    def _quad_columns_of_types(self) -> list[int] | None:
        """For each type column, the quad head's column of that type's quad class."""
        if self.quad_head is None:
            return None
        return [self.quad_head.labels.index(QUAD_NAMES[PLOVER_QUAD[label]]) for label in self._type_labels]

    def _optional_dense(self, name: str) -> DenseHead | None:
        directory = self.models_dir / name
        return DenseHead.load(directory) if (directory / "weights.npz").exists() else None

    def _check_taps(self) -> None:
        for layer in self._taps:
            if not 0 <= layer <= self.encoder.layer_count:
                raise ValueError(
                    f"head {SUBTYPE_HEAD} reads hidden state {layer}, but encoder {self.encoder.name} has "
                    f"{self.encoder.layer_count} layers; retrain it with `newswire train subtypes`"
                )
        if self._taps:
            self.encoder.encode(["probe"], layers=self._taps)  # an old ONNX export fails here, not mid-stream

    def _check_encoder_matches(self) -> None:
        """Heads only make sense on the encoder they were trained on; a mismatch is worth shouting about."""
        for name, meta in self._heads_meta().items():
            trained_on = meta.get("encoder_fingerprint")
            if trained_on and trained_on != self.encoder.fingerprint:
                log.warning(
                    "head %s was trained on encoder %s (%s) but %s (%s) is loaded",
                    name,
                    meta.get("encoder"),
                    trained_on,
                    self.encoder.name,
                    self.encoder.fingerprint,
                )

    def _heads_meta(self) -> dict[str, dict[str, object]]:
        heads: dict[str, DenseHead | TransformerHead | TaggerHead | None] = {
            EVENT_HEAD: self.event_head,
            DETECTOR_HEAD: self.detector,
            QUAD_HEAD: self.quad_head,
            MODE_HEAD: self.mode_head,
            SUBTYPE_HEAD: self.subtype_head,
            NER_HEAD: self.tagger,
        }
        return {name: head.meta for name, head in heads.items() if head is not None}

    def _compute_version(self) -> str:
        digest = hashlib.sha256()
        for name in (EVENT_HEAD, DETECTOR_HEAD, QUAD_HEAD, MODE_HEAD, SUBTYPE_HEAD, NER_HEAD):
            weights = self.models_dir / name / "weights.npz"
            if weights.exists():
                digest.update(name.encode())
                digest.update(weights.read_bytes())
        return f"{digest.hexdigest()[:10]}+{self.encoder.fingerprint}"

    @property
    def model_name(self) -> str:
        return f"{MODEL_NAME}/{self.encoder.name}"

    @property
    def model_version(self) -> str:
        return self._version

    @property
    def encoder_name(self) -> str:
        return self.encoder.name

    def analyze(self, sentences: Sequence[Sentence], leads: Sequence[LeadPassage] = ()) -> list[SentenceAnalysis]:
        """`leads` name each article's opening sentences (indices into `sentences`), whose sub-types are
        also read from the passage as a whole: see `LEAD_SUBTYPE_SHARE`."""
        with threadpool_limits(self.blas_threads, user_api="blas"):
            return self._analyze(sentences, leads)

    def _analyze(self, sentences: Sequence[Sentence], leads: Sequence[LeadPassage]) -> list[SentenceAnalysis]:
        lead_probs = self._lead_subtype_probs(sentences, leads)
        # Similar lengths share a batch so padding stays small; results go back in input order.
        order = sorted(range(len(sentences)), key=lambda i: len(sentences[i].text))
        results: list[SentenceAnalysis | None] = [None] * len(sentences)
        for begin in range(0, len(order), self.batch_size):
            chunk = order[begin : begin + self.batch_size]
            batch = [sentences[i] for i in chunk]
            encoded = self.encoder.encode([s.text for s in batch], layers=self._taps)
            batch_leads = [lead_probs.get(i) for i in chunk]
            for index, analysis in zip(chunk, self._analyze_batch(batch, encoded, batch_leads), strict=True):
                results[index] = analysis
        return [r for r in results if r is not None]

    def _lead_subtype_probs(self, sentences: Sequence[Sentence], leads: Sequence[LeadPassage]) -> dict[int, FloatArray]:
        """The fine-tuned sub-type head's distribution over each lead passage of two or more sentences,
        by the index of every sentence in it (a one-sentence lead is its own sentence)."""
        head = self.subtype_head
        passages = [lead for lead in leads if len(lead) >= 2]
        if not isinstance(head, TransformerHead) or not passages:
            return {}
        texts = [" ".join(sentences[i].text for i in lead) for lead in passages]
        found: dict[int, FloatArray] = {}
        for begin in range(0, len(texts), self.batch_size):
            hidden, mask = self.encoder.hidden_state(texts[begin : begin + self.batch_size], head.tap_layer)
            probs = head.predict_proba(hidden, mask, bf16=self._bf16)
            for lead, row in zip(passages[begin : begin + self.batch_size], probs, strict=True):
                for index in lead:
                    found[index] = row
        return found

    def _analyze_batch(
        self, batch: Sequence[Sentence], encoded: EncodedBatch, lead_probs: Sequence[FloatArray | None] = ()
    ) -> list[SentenceAnalysis]:
        features = pooled_features(encoded.pooled, encoded.token_embeddings, encoded.attention_mask)
        words = lexical_matrix([sentence.text for sentence in batch]) if self._reads_words else None
        type_probs, event_probability = self._types_and_detection(features, words)
        mode_probs = self.mode_head.predict_proba(features) if self.mode_head is not None else None
        event_types: list[str | None] = []
        type_scores_per_row: list[dict[str, float]] = []
        for row, probs in enumerate(type_probs):
            type_scores = {label: round(float(p), 4) for label, p in zip(self._type_labels, probs, strict=True)}
            best_type = max(type_scores, key=lambda label: type_scores[label])
            event_types.append(best_type if float(event_probability[row]) >= self.event_threshold else None)
            type_scores_per_row.append(type_scores)
        sub_types, sub_type_scores = self._sub_types(event_types, type_scores_per_row, features, encoded, lead_probs)
        entities = self._entities([sentence.text for sentence in batch], encoded)
        out: list[SentenceAnalysis] = []
        for row, sentence in enumerate(batch):
            event_type = event_types[row]
            mode = None
            if event_type is not None and mode_probs is not None and self.mode_head is not None:
                mode = self._mode_for(event_type, mode_probs[row])
            out.append(
                SentenceAnalysis(
                    sentence=sentence,
                    event_type=event_type,
                    event_score=round(float(event_probability[row]), 4),
                    event_scores=type_scores_per_row[row],
                    mode=mode,
                    sub_event_type=sub_types.get(row),
                    entities=entities[row],
                    sub_type_scores=sub_type_scores.get(row, {}),
                )
            )
        return out

    def _types_and_detection(self, features: np.ndarray, words: Any) -> tuple[np.ndarray, np.ndarray]:
        """p(type) for the PLOVER types (weighed by p(its quad class) where a quad head exists) and
        p(event): the calibrated detector's where there is one, else the type head's 1 - p(NONE)."""
        raw = self.event_head.predict_proba(features, words)
        probs = raw[:, self._type_columns]
        if self.quad_head is not None and self._quad_columns is not None:
            probs = probs * self.quad_head.predict_proba(features, words)[:, self._quad_columns]
        probs = probs / np.maximum(probs.sum(axis=1, keepdims=True), 1e-12)
        if self.detector is not None:
            event_probability = calibrated_event_probability(self.detector, features, words)
        elif NO_EVENT in self.event_head.labels:
            event_probability = 1.0 - raw[:, self.event_head.labels.index(NO_EVENT)]
        else:
            event_probability = np.ones(len(features), dtype=np.float32)
        return probs, event_probability

    def _sub_types(
        self,
        event_types: list[str | None],
        type_scores: Sequence[dict[str, float]],
        features: np.ndarray,
        encoded: EncodedBatch,
        lead_probs: Sequence[FloatArray | None] = (),
    ) -> tuple[dict[int, str], dict[int, dict[str, float]]]:
        """Sub-types for the event rows (the fine-tuned head only runs on those), reconciled with the
        type, and the head's distribution for each: `event_types` is updated in place where a confident
        sub-type picks a plausible type."""
        head = self.subtype_head
        rows = [row for row, kind in enumerate(event_types) if kind is not None and _may_have_subtype(type_scores[row])]
        if head is None or not rows:
            return {}, {}
        if isinstance(head, TransformerHead):
            mask = encoded.attention_mask[rows]
            width = int(mask.sum(axis=1).max())
            probs = head.predict_proba(
                encoded.hidden_states[head.tap_layer][rows, :width], mask[:, :width], bf16=self._bf16
            )
        else:
            probs = head.predict_proba(features[rows])
        min_confidence = float(head.meta.get("min_confidence", SUBTYPE_MIN_CONFIDENCE))
        found: dict[int, str] = {}
        scores: dict[int, dict[str, float]] = {}
        for position, row in enumerate(rows):
            lead = lead_probs[row] if row < len(lead_probs) else None
            if lead is not None:
                probs[position] = (1.0 - LEAD_SUBTYPE_SHARE) * probs[position] + LEAD_SUBTYPE_SHARE * lead
            kind, sub_type = reconcile_type_and_subtype(
                str(event_types[row]), type_scores[row], head.labels, probs[position], min_confidence
            )
            event_types[row] = kind
            scores[row] = {label: round(float(p), 4) for label, p in zip(head.labels, probs[position], strict=True)}
            if sub_type is not None:
                found[row] = sub_type
        return found, scores

    def _mode_for(self, event_type: str, probs: np.ndarray) -> str | None:
        """Modes are per type in PLOVER: choose only among the predicted type's own modes."""
        assert self.mode_head is not None
        prefix = f"{event_type}/"
        candidates = [i for i, label in enumerate(self.mode_head.labels) if label.startswith(prefix)]
        if not candidates:
            return None
        best = max(candidates, key=lambda i: float(probs[i]))
        mode = self.mode_head.labels[best][len(prefix) :]
        return None if mode == "-" else mode

    def _entities(self, texts: Sequence[str], encoded: EncodedBatch) -> list[tuple[EntitySpan, ...]]:
        """Entity spans of each sentence of the batch, the tagger run over all of them at once."""
        found: list[tuple[EntitySpan, ...]] = [() for _ in texts]
        if self.tagger is None:
            return found
        rows, offsets, inputs = [], [], []
        for row, text in enumerate(texts):
            real = encoded.special_tokens_mask[row] == 0
            if not real.any():
                continue
            rows.append(row)
            offsets.append(encoded.offsets[row][real])
            features = case_features(text, offsets[-1], np.zeros(len(offsets[-1]), dtype=np.int64))
            inputs.append((encoded.token_embeddings[row][real], features))
        for row, row_offsets, (tags, confidence) in zip(rows, offsets, self.tagger.decode_batch(inputs), strict=True):
            text = texts[row]
            spans = spans_from_tags(text, tags, [(int(a), int(b)) for a, b in row_offsets], confidence.tolist())
            found[row] = tuple(
                EntitySpan(label=s.label, text=text[s.start : s.end], start=s.start, end=s.end, score=round(s.score, 4))
                for s in spans
            )
        return found

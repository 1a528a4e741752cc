"""Small trained heads that read the shared encoder's outputs.

Every head is stored as `models/<head-name>/weights.npz` plus `labels.json` (labels and metadata), and
runs with numpy alone: the heads stay cheap to load, easy to inspect, and independent of the framework
that trained them. Training lives in the `training` package.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from .arrays import FloatArray, IntArray

NO_EVENT = "NONE"
EVENT_HEAD = "plover-event-type"
MODE_HEAD = "plover-mode"
SUBTYPE_HEAD = "acled-subtype"
NER_HEAD = "ner-tagger"
DETECTOR_HEAD = "event-detector"
QUAD_HEAD = "quad-class"

NER_TAGS = ("O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC")

_WORD_CHAR = re.compile(r"\w")


def _softmax(logits: FloatArray) -> FloatArray:
    shifted = logits - logits.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    probs: FloatArray = (exp / exp.sum(axis=-1, keepdims=True)).astype(np.float32)
    return probs


def _save(directory: Path, arrays: dict[str, npt.NDArray[Any]], meta: dict[str, Any]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(directory / "weights.npz", **arrays)  # type: ignore[arg-type]
    (directory / "labels.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")


def _load(directory: Path) -> tuple[dict[str, FloatArray], dict[str, Any]]:
    with np.load(directory / "weights.npz") as data:
        arrays = {key: data[key].astype(np.float32) for key in data.files}
    meta: dict[str, Any] = json.loads((directory / "labels.json").read_text())
    return arrays, meta


def _load_labelled(directory: Path) -> tuple[list[str], dict[str, FloatArray], dict[str, Any]]:
    """Labels, arrays, and the rest of the metadata (without the bookkeeping keys `labels` and `kind`)."""
    arrays, meta = _load(directory)
    return list(meta["labels"]), arrays, {k: v for k, v in meta.items() if k not in {"labels", "kind"}}


@dataclass
class DenseHead:
    """A softmax classifier (linear, or with one ReLU hidden layer) over pooled sentence embeddings.

    A linear head may also read the hashed word features of `lexical.py` (`lexical`: [features, labels],
    added to the logits), which is how the event heads tell "condemned" from "threatened".
    """

    labels: list[str]
    weights: list[FloatArray]
    biases: list[FloatArray]
    meta: dict[str, Any] = field(default_factory=dict)
    lexical: FloatArray | None = None

    def logits(self, features: FloatArray, lexical: Any = None) -> FloatArray:
        """`lexical` is `lexical.lexical_matrix(texts)` for the same rows; required when the head reads words."""
        hidden = features.astype(np.float32)
        for index, (weight, bias) in enumerate(zip(self.weights, self.biases, strict=True)):
            hidden = hidden @ weight + bias
            if index < len(self.weights) - 1:
                hidden = np.maximum(hidden, 0.0)
        if self.lexical is not None:
            if lexical is None:
                raise ValueError("this head reads word features: pass lexical_matrix(texts)")
            hidden = hidden + np.asarray(lexical @ self.lexical, dtype=np.float32)
        return hidden

    def predict_proba(self, features: FloatArray, lexical: Any = None) -> FloatArray:
        return _softmax(self.logits(features, lexical))

    def save(self, directory: Path) -> None:
        arrays: dict[str, npt.NDArray[Any]] = {}
        for index, (weight, bias) in enumerate(zip(self.weights, self.biases, strict=True)):
            arrays[f"W{index}"] = weight.astype(np.float32)
            arrays[f"b{index}"] = bias.astype(np.float32)
        if self.lexical is not None:
            arrays["lexical"] = self.lexical.astype(np.float16)  # most columns are near zero: half is plenty
        _save(directory, arrays, {**self.meta, "labels": self.labels, "kind": "dense"})

    @classmethod
    def from_logistic_regression(cls, model: Any, embedding_columns: int | None = None) -> DenseHead:
        """A fitted scikit-learn LogisticRegression as a head; columns past `embedding_columns` are the
        hashed word features (`lexical`)."""
        weight = model.coef_.T.astype(np.float32)
        bias = model.intercept_.astype(np.float32)
        if len(model.classes_) == 2:  # sklearn keeps one column for binary problems
            weight = np.concatenate([-weight / 2, weight / 2], axis=1)
            bias = np.array([-bias[0] / 2, bias[0] / 2], dtype=np.float32)
        labels = [str(label) for label in model.classes_]
        if embedding_columns is None:
            return cls(labels=labels, weights=[weight], biases=[bias])
        return cls(
            labels=labels,
            weights=[weight[:embedding_columns]],
            biases=[bias],
            lexical=weight[embedding_columns:],
            meta={"reads_words": True},
        )

    @classmethod
    def load(cls, directory: Path) -> DenseHead:
        labels, arrays, meta = _load_labelled(directory)
        layers = sum(1 for key in arrays if key.startswith("W"))
        return cls(
            labels=labels,
            weights=[arrays[f"W{i}"] for i in range(layers)],
            biases=[arrays[f"b{i}"] for i in range(layers)],
            meta=meta,
            lexical=arrays.get("lexical"),
        )


# The event detector's two labels; training (`training/heads/detector.py`) stores its Platt calibration in
# the head's metadata, and the analyzer reads it back through `calibrated_event_probability`.
EVENT_LABEL = "EVENT"
NOT_EVENT_LABEL = "NONE"


def detector_margin(head: DenseHead, features: FloatArray, lexical: Any) -> FloatArray:
    logits = head.logits(features, lexical)
    event = head.labels.index(EVENT_LABEL)
    margin: FloatArray = (logits[:, event] - logits[:, 1 - event]).astype(np.float32)
    return margin


def calibrated_event_probability(head: DenseHead, features: FloatArray, lexical: Any) -> FloatArray:
    """p(the sentence reports an occurrence), with the head's stored calibration (identity if none)."""
    margin = detector_margin(head, features, lexical)
    calibration = head.meta.get("calibration") or {}
    slope = float(calibration.get("slope", 1.0))
    intercept = float(calibration.get("intercept", 0.0))
    probs: FloatArray = (1.0 / (1.0 + np.exp(-(slope * margin + intercept)))).astype(np.float32)
    return probs


# The linear and layer-norm modules of one BERT layer, as `TransformerHead` names their arrays.
LAYER_PARTS = ("q", "k", "v", "o", "i", "out", "ln1", "ln2")


def _erf(x: FloatArray) -> FloatArray:
    """Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7): exact GELU without a scipy dependency."""
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    result: FloatArray = (sign * (1.0 - poly * np.exp(-a * a))).astype(np.float32)
    return result


# Hugging Face activation names computed with the tanh approximation of GELU (numpy and torch paths alike).
_TANH_GELU_KINDS = frozenset({"gelu_new", "gelu_pytorch_tanh", "gelu_fast"})


def _gelu(x: FloatArray, kind: str) -> FloatArray:
    if kind in _TANH_GELU_KINDS:
        inner = np.sqrt(2.0 / np.pi) * (x + 0.044715 * x**3)
        tanh_form: FloatArray = (0.5 * x * (1.0 + np.tanh(inner))).astype(np.float32)
        return tanh_form
    if kind == "relu":
        relu: FloatArray = np.maximum(x, 0.0)
        return relu
    exact: FloatArray = (0.5 * x * (1.0 + _erf(x / np.sqrt(2.0)))).astype(np.float32)
    return exact


def _layer_norm(x: FloatArray, gamma: FloatArray, beta: FloatArray, eps: float) -> FloatArray:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    normed: FloatArray = ((x - mean) / np.sqrt(var + eps) * gamma + beta).astype(np.float32)
    return normed


def _runs_in_torch(use_torch: bool | None) -> bool:
    """Whether a head runs its layers in torch: as asked, else where torch is already loaded (the torch
    encoder backend). The ONNX backend never imports torch for a head."""
    return use_torch if use_torch is not None else "torch" in sys.modules


@dataclass
class TransformerHead:
    """The encoder's top layers, fine-tuned for one task, re-run in numpy from a hidden state the shared
    encoder pass already computed, then pooled into a softmax classifier.

    Frozen-feature heads top out at 0.74 weighted F1 on the ACLED-style sub-types; letting the top four
    of MiniLM's six layers adapt lifts that to 0.80 while every other head keeps reading the untouched
    encoder. The cost is those layers again, in numpy, over just the sentences that can take a sub-type.
    Arrays use the PyTorch layout (`L{n}.q_W` is [out, in]); `meta` says which hidden state to start
    from (`tap_layer`, an index into the encoder's hidden states, 0 = embeddings) and the layer shape.
    """

    labels: list[str]
    arrays: dict[str, FloatArray]
    meta: dict[str, Any] = field(default_factory=dict)
    _torch_arrays: dict[str, Any] | None = field(default=None, repr=False, compare=False)

    @property
    def tap_layer(self) -> int:
        return int(self.meta["tap_layer"])

    @property
    def layer_count(self) -> int:
        return int(self.meta["layers"])

    def _linear(self, x: FloatArray, name: str) -> FloatArray:
        result: FloatArray = x @ self.arrays[f"{name}_W"].T + self.arrays[f"{name}_b"]
        return result

    def _layer(self, index: int, hidden: FloatArray, additive_mask: FloatArray) -> FloatArray:
        p = f"L{index}."
        batch, steps, width = hidden.shape
        heads = int(self.meta["num_heads"])
        eps = float(self.meta.get("layer_norm_eps", 1e-12))

        def split(x: FloatArray) -> FloatArray:
            return x.reshape(batch, steps, heads, width // heads).transpose(0, 2, 1, 3)

        query, key, value = (split(self._linear(hidden, p + n)) for n in ("q", "k", "v"))
        scores = query @ key.transpose(0, 1, 3, 2) / np.sqrt(width // heads) + additive_mask
        context = (_softmax(scores) @ value).transpose(0, 2, 1, 3).reshape(batch, steps, width)
        a = self.arrays
        hidden = _layer_norm(hidden + self._linear(context, p + "o"), a[p + "ln1_W"], a[p + "ln1_b"], eps)
        inner = _gelu(self._linear(hidden, p + "i"), str(self.meta.get("activation", "gelu")))
        return _layer_norm(hidden + self._linear(inner, p + "out"), a[p + "ln2_W"], a[p + "ln2_b"], eps)

    def logits(
        self, hidden: FloatArray, attention_mask: IntArray, *, use_torch: bool | None = None, bf16: bool = False
    ) -> FloatArray:
        """`hidden` is [B, T, H] at `tap_layer`; `attention_mask` [B, T] marks real tokens.

        Where torch is already loaded (the torch encoder backend) the layers run in torch, whose fused,
        threaded kernels take about half numpy's time; the ONNX backend never imports torch for them.
        `bf16` runs torch's matrix products in bfloat16, as a bf16 encoder does its own.
        """
        if _runs_in_torch(use_torch):
            return self._torch_logits(hidden, attention_mask, bf16=bf16)
        states = hidden.astype(np.float32)
        additive = ((1.0 - attention_mask[:, None, None, :].astype(np.float32)) * -1e4).astype(np.float32)
        for index in range(self.layer_count):
            states = self._layer(index, states, additive)
        mask = attention_mask[..., None].astype(np.float32)
        mean = (states * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None)
        pooled = mean / np.clip(np.linalg.norm(mean, axis=1, keepdims=True), 1e-12, None)
        return self._linear(pooled * float(self.meta.get("logit_scale", 1.0)), "fc")

    def predict_proba(self, hidden: FloatArray, attention_mask: IntArray, *, bf16: bool = False) -> FloatArray:
        return _softmax(self.logits(hidden, attention_mask, bf16=bf16))

    def _torch_logits(self, hidden: FloatArray, attention_mask: IntArray, *, bf16: bool = False) -> FloatArray:
        """The same computation as the numpy path of `logits`, in torch (results agree to ~1e-5 in fp32)."""
        import torch
        import torch.nn.functional as F

        if self._torch_arrays is None:
            self._torch_arrays = {name: torch.from_numpy(np.ascontiguousarray(a)) for name, a in self.arrays.items()}
        a = self._torch_arrays
        heads = int(self.meta["num_heads"])
        eps = float(self.meta.get("layer_norm_eps", 1e-12))
        activation = str(self.meta.get("activation", "gelu"))
        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            states = torch.from_numpy(np.ascontiguousarray(hidden, dtype=np.float32))
            mask = torch.from_numpy(np.ascontiguousarray(attention_mask, dtype=np.float32))
            batch, steps, width = states.shape
            additive = (1.0 - mask[:, None, None, :]) * -1e4
            for index in range(self.layer_count):
                p = f"L{index}."
                query, key, value = (
                    F.linear(states, a[p + n + "_W"], a[p + n + "_b"])
                    .view(batch, steps, heads, width // heads)
                    .transpose(1, 2)
                    for n in ("q", "k", "v")
                )
                scores = query @ key.transpose(-1, -2) / float(np.sqrt(width // heads)) + additive
                context = (scores.softmax(-1) @ value).transpose(1, 2).reshape(batch, steps, width)
                states = F.layer_norm(
                    states + F.linear(context, a[p + "o_W"], a[p + "o_b"]),
                    (width,),
                    a[p + "ln1_W"],
                    a[p + "ln1_b"],
                    eps,
                )
                inner = F.linear(states, a[p + "i_W"], a[p + "i_b"])
                if activation == "relu":
                    inner = F.relu(inner)
                else:
                    inner = F.gelu(inner, approximate="tanh" if activation in _TANH_GELU_KINDS else "none")
                states = F.layer_norm(
                    states + F.linear(inner, a[p + "out_W"], a[p + "out_b"]),
                    (width,),
                    a[p + "ln2_W"],
                    a[p + "ln2_b"],
                    eps,
                )
            weights = mask[..., None]
            mean = (states * weights).sum(dim=1) / weights.sum(dim=1).clamp_min(1e-9)
            pooled = mean / mean.norm(dim=1, keepdim=True).clamp_min(1e-12)
            logits = F.linear(pooled * float(self.meta.get("logit_scale", 1.0)), a["fc_W"], a["fc_b"])
        result: FloatArray = logits.float().numpy()
        return result

    def save(self, directory: Path) -> None:
        # float16 halves the artifact; the round trip moves the sub-type probabilities by ~1e-3.
        arrays = {k: v.astype(np.float16) for k, v in self.arrays.items()}
        _save(directory, arrays, {**self.meta, "labels": self.labels, "kind": "transformer-top"})

    @classmethod
    def load(cls, directory: Path) -> TransformerHead:
        labels, arrays, meta = _load_labelled(directory)
        return cls(labels=labels, arrays=arrays, meta=meta)


SubtypeHead = DenseHead | TransformerHead


def load_head_kind(directory: Path) -> str:
    meta: dict[str, Any] = json.loads((directory / "labels.json").read_text())
    return str(meta.get("kind", "dense"))


def load_subtype_head(directory: Path) -> SubtypeHead:
    """A sub-type head of either kind (`newswire train` falls back to a dense head for non-BERT encoders)."""
    if load_head_kind(directory) == "transformer-top":
        return TransformerHead.load(directory)
    return DenseHead.load(directory)


def pooled_features(pooled: FloatArray, token_embeddings: FloatArray, attention_mask: IntArray) -> FloatArray:
    """Sentence features for the classification heads: normalised mean plus max over real tokens.

    The max-pooled half keeps salient trigger words ("shot", "visited") that averaging dilutes.
    """
    mask = attention_mask[..., None].astype(bool)
    masked = np.where(mask, token_embeddings, -1e4)
    maxed = masked.max(axis=1)
    maxed = maxed / np.maximum(np.linalg.norm(maxed, axis=1, keepdims=True), 1e-6)
    return np.concatenate([pooled, maxed], axis=1).astype(np.float32)


# ----------------------------------------------------------------------------------------------------
# ACLED-style sub-types, decoded only where they fit the PLOVER type


_ASSAULT_SUBTYPES = frozenset(
    {
        "ARMED_CLASH",
        "ATTACK",
        "AIR_STRIKE",
        "ART_MISS_ATTACK",
        "CHEM_WEAP",
        "GRENADE",
        "SUIC_BOMB",
        "REM_EXPLOS",
        "SEX_VIOL",
        "ABDUCT_DISSAP",
        "MOB_VIOL",
        "GOV_REGAINS_TERIT",
        "NON_STATE_ACTOR_OVERTAKES_TER",
        "PROPERTY_DISTRUCT",
        "VIOL_DEMONSTR",
        "FORCE_AGAINST_PROTEST",
        "ORG_CRIME",
    }
)

# Which CASE-2021 / ACLED-style sub-types may describe an event of each PLOVER type. The head is trained
# on snippets without a PLOVER label, so on its own it happily calls a verbal row a DIPLO or an aid
# convoy a NATURAL_DISASTER; the table keeps a sub-type only where it refines the type. Types absent
# here (AID, SUPPORT, REQUEST, THREATEN) get no sub-type, and OTHER, which says nothing, is never
# reported. Disasters are not PLOVER events: they get a type of their own, DISASTER (events schema v2),
# see `reconcile_type_and_subtype`.
DISASTER = "DISASTER"
DISASTER_SUBTYPES = frozenset({"NATURAL_DISASTER", "MAN_MADE_DISASTER"})
SUBTYPE_COMPATIBILITY: dict[str, frozenset[str]] = {
    "ASSAULT": _ASSAULT_SUBTYPES,
    "PROTEST": frozenset({"PEACE_PROTEST", "PROTEST_WITH_INTER", "FORCE_AGAINST_PROTEST", "VIOL_DEMONSTR", "MOB_VIOL"}),
    "COERCE": frozenset(
        {
            "ARREST",
            "ABDUCT_DISSAP",
            "PROPERTY_DISTRUCT",
            "DISR_WEAP",
            "FORCE_AGAINST_PROTEST",
            "PROTEST_WITH_INTER",
            "ORG_CRIME",
        }
    ),
    "MOBILIZE": frozenset({"CHANGE_TO_GROUP_ACT", "HQ_ESTABLISHED"}),
    "RETREAT": frozenset({"NON_VIOL_TERRIT_TRANSFER", "CHANGE_TO_GROUP_ACT", "AGREEMENT"}),
    "AGREE": frozenset({"AGREEMENT"}),
    "COOPERATE": frozenset({"AGREEMENT"}),
    "CONCEDE": frozenset({"AGREEMENT"}),
    "CONSULT": frozenset({"DIPLO"}),
    "SANCTION": frozenset({"DIPLO"}),
    "REJECT": frozenset({"DIPLO"}),
    "ACCUSE": frozenset({"ATTRIB", "DIPLO"}),
    DISASTER: DISASTER_SUBTYPES,
}

# When a sub-type is reported. The head spreads its mass over 30 classes and is less sure on news
# sentences than on the CASE snippets it was fitted on (the seed article's "shot dead by security
# forces" gets ATTACK at p=0.18, its top choice), so the floor is low (about 4.5x uniform) and a second
# rule does the filtering: the chosen sub-type must hold at least half the mass of the head's favourite
# overall. If the favourite is incompatible with the type by a wide margin and no rule below reconciles
# the two, the head does not understand the sentence and no sub-type is the honest answer.
# `newswire train subtypes` measures coverage and accuracy at the floor as cv5_confident_*.
SUBTYPE_MIN_CONFIDENCE = 0.15
SUBTYPE_MIN_SHARE_OF_TOP = 0.5


def compatible_subtype(
    event_type: str | None,
    labels: Sequence[str],
    probs: FloatArray,
    min_confidence: float = SUBTYPE_MIN_CONFIDENCE,
    min_share_of_top: float = SUBTYPE_MIN_SHARE_OF_TOP,
) -> tuple[str | None, float]:
    """The most probable sub-type allowed for `event_type` (with its probability), or None.

    None when the type allows no sub-type, when the best allowed one is below `min_confidence`, or when
    it holds less than `min_share_of_top` of the probability of the head's overall favourite.
    """
    allowed = SUBTYPE_COMPATIBILITY.get(event_type or "", frozenset())
    candidates = [index for index, label in enumerate(labels) if label in allowed]
    if not candidates:
        return None, 0.0
    best = max(candidates, key=lambda index: float(probs[index]))
    score = float(probs[best])
    top = float(np.max(probs))
    if score < min_confidence or score < min_share_of_top * top:
        return None, score
    return labels[best], score


def subtype_from_scores(event_type: str | None, scores: Mapping[str, float]) -> str | None:
    """`compatible_subtype` over a stored distribution (label -> probability): the sub-type to report
    once assembly has settled on a type other than the one the analyzer chose it for."""
    if not scores:
        return None
    labels = list(scores)
    sub_type, _ = compatible_subtype(event_type, labels, np.array([scores[label] for label in labels]))
    return sub_type


# When the sub-type head is sure of a sub-type that the predicted type does not allow, and the type head
# finds a type that does allow it nearly as likely, the pair the two heads agree on wins: "police
# detained 40 people" read as ASSAULT (p 0.5) / COERCE (p 0.4) with ARREST at p 0.9 becomes COERCE/ARREST.
SUBTYPE_OVERRIDE_CONFIDENCE = 0.5
SUBTYPE_OVERRIDE_SHARE = 0.5

# Between assault and coercion (one quad class), the sub-type head, trained on real reports, is the
# better judge: a confident DISR_WEAP ("police defused a bomb") makes an ASSAULT a COERCE however far
# apart the type head put the two. Elsewhere it is not: it never saw a verbal conflict or a material
# cooperation, lets DIPLO turn criticism into a SANCTION, and reads a deployment (MOBILIZE) of armed
# police as an ARMED_CLASH.
SUBTYPE_LED_TYPES = frozenset({"ASSAULT", "COERCE"})
# A sure ATTRIB (a claim or a denial of responsibility) that no accusation in the type head backs stays
# with the type: "IS claimed responsibility for a car bomb that killed eight" is an attack that someone
# claimed, "Moscow denied its jets struck the convoy" a rejection. Only as a last resort: as an allowed
# sub-type of ASSAULT it outbid an arrest ("picked up ... a call claiming he was linked to terrorists").
ATTRIBUTION = "ATTRIB"
ATTRIBUTED_TYPES = frozenset({"ASSAULT", "REJECT"})
# The types a confident disaster sub-type replaces: the type head, which has no disaster type, reads a
# flood's death toll as an ASSAULT and an evacuation as a MOBILIZE; relief after a disaster is AID, and
# stays so.
DISASTER_REPLACES = frozenset({"ASSAULT", "COERCE", "MOBILIZE"})


def reconcile_type_and_subtype(
    event_type: str,
    type_scores: dict[str, float],
    labels: Sequence[str],
    probs: FloatArray,
    min_confidence: float = SUBTYPE_MIN_CONFIDENCE,
) -> tuple[str, str | None]:
    """The (event type, sub-type) pair to report for one event sentence."""
    sub_type, _ = compatible_subtype(event_type, labels, probs, min_confidence)
    if sub_type is not None:
        return event_type, sub_type
    favourite = int(np.argmax(probs))
    if float(probs[favourite]) < SUBTYPE_OVERRIDE_CONFIDENCE:
        return event_type, None
    if labels[favourite] in DISASTER_SUBTYPES:
        return (DISASTER, labels[favourite]) if event_type in DISASTER_REPLACES else (event_type, None)
    fitting = [kind for kind in type_scores if labels[favourite] in SUBTYPE_COMPATIBILITY.get(kind, frozenset())]
    if not fitting:
        return event_type, None
    same_family = [kind for kind in fitting if kind in SUBTYPE_LED_TYPES] if event_type in SUBTYPE_LED_TYPES else []
    if same_family:
        return max(same_family, key=lambda kind: type_scores[kind]), labels[favourite]
    best = max(fitting, key=lambda kind: type_scores[kind])
    if type_scores[best] < SUBTYPE_OVERRIDE_SHARE * type_scores.get(event_type, 0.0):
        if labels[favourite] == ATTRIBUTION and event_type in ATTRIBUTED_TYPES:
            return event_type, ATTRIBUTION
        return event_type, None
    return best, labels[favourite]


# ----------------------------------------------------------------------------------------------------
# NER tagger


CASE_FEATURE_NAMES = (
    "token_initial_upper",
    "token_all_upper",
    "token_has_digit",
    "token_is_punct",
    "token_continues_word",
    "word_initial_upper",
    "word_all_upper",
    "word_all_lower",
    "first_word_of_sentence",
    "sentence_mostly_upper",
    "word_has_inner_upper",
    "after_quote_or_colon",
)


def _word_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The whitespace-delimited chunk around a token, stripped of surrounding punctuation."""
    left = start
    while left > 0 and not text[left - 1].isspace():
        left -= 1
    right = end
    while right < len(text) and not text[right].isspace():
        right += 1
    while left < start and not text[left].isalnum():
        left += 1
    while right > end and not text[right - 1].isalnum():
        right -= 1
    return left, right


def case_features(text: str, offsets: IntArray, special_tokens_mask: IntArray) -> FloatArray:
    """Per-token features from the ORIGINAL text, which the uncased encoder cannot see."""
    features = np.zeros((len(offsets), len(CASE_FEATURE_NAMES)), dtype=np.float32)
    letters = [c for c in text if c.isalpha()]
    mostly_upper = float(bool(letters) and sum(c.isupper() for c in letters) / len(letters) > 0.6)
    first_word_end: int | None = None
    previous_end = -1
    for index, (start, end) in enumerate(offsets.tolist()):
        if special_tokens_mask[index] or end <= start:
            continue
        piece = text[start:end]
        word_start, word_end = _word_bounds(text, start, end)
        word = text[word_start:word_end] or piece
        alpha = [c for c in word if c.isalpha()]
        if first_word_end is None and any(c.isalnum() for c in piece):
            first_word_end = word_end
        before = text[:start].rstrip()
        features[index] = (
            float(piece[:1].isupper()),
            float(piece.isupper()),
            float(any(c.isdigit() for c in piece)),
            float(not any(c.isalnum() for c in piece)),
            float(start == previous_end and _WORD_CHAR.match(piece[:1]) is not None),
            float(word[:1].isupper()),
            float(bool(alpha) and all(c.isupper() for c in alpha)),
            float(bool(alpha) and all(c.islower() for c in alpha)),
            float(first_word_end is not None and word_end == first_word_end),
            mostly_upper,
            float(any(c.isupper() for c in word[1:]) and not word.isupper()),
            float(before.endswith(('"', "“", ":", "'"))),
        )
        previous_end = end
    return features


def bio_transition_mask(tags: Sequence[str]) -> tuple[FloatArray, FloatArray]:
    """Log-space start and transition scores forbidding I-X after anything but B-X / I-X."""
    size = len(tags)
    start = np.zeros(size, dtype=np.float32)
    trans = np.zeros((size, size), dtype=np.float32)
    for j, tag in enumerate(tags):
        if tag.startswith("I-"):
            start[j] = -1e4
            for i, prev in enumerate(tags):
                if prev[2:] != tag[2:] or prev == "O":
                    trans[i, j] = -1e4
    return start, trans


def viterbi(log_probs: FloatArray, start: FloatArray, trans: FloatArray) -> list[int]:
    steps, size = log_probs.shape
    if steps == 0:
        return []
    score = start + log_probs[0]
    back = np.zeros((steps, size), dtype=np.int64)
    for t in range(1, steps):
        candidate = score[:, None] + trans
        back[t] = candidate.argmax(axis=0)
        score = candidate.max(axis=0) + log_probs[t]
    path = [int(score.argmax())]
    for t in range(steps - 1, 0, -1):
        path.append(int(back[t, path[-1]]))
    return path[::-1]


def _sigmoid(x: FloatArray) -> FloatArray:
    return (1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))).astype(np.float32)


def _lstm_direction(inputs: FloatArray, w_ih: FloatArray, w_hh: FloatArray, bias: FloatArray) -> FloatArray:
    """One direction of a PyTorch-layout LSTM (gates i, f, g, o) over [B, T, F] inputs, every row run
    from its first step; a row shorter than T is padded after its end, which its outputs never see."""
    batch, steps, _ = inputs.shape
    hidden_size = w_hh.shape[1]
    projected = inputs @ w_ih.T + bias
    h = np.zeros((batch, hidden_size), dtype=np.float32)
    c = np.zeros((batch, hidden_size), dtype=np.float32)
    outputs = np.zeros((batch, steps, hidden_size), dtype=np.float32)
    w_hh_t = np.ascontiguousarray(w_hh.T)
    for t in range(steps):
        gates = projected[:, t] + h @ w_hh_t
        i, f, o = (_sigmoid(gates[:, k * hidden_size : (k + 1) * hidden_size]) for k in (0, 1, 3))
        c = f * c + i * np.tanh(gates[:, 2 * hidden_size : 3 * hidden_size])
        h = o * np.tanh(c)
        outputs[:, t] = h
    return outputs


def _reverse_within(lengths: Sequence[int], steps: int) -> IntArray:
    """Per row, the index that reverses its first `length` steps and leaves its padding where it is (an
    involution: applied twice, it restores the order)."""
    index = np.tile(np.arange(steps), (len(lengths), 1))
    for row, length in enumerate(lengths):
        index[row, :length] = np.arange(length - 1, -1, -1)
    return index


@dataclass
class TaggerHead:
    """BiLSTM over [frozen token embeddings ; case features], softmax per token, BIO-constrained Viterbi."""

    tags: list[str]
    arrays: dict[str, FloatArray]
    meta: dict[str, Any] = field(default_factory=dict)
    _torch_layers: dict[str, Any] | None = field(default=None, repr=False, compare=False)

    def token_log_probs(self, embeddings: FloatArray, features: FloatArray) -> FloatArray:
        return self.token_log_probs_batch([(embeddings, features)])[0]

    def token_log_probs_batch(
        self, sentences: Sequence[tuple[FloatArray, FloatArray]], *, use_torch: bool | None = None
    ) -> list[FloatArray]:
        """Per-token log-probabilities for each (embeddings [T, H], features [T, F]) sentence, the whole
        batch stepped through the LSTM at once: one sentence at a time, the step loop's Python overhead
        was a sixth of the extractor's time.

        Where torch is already loaded (the torch encoder backend) the BiLSTM runs in torch's fused,
        threaded kernel: the numpy step loop, bound by one core's matrix products, had become a fifth
        of the extractor's time. The ONNX backend never imports torch for it; both agree to ~1e-6."""
        if not sentences:
            return []
        lengths = [len(embeddings) for embeddings, _ in sentences]
        steps = max(lengths)
        width = sentences[0][0].shape[1] + sentences[0][1].shape[1]
        inputs = np.zeros((len(sentences), steps, width), dtype=np.float32)
        for row, (embeddings, features) in enumerate(sentences):
            inputs[row, : lengths[row]] = np.concatenate([embeddings.astype(np.float32), features], axis=1)
        if _runs_in_torch(use_torch):
            log_probs = self._torch_log_probs(inputs, lengths)
        else:
            log_probs = self._numpy_log_probs(inputs, lengths)
        return [log_probs[row, :length] for row, length in enumerate(lengths)]

    def _numpy_log_probs(self, inputs: FloatArray, lengths: Sequence[int]) -> FloatArray:
        a = self.arrays
        steps = inputs.shape[1]
        if "proj_W" in a:
            inputs = np.maximum(inputs @ a["proj_W"].T + a["proj_b"], 0.0).astype(np.float32)
        reverse = _reverse_within(lengths, steps)[:, :, None]
        forward = _lstm_direction(inputs, a["w_ih"], a["w_hh"], a["b_ih"] + a["b_hh"])
        backward = _lstm_direction(
            np.take_along_axis(inputs, reverse, axis=1), a["w_ih_r"], a["w_hh_r"], a["b_ih_r"] + a["b_hh_r"]
        )
        backward = np.take_along_axis(backward, reverse, axis=1)
        logits = np.concatenate([forward, backward], axis=2) @ a["out_W"].T + a["out_b"]
        shifted = logits - logits.max(axis=2, keepdims=True)
        log_probs: FloatArray = (shifted - np.log(np.exp(shifted).sum(axis=2, keepdims=True))).astype(np.float32)
        return log_probs

    def _torch_log_probs(self, inputs: FloatArray, lengths: Sequence[int]) -> FloatArray:
        """The numpy path's computation in torch, rows packed so each direction stops at its own end."""
        import torch
        import torch.nn.functional as F
        from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

        layers = self._torch_layers or self._build_torch_layers()
        with torch.inference_mode():
            states = torch.from_numpy(inputs)
            if "proj_W" in layers:
                states = F.relu(F.linear(states, layers["proj_W"], layers["proj_b"]))
            packed = pack_padded_sequence(states, torch.tensor(lengths), batch_first=True, enforce_sorted=False)
            output, _ = layers["lstm"](packed)
            states, _ = pad_packed_sequence(output, batch_first=True, total_length=inputs.shape[1])
            log_probs = F.log_softmax(F.linear(states, layers["out_W"], layers["out_b"]), dim=-1)
        result: FloatArray = log_probs.numpy()
        return result

    def _build_torch_layers(self) -> dict[str, Any]:
        import torch

        a = self.arrays
        hidden_size = a["w_hh"].shape[1]
        lstm = torch.nn.LSTM(a["w_ih"].shape[1], hidden_size, batch_first=True, bidirectional=True)
        with torch.no_grad():
            for suffix, reverse in (("l0", ""), ("l0_reverse", "_r")):
                for kind in ("ih", "hh"):
                    getattr(lstm, f"weight_{kind}_{suffix}").copy_(torch.from_numpy(a[f"w_{kind}{reverse}"]))
                    getattr(lstm, f"bias_{kind}_{suffix}").copy_(torch.from_numpy(a[f"b_{kind}{reverse}"]))
        lstm.eval()
        layers: dict[str, Any] = {"lstm": lstm}
        for name in ("proj_W", "proj_b", "out_W", "out_b"):
            if name in a:
                layers[name] = torch.from_numpy(np.ascontiguousarray(a[name], dtype=np.float32))
        self._torch_layers = layers
        return layers

    def decode(self, embeddings: FloatArray, features: FloatArray) -> tuple[list[str], FloatArray]:
        """Tags and per-token confidence for the real (non-special) tokens given."""
        return self.decode_batch([(embeddings, features)])[0]

    def decode_batch(self, sentences: Sequence[tuple[FloatArray, FloatArray]]) -> list[tuple[list[str], FloatArray]]:
        start, trans = bio_transition_mask(self.tags)
        decoded = []
        for log_probs in self.token_log_probs_batch(sentences):
            path = viterbi(log_probs, start, trans)
            confidence = np.exp(log_probs[np.arange(len(path)), path]) if path else np.zeros(0, np.float32)
            decoded.append(([self.tags[i] for i in path], confidence.astype(np.float32)))
        return decoded

    def save(self, directory: Path) -> None:
        _save(directory, dict(self.arrays), {**self.meta, "labels": self.tags, "kind": "bilstm-tagger"})

    @classmethod
    def load(cls, directory: Path) -> TaggerHead:
        tags, arrays, meta = _load_labelled(directory)
        return cls(tags=tags, arrays=arrays, meta=meta)


@dataclass(frozen=True, slots=True)
class TaggedSpan:
    label: str
    start: int
    end: int
    score: float


_EDGE_PUNCT = ",;:!?\"“”‘’'()[]"


def _trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop edge punctuation and a possessive "'s" that a tag run may swallow ("SNC),", "Syria's")."""
    while True:
        before = (start, end)
        if end - start > 2 and text[end - 2 : end] in {"'s", "’s"}:
            end -= 2
        while end > start and text[end - 1] in _EDGE_PUNCT:
            if text[end - 1] == ")" and "(" in text[start : end - 1]:
                break
            end -= 1
        while start < end and text[start] in _EDGE_PUNCT:
            if text[start] == "(" and ")" in text[start + 1 : end]:
                break
            start += 1
        if (start, end) == before:
            return start, end


def spans_from_tags(
    text: str, tags: Sequence[str], offsets: Sequence[tuple[int, int]], confidence: Sequence[float]
) -> list[TaggedSpan]:
    """Group BIO tags into character spans, widened to whole words (a tag may stop inside a word)."""
    spans: list[TaggedSpan] = []
    current: list[int] = []
    label = ""

    def close() -> None:
        if not current:
            return
        start = offsets[current[0]][0]
        end = offsets[current[-1]][1]
        while start > 0 and text[start - 1].isalnum():
            start -= 1
        while end < len(text) and text[end].isalnum():
            end += 1
        start, end = _trim_span(text, start, end)
        if end <= start:
            return
        score = float(np.mean([confidence[i] for i in current]))
        if spans and spans[-1].end > start:  # widened into the previous span: merge them
            previous = spans.pop()
            start = previous.start
            score = min(score, previous.score)
        spans.append(TaggedSpan(label, start, end, score))

    for index, tag in enumerate(tags):
        if tag.startswith("B-") or (tag.startswith("I-") and tag[2:] != label):
            close()
            current = [index]
            label = tag[2:]
        elif tag.startswith("I-") and current:
            current.append(index)
        else:
            close()
            current = []
            label = ""
    close()
    return spans

"""`models/MODEL_CARD.md`, regenerated from the metadata each head carries and the last recorded runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..heads import (
    DETECTOR_HEAD,
    EVENT_HEAD,
    MODE_HEAD,
    NER_HEAD,
    QUAD_HEAD,
    SUBTYPE_COMPATIBILITY,
    SUBTYPE_HEAD,
)


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
        + (f"{record['seconds'] / 60:.0f} min on {record['machine']}; " if "seconds" in record else "")
        + f"detector ECE, head only: {record['detector_ece']:.4f}).",
        "",
        # Records made before the precision setting existed were all scored in fp32.
        f"Encoder arithmetic while `newswire extract` scored: {record.get('precision', 'fp32')} (heads are "
        "trained on fp32 features; the README's bf16 row compares the two).",
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

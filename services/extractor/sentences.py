"""Sentence splitting with exact character spans into the clean text.

Evidence spans and event ids are derived from these offsets, so the splitter never rewrites text: every
`Sentence` satisfies `text[s.start:s.end] == s.text`. A regex pass is enough for news prose and keeps the
extractor fast; the rules that matter are abbreviations ("Nov. 13", "U.S.", "Mr."), closing quotes
after the full stop, and newlines (a line break always ends a sentence: headlines and captions have no
full stop).
"""

from __future__ import annotations

import re

from .types import Sentence

# Tokens that end with a full stop without ending the sentence (compared case-insensitively, no dot).
_ABBREVIATIONS = frozenset(
    {
        "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "ft", "gen", "col", "lt", "maj", "capt", "sgt",
        "cpl", "adm", "cmdr", "gov", "sen", "rep", "rev", "hon", "pres", "jan", "feb", "mar", "apr", "jun",
        "jul", "aug", "sep", "sept", "oct", "nov", "dec", "inc", "ltd", "co", "corp", "bros", "dept", "est",
        "approx", "vs", "etc", "al", "no", "nos", "fig", "vol", "op"
    }
)  # fmt: skip
# Abbreviations that are normally followed by a name or a number, so a capital after them is no boundary.
_TITLE_LIKE = frozenset(
    {
        "mr", "mrs", "ms", "dr", "prof", "st", "mt", "gen", "col", "lt", "maj", "capt", "sgt", "cpl", "adm",
        "cmdr", "gov", "sen", "rep", "rev", "hon", "pres", "no", "nos", "fig",
        # plural titles: "Sens. Robert C. Byrd and Jay Rockefeller", "Messrs. Smith and Jones"
        "sens", "reps", "gens", "govs", "messrs", "drs", "supt", "atty", "det"
    }
)  # fmt: skip
_MONTH_ABBREVIATIONS = frozenset(["jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"])

# A candidate boundary: terminal punctuation, optional closing quotes/brackets, then whitespace.
_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s+)")
# The text that may open a sentence after a boundary.
_OPENER = re.compile(r"\s+[\"'“‘(\[]*[A-Z0-9]")
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)$")
_INITIALISM = re.compile(r"^(?:[A-Za-z]\.)+[A-Za-z]?$")


def _is_abbreviation_stop(paragraph: str, dot_at: int, next_char: str) -> bool:
    """True when the full stop at `dot_at` belongs to an abbreviation rather than ending a sentence."""
    match = _WORD_BEFORE.search(paragraph, 0, dot_at)
    if match is None:
        return False
    word = match.group(1)
    bare = word.rstrip(".").lower()
    if bare in _TITLE_LIKE:
        return True
    if bare in _MONTH_ABBREVIATIONS:
        # "on Nov. 13": a number follows; "in Nov. The ..." ends the sentence.
        return next_char.isdigit()
    if bare in _ABBREVIATIONS:
        return not next_char.isupper()
    # Initialisms: "U.S.", "U.N." and single initials "John F. Kennedy" go on unless a new sentence
    # plainly starts with a common sentence opener; we keep it simple and never split after one letter.
    return bool(_INITIALISM.match(word + ".")) and (len(bare) == 1 or "." in bare)


def _split_paragraph(paragraph: str, offset: int, out: list[Sentence]) -> None:
    start = 0
    for match in _BOUNDARY.finditer(paragraph):
        end = match.end()
        opener = _OPENER.match(paragraph, end)
        if opener is None:
            continue
        next_char = paragraph[opener.end() - 1]
        dot_at = match.start()
        if paragraph[dot_at] == "." and _is_abbreviation_stop(paragraph, dot_at, next_char):
            continue
        _emit(paragraph, start, end, offset, out)
        start = end
    _emit(paragraph, start, len(paragraph), offset, out)


def _emit(paragraph: str, start: int, end: int, offset: int, out: list[Sentence]) -> None:
    piece = paragraph[start:end]
    stripped_left = len(piece) - len(piece.lstrip())
    stripped = piece.strip()
    if not stripped:
        return
    begin = offset + start + stripped_left
    out.append(Sentence(text=stripped, start=begin, end=begin + len(stripped)))


def split_sentences(text: str) -> list[Sentence]:
    """Split clean article text into sentences whose spans index `text` exactly."""
    sentences: list[Sentence] = []
    position = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        if body.strip():
            _split_paragraph(body, position, sentences)
        position += len(line)
    return sentences

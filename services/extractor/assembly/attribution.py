"""Who reported an event ("activists reported", "the observatory said") and how sure the text is of it.

The attribution clause is also cut out of the sentence before actors are looked for, so that the
reporting source is never mistaken for the one who acted. Modality ranks the cues: a denial outweighs a
threat, a threat a plan, a plan a claim, a claim a report.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ...common.models import Attribution, Modality

_SAY = (
    r"(?:said|says|say|reported|reports|report|told\s+\w+|stated|states|claimed|claims|claim|announced|"
    r"added|alleged|alleges|confirmed|confirms|denied|denies|insisted|insists|noted|wrote|tweeted|warned)"
)
_SOURCE = r"(?P<src>(?:[Tt]he\s+|[Aa]n?\s+)?[\w'’.,()-]+(?:\s+[\w'’.,()-]+){0,9}?)"
_TRAILING_SOURCE = r"(?P<src>(?:[Tt]he\s+|[Aa]n?\s+)?[\w'’.()-]+(?:\s+[\w'’.()-]+){0,9}?)"
# ', the observatory said in a statement.'  /  '," Abdullah said on Monday.'
_TRAILING = re.compile(
    rf"(?P<clause>(?:,|[.!?,][\"”])\s*[\"”]?\s*{_TRAILING_SOURCE}\s+(?P<verb>{_SAY})\b[^\"“”]*?)[.!?]?[\"”]?\s*$"
)
# 'The UK-based Syrian Observatory for Human Rights said on Tuesday that ...'  /  'X said: "..."'
_LEADING = re.compile(
    rf"^(?P<clause>{_SOURCE}(?:,[^,\"“]{{1,120}},)?\s+(?P<verb>{_SAY})\b(?:\s+(?:on|late|early)\s+\w+)?"
    rf"(?:\s+in\s+a\s+statement)?\s*(?:that\b|:|,)?)\s*(?=[\"“]?\w)"
)
_ACCORDING = re.compile(
    r"(?P<clause>,?\s*according\s+to\s+(?P<src>(?:the\s+)?[\w'’.-]+(?:\s+[\w'’.-]+){0,6}?))(?=[,.;]|$)",
    re.IGNORECASE,
)
# What a leading "X said" clause's X cannot contain: a clause of its own ("police fired shots but there
# were no reports of casualties") or a determiner that makes the say-word a noun ("no reports", "the claims").
_NOT_A_LEADING_SOURCE = re.compile(
    r"\b(?:no|any|of|the|an?|these|those|such)$|"
    r"\b(?:but|there\s+(?:was|were|is|are|had\s+been|have\s+been)|which|when|while|after|before)\b",
    re.IGNORECASE,
)
# "The minister has said", "officials have repeatedly claimed": the auxiliary is not part of the name.
_AUXILIARY_TAIL = re.compile(r"(?:\s+(?:has|have|had|was|were|is|are|also|repeatedly|earlier|later|again))+$")
_TRAILING_TAIL_TOO_LONG = re.compile(r".*?\bthat\b|.{61}", re.DOTALL)
# Sources that report rather than act.
_REPORTING_SOURCES = re.compile(
    r"\b(?:activists?|observatory|monitor|rights\s+group|group|statement|witnesses|residents|officials?|"
    r"sources?|media|agency|news|television|tv|report|reports|ministry|spokesman|spokeswoman|police|army|"
    r"military|un|united\s+nations|correspondent|reporter|doctors?|medics?|hospital|council|committees?)\b",
    re.IGNORECASE,
)

_DENIED = re.compile(
    r"\b(?:denied|denies|deny|denying|dismissed\s+(?:reports|claims)|rejected\s+(?:reports|claims|accusations)|"
    r"no\s+one\s+was|(?:did\s+not|didn't|never|had\s+not|has\s+not|have\s+not)\s+(?:\w+\s+)?(?:kill|killed|shoot|"
    r"shot|fire|fired|attack|attacked|arrest|arrested|detain|detained|meet|met|agree|agreed|sign|signed|order|"
    r"ordered|target|targeted|use|used|carry\s+out|carried\s+out|take\s+part))\b",
    re.IGNORECASE,
)
_THREATENED = re.compile(
    r"\b(?:threaten(?:s|ed|ing)?\s+to|warn(?:s|ed|ing)?\s+(?:that\s+)?(?:\w+\s+){0,3}(?:would|could|will)|"
    r"threatens|vowed\s+to|ultimatum|or\s+face)\b",
    re.IGNORECASE,
)
_PLANNED = re.compile(
    r"\b(?:will|shall|is\s+to|are\s+to|plans?\s+to|planned|planning\s+to|intends?\s+to|is\s+due\s+to|"
    r"are\s+due\s+to|scheduled|expected\s+to|ahead\s+of|upcoming|forthcoming|next\s+week|next\s+month|"
    r"tomorrow|set\s+to|going\s+to|to\s+be\s+held|coming\s+(?:days|weeks?|months)|"
    # Future in the past: "unions said they would hold further rallies".
    r"would\s+(?:meet|hold|stage|organi[sz]e|march|rally|protest|strike|return|launch|call|continue)|"
    r"further\s+(?:rallies|protests|demonstrations|marches|strikes|talks))\b",
    re.IGNORECASE,
)
_CLAIMED = re.compile(
    r"\b(?:claimed|claims|claim|alleged|allegedly|alleges|purportedly|purported|accused|accuses|blamed|blame|"
    r"blames|said\s+to\s+have)\b",
    re.IGNORECASE,
)
_REPORTED = re.compile(
    r"\b(?:reportedly|reported|reports|according\s+to|said|says|told|quoted|cited|there\s+are\s+reports)\b",
    re.IGNORECASE,
)
# Future in the text of the sentence itself (for weekdays: "on Wednesday" ahead, not behind).
_FUTURE = re.compile(
    r"\b(?:will|shall|is\s+to|are\s+to|plans?\s+to|scheduled|ahead\s+of|upcoming|next|set\s+to|due\s+to|"
    r"expected\s+to|to\s+be\s+held|coming|would\s+(?:meet|hold|stage|organi[sz]e|march|rally|protest|strike))\b",
    re.IGNORECASE,
)
# Speech acts: when the speaker is the actor, "X said" is the event itself, not a report of it.
SPEECH_ACT_TYPES = frozenset({"AGREE", "CONSULT", "SUPPORT", "CONCEDE", "REQUEST", "ACCUSE", "REJECT", "THREATEN"})


@dataclass(frozen=True, slots=True)
class AttributionMatch:
    """The attribution and where its clause sits in the sentence (so actors skip it)."""

    attribution: Attribution
    start: int
    end: int


def _clean_source(source: str) -> str:
    source = _AUXILIARY_TAIL.sub("", source.strip(" ,.\"“”'"))
    if "," in source:
        # "On Tuesday, Erdogan" / "Addressing Assad by his first name, Erdogan": the name is last.
        parts = [part.strip() for part in source.split(",") if part.strip()]
        first_word = parts[0].split()[0].lower() if parts else ""
        opener = first_word.endswith("ing") or first_word in ("on", "in", "at", "earlier", "later", "meanwhile")
        # "On Tuesday, Tayyip Erdogan, Turkey's prime minister": the name follows the opener.
        source = (parts[1] if len(parts) > 1 else parts[0]) if opener else parts[0]
    # "The UN", "The UK-based Syrian Observatory": a name; "the observatory": a description.
    source = re.sub(r"^(?:[Tt]he|[Aa]n?)\s+(?=[A-Z])", "", source)
    source = re.sub(r"^[A-Z][\w.]*-based\s+", "", source)
    source = re.sub(r"^(?:[Tt]he|[Aa]n?)\s+", lambda m: m.group(0).lower(), source)
    return source


def find_attribution(text: str, known_sources: Sequence[str] = ()) -> AttributionMatch | None:
    """The reporting clause of a sentence, if any; "the observatory" is resolved to a full name seen
    earlier in the article (`known_sources`) when one contains its head word."""
    candidates: list[tuple[int, int, str, str]] = []
    according = _ACCORDING.search(text)
    if according:
        candidates.append(
            (according.start("clause"), according.end("clause"), according.group("src"), according.group(0))
        )
    trailing = _TRAILING.search(text)
    if trailing:
        # ", the observatory said in a statement." ends the sentence; in "In Surat, police said that two
        # groups clashed ..." the clash after "that" is the event, not part of the attribution.
        end = trailing.end("clause")
        if _TRAILING_TAIL_TOO_LONG.match(text[trailing.end("verb") : end]):
            end = trailing.end("verb")
        candidates.append((trailing.start("clause"), end, trailing.group("src"), text[trailing.start("clause") : end]))
    leading = _LEADING.match(text)
    if leading and len(leading.group("src").split()) <= 10 and not _NOT_A_LEADING_SOURCE.search(leading.group("src")):
        candidates.append((leading.start("clause"), leading.end("clause"), leading.group("src"), leading.group(0)))
    according = _ACCORDING.search(text)
    if according:
        candidates.append(
            (according.start("clause"), according.end("clause"), according.group("src"), according.group(0))
        )
    for start, end, source, phrase in candidates:
        cleaned = _clean_source(source)
        if not cleaned or cleaned.lower() in ("it", "this", "that", "which", "who", "there"):
            continue
        if re.match(r"^(?:he|she|they|we|i)\b", cleaned, re.IGNORECASE) and start > 0:
            continue
        resolved = _resolve_source(cleaned, known_sources)
        return AttributionMatch(
            attribution=Attribution(source=resolved, phrase=" ".join(phrase.strip(' ,."”').split())),
            start=start,
            end=end,
        )
    return None


def _resolve_source(source: str, known_sources: Sequence[str]) -> str:
    match = re.fullmatch(r"the\s+(?:\w+\s+)?(\w+)", source)
    if match:
        head = match.group(1).lower()
        for known in known_sources:
            if head in known.lower().split():
                return known
    return source


def is_future(text: str) -> bool:
    return bool(_FUTURE.search(text))


def modality(
    text: str,
    event_type: str | None,
    attribution: Attribution | None,
    actor_name: str | None,
) -> Modality:
    """How the text presents the event, from the strongest cue present."""
    if _DENIED.search(text):
        return "denied"
    if _THREATENED.search(text) and event_type != "THREATEN":
        return "threatened"
    if _PLANNED.search(text):
        return "planned"
    speaker_is_actor = bool(
        attribution
        and actor_name
        and (
            attribution.source.lower() in actor_name.lower()
            or actor_name.lower() in attribution.source.lower()
            or set(actor_name.lower().split()) & set(attribution.source.lower().split())
        )
    )
    if event_type in SPEECH_ACT_TYPES and (speaker_is_actor or attribution is None):
        return "asserted"
    if _CLAIMED.search(text) and event_type not in SPEECH_ACT_TYPES:
        return "claimed"
    if attribution is not None or _REPORTED.search(text):
        return "reported"
    return "asserted"


def is_reporting_source(name: str) -> bool:
    return bool(_REPORTING_SOURCES.search(name))

"""Fields the heads guess without a word to back them are left out.

Every field of an event is meant to stand on its evidence. The mode and sub-type heads, trained on
synthetic stories and CASE snippets, name an arrest for almost any sentence about the police ("the
police force was present at the meet in full strength" comes out COERCE/ARREST); an analyst counting
arrests wants only those the text reports. An arrest mode or sub-type is kept only where the sentence
says someone was taken, and a coercion whose sentence says so plainly ("the east zone police arrested a
couple") is an arrest whatever the mode head chose (it chose SEIZE for that one).

The type head leans on who is named more than on what they did: "senior police and district officials
are camping in ayodhya" comes out ASSAULT at p 0.88. An assault is kept only where the sentence has a
word of violence or armed force; otherwise the event takes the type head's next choice.
"""

from __future__ import annotations

import re

ARREST = "ARREST"

_TAKEN = re.compile(
    r"\b(?:arrest\w*|detain\w*|detention\w*|custody|held|holding|nab\w*|apprehend\w*|captur\w*|"
    r"round(?:s|ed|ing)?\s+up|picked\s+up|taken\s+in(?:to)?|booked|jail\w*|imprison\w*|remand\w*|"
    r"abduct\w*|kidnap\w*|seiz\w*|caught|in\s+connection\s+with|charged)\b",
    re.IGNORECASE,
)


# A taking told as having happened, not the noun of a warrant, a demand or a denial ("no arrests").
_REPORTED_TAKING = re.compile(
    r"\b(?:arrested|detained|nabbed|(?:was|were|been|being)\s+apprehended|rounded\s+up|picked\s+up|"
    r"taken\s+into\s+(?:police\s+)?custody|"
    r"remanded|booked\s+(?:under|for)|put\s+behind\s+bars)\b",
    re.IGNORECASE,
)
_TAKING_DENIED = re.compile(
    r"\b(?:no|not|never|yet\s+to|fail\w*\s+to|refus\w*\s+to|will|would|should|could|may|might|seek\w*|"
    r"demand\w*|urg\w*|call\w*\s+for|threat\w*|order\w*)\b(?:\s+[\w'’-]+){0,3}\s*$|\bto\s*$",
    re.IGNORECASE,
)
_WARRANT_AFTER = re.compile(r"\s+warrants?\b", re.IGNORECASE)
_VIOLENCE = re.compile(
    r"\b(?:kill\w*|dead|deaths?|died|dying|murder\w*|shot|shoot\w*|guns?|gunm[ae]n|gunfire|gunfight|fir(?:e|es|ed|ing)|"
    r"rounds|bullets?|shell\w*|bomb\w*|blasts?|explo\w*|attack\w*|assault\w*|clash\w*|fight\w*|battl\w*|"
    r"violen\w*|riot\w*|mobs?|lynch\w*|stab\w*|knives|knife|beat\w*|lathi\w*|batons?|tear\s*gas|teargas|"
    r"rubber|water\s+cannons?|injur\w*|wound\w*|hurt|torch\w*|burn\w*|arson\w*|loot\w*|vandal\w*|destr\w*|"
    r"damag\w*|massacr\w*|carnage|rampage|raid\w*|strikes?|struck|airstrikes?|missiles?|rockets?|artillery|"
    r"mortars?|grenades?|ieds?|landmines?|mines?|ambush\w*|storm\w*|captur\w*|seiz\w*|overr?an|"
    r"(?:took|taken|take|taking)\s+(?:the\s+)?(?:control|over)|recaptur\w*|retook|retaken|advanc\w*|"
    r"liberat\w*|abduct\w*|kidnap\w*|hostages?|rap(?:e|ed|es|ing)|molest\w*|assassinat\w*|execut\w*|"
    r"behead\w*|tortur\w*|casualt\w*|victims?|militants?|insurgents?|terror\w*|offensive|pelt\w*|stones?|"
    r"brickbats?|acid|hack\w*|slain|slay\w*|encounter|firefights?|combat|hostilit\w*|war|crossfire|snipers?|"
    r"drones?|bombard\w*|weapons?|revolvers?|pistols?|rifles?|threaten\w*|chased|drove\s+back|dispers\w*|"
    r"crush\w*|repress\w*|suppress\w*|brutal\w*|forcibly|(?:use\s+of|used|using)\s+force)\b",
    re.IGNORECASE,
)


def _not_denied(match: re.Match[str], text: str) -> bool:
    """Whether no denial, demand, order, modal or infinitive comes just before a taking word."""
    return _TAKING_DENIED.search(text, 0, match.start()) is None


def reports_arrest(text: str) -> bool:
    """Whether `text` tells of people taken into custody (not an arrest denied, sought or threatened)."""
    return any(_not_denied(match, text) for match in _REPORTED_TAKING.finditer(text))


def reports_violence(text: str) -> bool:
    """Whether `text` has a word of violence or armed force that an ASSAULT could stand on."""
    return _VIOLENCE.search(text) is not None


def supported_arrest(text: str) -> bool:
    """Whether `text` says someone was taken into custody: not "no arrests have been made", "an arrest
    warrant", "we will effect preventive arrests" or "expect officials to arrest him"."""
    return any(
        _not_denied(match, text) and _WARRANT_AFTER.match(text, match.end()) is None for match in _TAKEN.finditer(text)
    )


def backed_mode_and_subtype(text: str, mode: str | None, sub_type: str | None) -> tuple[str | None, str | None]:
    """The mode and sub-type with an arrest that the text does not report removed."""
    if ARREST not in (mode, sub_type) or supported_arrest(text):
        return mode, sub_type
    return (None if mode == ARREST else mode), (None if sub_type == ARREST else sub_type)

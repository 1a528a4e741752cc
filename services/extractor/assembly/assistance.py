"""Aid given: a donation, a delivery of supplies or a grant is an AID event the detector rarely sees.

The detector learnt occurrences mostly from conflict reporting; "New Zealand donated USD1 million to the
World Food Program" or "The U.S. government has donated a shipment of 250 ventilators to Ethiopia" come
out as no event at all, though PLOVER codes them as AID (material cooperation). A sentence is promoted
to AID only where a giving verb in the past or present governs an aid-like object (money, supplies,
assistance, equipment), the way analysts read it; aid promised, considered, allowed, ordered, refused or
halted is left alone, and so is a sentence that says who receives aid without anyone giving it.
"""

from __future__ import annotations

import re

AID = "AID"

_GIVE = (
    r"(?:donat(?:e|es|ed|ing)|gave|giv(?:es|ing)|given|provid(?:e|es|ed|ing)|deliver(?:s|ed|ing)?|"
    r"sent|send(?:s|ing)?|airlift(?:s|ed|ing)?|hand(?:s|ed|ing)?\s+over|contribut(?:e|es|ed|ing)|"
    r"suppl(?:y|ies|ied|ying)|distribut(?:e|es|ed|ing)|dispatch(?:es|ed|ing)?|ship(?:s|ped|ping)?|grant(?:s|ed|ing)?|"
    r"(?:air)?dropp(?:ed|ing))"
)
_AID_OBJECT = (
    r"(?:aid|assistance|relief|supplies|funds?|funding|money|grants?|loans?|donations?|vaccines?|doses|"
    r"ventilators?|medicines?|medical\s+(?:equipment|supplies|teams?)|food|tents|blankets|shelter|"
    r"equipment|vehicles|ambulances|"
    r"(?:US|U\.S\.|A|C|NZ)?\$\s?[\d.,]+|USD\s?[\d.,]+|€\s?[\d.,]+|£\s?[\d.,]+|[\d.,]+\s+(?:million|billion)\s+"
    r"(?:dollars|euros|pounds|yuan|rupees))"
)
# Weapons are aid only when handed to someone else: "sent tanks to the border" is a deployment.
_HAND = r"(?:donat(?:e|es|ed|ing)|gave|given|suppl(?:y|ies|ied|ying)|deliver(?:s|ed|ing)?|hand(?:s|ed|ing)?\s+over)"
_WEAPONS = r"(?:weapons|arms|firearms|rifles|ammunition|tanks|aircraft|drones|missiles|howitzers)"
# The object within a few words of the verb: "donated a shipment of 250 state-of-the-art ventilators".
_GIVING_AID = re.compile(
    rf"\b(?:{_GIVE}\s+(?:[\w,'’%$€£.-]+\s+){{0,7}}?{_AID_OBJECT}|{_HAND}\s+(?:[\w,'’.-]+\s+){{0,5}}?{_WEAPONS})\b",
    re.IGNORECASE,
)
# "gave approval", "provided details", "sent a letter": giving that is talk, not aid.
_TALK = re.compile(
    r"\b(?:approval|permission|details|information|evidence|testimony|statement|letter|message|speech|"
    r"warning|assurances?|interview|signal|green\s+light)\b",
    re.IGNORECASE,
)
# Aid promised, considered, allowed, asked or ordered is not aid given.
_NOT_GIVEN_YET = re.compile(
    r"\b(?:will|would|shall|could|may|might|plans?\s+to|planned\s+to|pledg\w*|promis\w*|vow\w*|offer\w*|"
    r"consider\w*|willing|agree\w*\s+to|allow\w*|ask\w*|urg\w*|order\w*|call\w*\s+(?:on|for)|need\w*|"
    r"expect\w*|seek\w*|sought|want\w*|come\s+forward|to\s+be\s+(?:given|provided|delivered|sent))\b",
    re.IGNORECASE,
)
_REFUSAL = re.compile(r"\b(?:refus\w*|reject\w*|block\w*|halt\w*|suspend\w*|cut\s+off|stopp\w*|not|never|no)\b", re.I)


def gives_aid(text: str) -> bool:
    """Whether `text` reports aid given (not promised, refused or halted)."""
    match = _GIVING_AID.search(text)
    if match is None:
        return False
    return not (_TALK.search(match.group(0)) or _NOT_GIVEN_YET.search(text) or _REFUSAL.search(text))

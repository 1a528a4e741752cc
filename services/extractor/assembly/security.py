"""Security measures the detector missed: forces sent in, a curfew imposed, people stopped on the way.

Riot and election reporting is full of the state's own moves ("a company of the Rapid Action Force has
been rushed to Kolar", "Ankaleshwar was placed under curfew", "1,740 activists have been prevented from
proceeding to Ayodhya"); the detector, which learnt occurrences from violence and arrests, reads most of
them as background. PLOVER codes them: a deployment is a MOBILIZE, a curfew or a journey stopped a
COERCE. Each needs the measure told as done: a deployment demanded, planned or feared, a curfew lifted
or merely discussed, is not one.
"""

from __future__ import annotations

import re

MOBILIZE = "MOBILIZE"
COERCE = "COERCE"

_FORCE = (
    r"(?:police(?:men)?|army|troops|soldiers|jawans|forces|paramilitary|personnel|commandos|battalions?|"
    r"(?:compan(?:y|ies)|columns?|platoons?|contingents?)\s+of\s+(?:the\s+)?(?:[\w-]+\s+){0,3}?"
    r"(?:police|forces?|rifles|guards?|troops|army|crpf|bsf|srp|raf|pac|soldiers)|army\s+columns?|bsf|crpf|srp|"
    r"rapid\s+action\s+force|home\s+guards?|security\s+men|riot\s+police|national\s+guard|reinforcements)"
)
_SENT = (
    r"(?:deployed|rushed|dispatched|despatched|sent\s+(?:in|to)|posted|stationed|moved\s+in(?:to)?|called\s+in|"
    r"called\s+out|pressed\s+into\s+service|airlifted|flown\s+in|mobili[sz]ed|requisitioned|arrived)"
)
# "Police were deployed", "the army has been called in", "five companies of the RAF rushed to Surat";
# and the passive with the force after the verb ("deployed were 2,000 policemen" is rare; left out).
_DEPLOYED = re.compile(rf"\b{_FORCE}\b(?:\s+[\w,'’()-]+){{0,8}}?\s+{_SENT}\b", re.IGNORECASE)
_DEPLOYED_ACTIVE = re.compile(
    rf"\b(?:deployed|rushed|dispatched|despatched|requisitioned)\s+(?:[\w'’-]+\s+){{0,5}}?{_FORCE}\b", re.IGNORECASE
)
_TIGHTENED = re.compile(
    r"\b(?:security|vigil|patrolling|bandobast)\s+(?:\w+\s+){0,4}?(?:has|have|had|was|were|is|are)\s+(?:been\s+)?"
    r"(?:tightened|beefed\s+up|stepped\s+up|intensified|heightened|stepped-up|increased|reinforced)\b|"
    r"\b(?:tightened|beefed\s+up|stepped\s+up|intensified)\s+(?:the\s+)?(?:security|vigil|patrolling)\b",
    re.IGNORECASE,
)
_CURFEW = re.compile(
    r"\b(?:curfew|prohibitory\s+orders?|section\s+144)\b[^.;]{0,60}?\s(?:was|were|has\s+been|have\s+been|"
    r"had\s+been)\s+(?:\w+\s+)?(?:imposed|clamped|declared|enforced|extended|promulgated|reimposed|re-imposed)\b|"
    r"\b(?:imposed|clamped|declared|enforced|extended|promulgated|reimposed)\s+(?:an?\s+|the\s+)?(?:\w+\s+)?"
    r"(?:curfew|prohibitory\s+orders?)\b|\b(?:brought|placed|put)\s+under\s+(?:an?\s+)?(?:\w+\s+)?curfew\b|"
    r"\bunder\s+(?:an?\s+)?(?:indefinite|total|round-the-clock|strict|day-long|night)\s+curfew\b",
    re.IGNORECASE,
)
_STOPPED = re.compile(
    r"\b(?:were|was|have\s+been|has\s+been|had\s+been)\s+(?:\w+\s+)?(?:prevented|stopped|barred|turned\s+back|"
    r"sent\s+back|intercepted|off-?loaded|deboarded)\b",
    re.IGNORECASE,
)
_NOT_DONE = re.compile(
    r"\b(?:will|would|shall|should|could|may|might|must|if|unless|demand\w*|urg\w*|ask\w*|sought|seek\w*|"
    r"plan\w*|propos\w*|expected|likely|need\w*|no|not|never|failed|refused|lift\w*|withdr[ae]w\w*|relax\w*|"
    r"to\s+be|is\s+to|are\s+to)\b",
    re.IGNORECASE,
)


_TROOPS = re.compile(
    r"\b(?:army|troops|soldiers|jawans|battalions?|columns?|paramilitary|national\s+guard)\b", re.IGNORECASE
)


def reported_security_measure(text: str) -> tuple[str, str | None] | None:
    """(PLOVER type, mode) of a security measure that `text` reports as taken, else None."""
    found: list[tuple[re.Match[str], tuple[str, str | None]]] = []
    if (curfew := _CURFEW.search(text)) is not None:
        found.append((curfew, (COERCE, "CURFEW")))
    for pattern in (_DEPLOYED, _DEPLOYED_ACTIVE):
        if (deployed := pattern.search(text)) is not None:
            found.append((deployed, (MOBILIZE, "TROOPS" if _TROOPS.search(deployed.group()) else "POLICE")))
    if (tightened := _TIGHTENED.search(text)) is not None:
        found.append((tightened, (MOBILIZE, None)))
    if (stopped := _STOPPED.search(text)) is not None:
        found.append((stopped, (COERCE, "RESTRICT")))
    for match, coded in sorted(found, key=lambda item: item[0].start()):
        if _NOT_DONE.search(text, 0, match.end()) is None:
            return coded
    return None

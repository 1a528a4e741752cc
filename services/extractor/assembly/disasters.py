"""Disasters the detector missed: a flood that hit, a factory fire that broke out, a boat that capsized.

The detector learnt occurrences from political reporting, where a disaster is background, so an
earthquake's toll or a chemical plant explosion often comes out as no event (about half the CASE
snippets that yield nothing are disasters). A sentence is promoted to a DISASTER only where it says
the hazard struck: a natural hazard with a verb of impact or a toll, or an accident told as one (a fire
that broke out, a building that collapsed, a plant explosion with its damage). A hazard forecast,
feared or prepared for did not happen, and anything that reads as an attack (a bomb, gunmen, arson) is
left to the other rules: that is not an accident.
"""

from __future__ import annotations

import re

DISASTER = "DISASTER"
NATURAL_DISASTER = "NATURAL_DISASTER"
MAN_MADE_DISASTER = "MAN_MADE_DISASTER"

_NATURAL_HAZARD = re.compile(
    r"\b(?:earthquakes?|quakes?|tremors?|aftershocks?|floods?|flooding|flash\s+floods?|floodwaters?|"
    r"torrential\s+rains?|heavy\s+rains?|downpours?|monsoon\s+rains?|cyclones?|hurricanes?|typhoons?|"
    r"tornado(?:es|s)?|storms?|blizzards?|snowstorms?|hailstorms?|landslides?|landslips?|mudslides?|"
    r"avalanches?|droughts?|wildfires?|bushfires?|forest\s+fires?|eruptions?|volcano(?:es|s)?|"
    r"lava|tsunamis?|heat\s*waves?|cold\s+waves?|lightning)\b",
    re.IGNORECASE,
)
# The hazard acted: struck, killed, destroyed, displaced; or the sentence counts its victims. Not the
# adjective of a place ("earthquake-hit areas", "flood-affected villages"): that is aftermath.
_IMPACT = re.compile(
    r"(?<!-)\b(?:hit|hits|struck|strikes|shook|shaken|jolted|rocked|lashed|battered|pounded|swept|sweeping|"
    r"ravaged|devastat\w*|destroy\w*|damag\w*|flattened|inundat\w*|submerg\w*|flooded|displac\w*|"
    r"erupted|eruption|lit|spewed|sending|broke\s+out|caus\w*|trigger\w*|claimed|washed\s+away|buried|"
    r"uprooted|affected|burn\w*|engulf\w*|gutted|forced|evacuat\w*|stranded|cut\s+off|dropped|killed|"
    r"kills|dead|deaths?|died|death\s+toll|missing|injur\w*|hurt|casualt\w*|homeless|aftermath)\b",
    re.IGNORECASE,
)
# Accidents that are occurrences by their verb alone.
_ACCIDENT = re.compile(
    r"\b(?:fire\s+(?:that\s+)?broke\s+out|blaze|caught\s+fire|(?:gas|chemical|oil|ammonia|chlorine)\s+"
    r"(?:leak\w*|spill\w*)|leaked|leakage|(?:building|bridge|roof|wall|mine|tunnel|dam|house|structure|"
    r"stadium|factory|hotel|stage)s?\s+(?:\w+\s+){0,2}?collapsed|caved\s+in|derail\w*|capsiz\w*|sank|ran\s+aground|"
    r"broke\s+loose|stampede|food\s+poisoning|adulterated|spurious\s+liquor|hooch|toxic\s+(?:gas|fumes)|"
    r"(?:plane|bus|train|truck|lorry|helicopter|aircraft|boat|ferry|car|tanker)\s+(?:\w+\s+){0,2}?crash\w*|"
    r"crash\w*\s+(?:of\s+)?(?:a|an|the)\s+(?:\w+\s+){0,2}?(?:plane|bus|train|truck|helicopter|aircraft))\b",
    re.IGNORECASE,
)
# An explosion is an accident where the sentence names the plant, vessel or store that blew.
_EXPLOSION = re.compile(r"\b(?:explo(?:sions?|ded|des)|blasts?|blew\s+up|fires?)\b", re.IGNORECASE)
_INDUSTRIAL = re.compile(
    r"\b(?:factory|factories|plant|warehouses?|mines?|pipeline|gas|boiler|cylinders?|chemicals?|"
    r"fertili[sz]er|refinery|tanker|container|reactor|fireworks|firecracker\w*|depot|furnace|market|"
    r"godown|building|hospital|school|shop|storage)\b",
    re.IGNORECASE,
)
# What makes it an attack, not an accident.
_ATTACK = re.compile(
    r"\b(?:bomb\w*|attack\w*|suicide|militants?|terror\w*|insurgents?|ied|grenades?|rockets?|missiles?|"
    r"shell(?:s|ed|ing)|gunm[ae]n|arson\w*|set\s+(?:on\s+)?fire|torch\w*|rioters|mobs?|airstrikes?|"
    r"air\s+strikes?|shot|shooting|war|troops|forces|rebels)\b",
    re.IGNORECASE,
)
_NOT_HAPPENED = re.compile(
    r"\b(?:will|would|could|may|might|risk\w*|warn\w*|forecast\w*|expected|predict\w*|prepar\w*|if|"
    r"alert\w*|drills?|fears?|feared|threat\s+of|likely|prone|vulnerable|anniversary|ago|"
    r"(?:over|in|during)\s+the\s+(?:last|past)\s+(?:few\s+|several\s+|\d+\s+)?(?:years|months|decades)|"
    r"in\s+(?:19|20)\d\d)\b",
    re.IGNORECASE,
)


def reported_disaster(text: str) -> str | None:
    """NATURAL_DISASTER or MAN_MADE_DISASTER where `text` says one struck, else None."""
    if _NOT_HAPPENED.search(text) or _ATTACK.search(text):
        return None
    if _NATURAL_HAZARD.search(text) and _IMPACT.search(text):
        return NATURAL_DISASTER
    if _ACCIDENT.search(text) or (
        _EXPLOSION.search(text) and _INDUSTRIAL.search(text) and _IMPACT.search(text) is not None
    ):
        return MAN_MADE_DISASTER
    return None

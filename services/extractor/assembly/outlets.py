"""Where an outlet's news usually is: a prior for homonyms, learnt from the outlet's own earlier articles.

A local paper rarely names its state. A Richmond, Kentucky paper writes "Richmond" and "Berea", a
Mansfield, Texas one "Mansfield" and "Arlington", and the article alone cannot say which Richmond it
means. The outlet's earlier articles can: most of the places they resolved lie in one or two regions.
This is the "local lexicon" of Lieberman, Samet and Sankaranarayanan (ICDE 2010), the idea the LGL
corpus was built to test.

The lexicon is learnt from the stream as it goes, per process: no article's own places count for it,
and an outlet's first article gets no prior. It only breaks ties the article leaves open: its weight
(`OUTLET_REGION_WEIGHT`) is a share of the article's own regional evidence (`CountryContext.with_outlet_prior`).
Memory is bounded: each outlet keeps a fading tally (the last `memory` articles or so), and the least
recently seen outlets are forgotten beyond `max_outlets`.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping

# How much an outlet's usual regions weigh beside the article's own regional evidence (names of states,
# "Athens, Ga.", counties, towns only one region has): a region's share of the outlet's tally times this
# times that evidence (at least 1). On LGL with gold mentions, learnt online in file order:
# accuracy@161 km 0.835 without, 0.861 at 0.3, 0.864 at 0.5, 0.865 at 1.
OUTLET_REGION_WEIGHT = 0.5
# Tallies below this are dropped, so that an outlet's table holds only the regions it keeps returning to.
_FORGOTTEN = 1e-3


class OutletLexicon:
    """Each outlet's regions (keyed "US.KY", as `CountryContext.regions`), one vote per article shared
    among the regions its resolved places lie in. Not thread-safe: the extractor codes one batch at a time."""

    def __init__(self, *, memory: int = 50, max_outlets: int = 10_000) -> None:
        if memory < 1 or max_outlets < 1:
            raise ValueError("memory and max_outlets must be at least 1")
        self.memory = memory
        self.max_outlets = max_outlets
        self._tallies: OrderedDict[str, dict[str, float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._tallies)

    def prior(self, outlet: str | None) -> dict[str, float]:
        """The outlet's regions as shares that sum to 1; empty for an outlet not seen yet."""
        tally = self._tallies.get(outlet) if outlet else None
        if not tally:
            return {}
        total = sum(tally.values())
        return {region: weight / total for region, weight in tally.items()}

    def observe(self, outlet: str | None, places: Iterable[tuple[str | None, str | None]]) -> None:
        """Count an article's resolved places, as (country code, admin1 code) pairs, for its outlet; older
        articles fade by 1/`memory` each time."""
        if not outlet:
            return
        regions = [f"{country}.{admin1}" for country, admin1 in places if country and admin1]
        if not regions:
            return
        tally = self._tallies.pop(outlet, {})
        fade = 1.0 - 1.0 / self.memory
        tally = {region: weight * fade for region, weight in tally.items() if weight * fade >= _FORGOTTEN}
        for region in regions:
            tally[region] = tally.get(region, 0.0) + 1.0 / len(regions)
        self._tallies[outlet] = tally  # most recently seen last
        while len(self._tallies) > self.max_outlets:
            self._tallies.popitem(last=False)


# Country-code top-level domains sold for other meanings (.tv, .io, .fm ...): they say nothing of where.
_GENERIC_COUNTRY_DOMAINS = frozenset(
    {"ac", "ag", "ai", "am", "cc", "co", "fm", "gg", "im", "io", "la", "ly", "me", "nu", "sh", "so", "st", "to",
     "tv", "vc", "ws"}
)  # fmt: skip
# Second-level labels that name no place ("co" of .co.uk, "com" of .com.au).
_GENERIC_LABELS = frozenset({"ac", "co", "com", "edu", "gov", "net", "news", "org", "www"})


def outlet_country(outlet: str | None, known: Callable[[str], bool]) -> str | None:
    """The country an outlet's domain is registered under ("lfpress.ca": CA; "…citizen.co.uk": GB), where
    `known` says the code names a country; None for .com and for country domains sold as generic ones."""
    if not outlet or "." not in outlet:
        return None
    suffix = outlet.rsplit(".", 1)[1].lower()
    code = "GB" if suffix == "uk" else suffix.upper()
    if len(suffix) != 2 or suffix in _GENERIC_COUNTRY_DOMAINS or not known(code):
        return None
    return code


def outlet_names(outlet: str | None) -> tuple[str, ...]:
    """The labels of an outlet's domain that may carry its town's name, letters only: "chronicle.augusta.com"
    gives ("chronicle", "augusta"), "thelancasterandmorecambecitizen.co.uk" the whole first label."""
    if not outlet:
        return ()
    labels = outlet.lower().split(".")[:-1]
    return tuple(
        letters for label in labels if label not in _GENERIC_LABELS and (letters := re.sub(r"[^a-z]", "", label))
    )


def names_its_town(outlet_labels: Iterable[str], town: str) -> bool:
    """Whether a label of the outlet's domain starts with the town's name ("richmondregister",
    "thelancaster…", "augusta"), letters only and at least four of them."""
    return len(town) >= 4 and any(label.removeprefix("the").startswith(town) for label in outlet_labels)


def with_outlet_regions(regions: Mapping[str, float], prior: Mapping[str, float]) -> dict[str, float]:
    """The article's regional evidence with its outlet's usual regions added (`OUTLET_REGION_WEIGHT`)."""
    if not prior:
        return dict(regions)
    scale = OUTLET_REGION_WEIGHT * max(sum(regions.values()), 1.0)
    merged = dict(regions)
    for region, share in prior.items():
        merged[region] = merged.get(region, 0.0) + scale * share
    return merged

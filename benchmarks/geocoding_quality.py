"""Place mentions found and geocoded on LGL (588 local news articles, GeoNames-tagged toponyms).

Usage:
  python benchmarks/geocoding_quality.py ../shared/data              # end to end and with gold mentions
  python benchmarks/geocoding_quality.py ../shared/data --limit 100  # the first 100 articles only

Two figures, as issue 10 asks:
- **end to end**: each article's text goes through `newswire extract --documents -` (sentence split,
  tagger, gazetteer scan, resolution); a gold toponym counts as found when a printed place overlaps it,
  and as right at 161 km when that place's coordinates lie within 161 km (100 miles) of the gold ones.
  Accuracy is over all gold toponyms: one not found is wrong.
- **gold mentions given** (the resolver alone, in-process, labelled as such): the gold phrases stand in
  for the tagger's place names; each is looked up in the gazetteer and resolved with the article's
  context as the document view resolves a mention (`geo.resolve_toponym`: a demonym given as a place
  name stands for its country).
Exact-id accuracy compares GeoNames ids. Precision is the share of printed places that overlap a gold
toponym (LGL marks every toponym, so the rest are non-places or places it does not count). Nothing here
is trained on LGL.
"""

from __future__ import annotations

import argparse
import sys
import xml.etree.ElementTree as ElementTree
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _extract_cli import extract_documents

from newswire.common.geo import haversine_km

NEAR_KM = 161.0


@dataclass(frozen=True)
class GoldToponym:
    start: int
    end: int
    phrase: str
    geonames_id: int | None
    lat: float | None
    lon: float | None
    feature_code: str


@dataclass(frozen=True)
class GoldArticle:
    doc_id: str
    text: str
    published: str | None
    toponyms: list[GoldToponym]
    outlet: str | None = None  # the paper's domain: its earlier articles inform its homonyms


def load_lgl(path: Path) -> list[GoldArticle]:
    articles: list[GoldArticle] = []
    for article in ElementTree.parse(path).getroot().iter("article"):
        text = article.findtext("text") or ""
        dltime = (article.findtext("dltime") or "")[:10] or None
        toponyms: list[GoldToponym] = []
        for toponym in article.iter("toponym"):
            gaztag = toponym.find("gaztag")
            lat = gaztag.findtext("lat") if gaztag is not None else None
            lon = gaztag.findtext("lon") if gaztag is not None else None
            toponyms.append(
                GoldToponym(
                    start=int(toponym.findtext("start") or 0),
                    end=int(toponym.findtext("end") or 0),
                    phrase=toponym.findtext("phrase") or "",
                    geonames_id=int(gaztag.get("geonameid") or 0) if gaztag is not None else None,
                    lat=float(lat) if lat else None,
                    lon=float(lon) if lon else None,
                    feature_code=(gaztag.findtext("fcode") or "") if gaztag is not None else "",
                )
            )
        outlet = (article.findtext("domain") or "").strip().lower() or None
        articles.append(GoldArticle(str(article.get("docid")), text, dltime, toponyms, outlet))
    return articles


def _near(place: dict[str, Any] | None, gold: GoldToponym) -> bool:
    if place is None or place.get("lat") is None or gold.lat is None or gold.lon is None:
        return False
    return haversine_km(place["lat"], place["lon"], gold.lat, gold.lon) <= NEAR_KM


def score_end_to_end(articles: list[GoldArticle], views: dict[str, dict[str, Any]]) -> dict[str, float]:
    gold_total = found = near = exact = printed = printed_on_gold = 0
    missed_kinds: Counter[str] = Counter()
    for article in articles:
        places = views.get(article.doc_id, {}).get("places", [])
        printed += len(places)
        printed_on_gold += sum(
            any(p["start"] < gold.end and gold.start < p["end"] for gold in article.toponyms) for p in places
        )
        for gold in article.toponyms:
            if gold.lat is None:
                continue
            gold_total += 1
            overlapping = [p for p in places if p["start"] < gold.end and gold.start < p["end"]]
            if not overlapping:
                missed_kinds[gold.feature_code or "?"] += 1
                continue
            found += 1
            place = overlapping[0]
            near += _near(place, gold)
            exact += place.get("geonames_id") == gold.geonames_id
    print(f"end to end, gold toponyms not found, by GeoNames feature code: {missed_kinds.most_common(8)}")
    return {
        "gold": gold_total,
        "found": found / gold_total,
        "near": near / gold_total,
        "exact": exact / gold_total,
        "precision": printed_on_gold / max(1, printed),
        "printed": printed,
    }


def score_gold_mentions(articles: list[GoldArticle], *, outlet_prior: bool = True) -> dict[str, float]:
    """The resolver alone: each gold phrase resolved with the article's context, the gold phrases standing
    in for the tagger's place names. With `outlet_prior`, each paper's earlier articles (in file order, as
    `newswire extract` reads them) inform its homonyms, as in the service."""
    from newswire.extractor.assembly.geo import country_context, default_gazetteer, resolve_toponym, to_location
    from newswire.extractor.assembly.outlets import OutletLexicon
    from newswire.extractor.settings import ExtractorSettings
    from newswire.extractor.types import EntitySpan

    # The gazetteer and the outlet lexicon `newswire extract` builds from the same settings.
    options = ExtractorSettings().extractor
    gazetteer = default_gazetteer(options.gazetteer_min_population)
    outlets = OutletLexicon(memory=options.outlet_memory, max_outlets=options.outlet_max) if outlet_prior else None
    gold_total = near = exact = 0
    for article in articles:
        given = [EntitySpan("LOC", gold.phrase, gold.start, gold.end) for gold in article.toponyms]
        context = country_context([(article.text, given)], gazetteer)
        if outlets is not None:
            context = context.with_outlet_prior(outlets.prior(article.outlet), article.outlet)
        resolved: list[tuple[str | None, str | None]] = []
        for gold in article.toponyms:
            place = resolve_toponym(gold.phrase, gazetteer, context)
            if place is not None:
                resolved.append((place.country_code, place.admin1))
            if gold.lat is None:
                continue
            gold_total += 1
            if place is None:
                continue
            location = to_location(place, gold.phrase)
            printed = {"lat": location.lat, "lon": location.lon}
            near += _near(printed, gold)
            exact += place.geonames_id == gold.geonames_id
        if outlets is not None:
            outlets.observe(article.outlet, resolved)
    return {"gold": gold_total, "near": near / gold_total, "exact": exact / gold_total}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", type=Path, help="the shared data folder (holds geocoding-lgl/lgl.xml)")
    parser.add_argument("--limit", type=int, default=0, help="score only the first N articles")
    args = parser.parse_args(argv)
    path = args.data / "geocoding-lgl" / "lgl.xml"
    if not path.is_file():
        print(f"no {path}", file=sys.stderr)
        return 2
    articles = load_lgl(path)
    if args.limit:
        articles = articles[: args.limit]
    alone = score_gold_mentions(articles, outlet_prior=False)
    print(
        f"geocoding, gold mentions given, each article alone (no outlet prior): {alone['gold']} toponyms, "
        f"accuracy@161km {alone['near']:.4f}, exact id {alone['exact']:.4f}"
    )
    given = score_gold_mentions(articles)
    print(
        f"geocoding, gold mentions given (resolver only, outlet prior learnt in file order): {given['gold']} "
        f"toponyms, accuracy@161km {given['near']:.4f}, exact id {given['exact']:.4f}"
    )
    views = extract_documents([(a.doc_id, a.text, a.published, a.outlet) for a in articles])
    end_to_end = score_end_to_end(articles, views)
    print(
        f"geocoding (end to end, newswire extract --documents): {len(articles)} articles, "
        f"{end_to_end['gold']} gold toponyms, found {end_to_end['found']:.3f}, "
        f"accuracy@161km {end_to_end['near']:.3f}, exact id {end_to_end['exact']:.3f}, "
        f"precision {end_to_end['precision']:.3f} of {end_to_end['printed']} printed"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

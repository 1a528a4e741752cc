"""Article -> events, without Kafka: sentence split, one model pass for a whole micro-batch, assembly.

Used by the extractor service (in an executor, off the event loop) and by `newswire extract`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from ..common.models import EnrichedArticle, Entity, Event, ModelInfo
from ..common.urls import source_domain
from .analyzer import SentenceAnalyzer, lead_passage
from .assembly import article_context, assemble_events, document_dates, document_places, place_senses
from .assembly.geo import Gazetteer
from .assembly.outlets import OutletLexicon
from .sentences import split_sentences
from .types import SentenceAnalysis


@dataclass(frozen=True)
class ArticleInput:
    article_id: str
    text: str
    published_at: datetime | None = None
    url: str | None = None
    title: str | None = None
    language: str | None = None
    duplicate_of: str | None = None
    # The outlet that published it (`urls.source_domain`); default: the URL's host.
    outlet: str | None = None

    @property
    def outlet_key(self) -> str | None:
        return self.outlet or (source_domain(self.url) or None if self.url else None)


@dataclass(frozen=True)
class ArticleResult:
    article: ArticleInput
    events: list[Event]
    enriched: EnrichedArticle


class EventExtractor:
    """`outlets`, where given, learns each outlet's usual regions from the articles it codes and lets them
    settle the homonyms of the outlet's later articles (`assembly.outlets`)."""

    def __init__(
        self, analyzer: SentenceAnalyzer, gazetteer: Gazetteer | None = None, outlets: OutletLexicon | None = None
    ) -> None:
        self.analyzer = analyzer
        self.gazetteer = gazetteer
        self.outlets = outlets
        self.model_info = ModelInfo(
            name=analyzer.model_name, version=analyzer.model_version, encoder=analyzer.encoder_name
        )

    def extract(self, articles: Sequence[ArticleInput]) -> list[ArticleResult]:
        """CPU-heavy: call from an executor. Sentences of all articles share the encoder batches."""
        sentences = [split_sentences(article.text) for article in articles]
        flat = [sentence for article_sentences in sentences for sentence in article_sentences]
        leads: list[list[int]] = []
        first = 0
        for article, article_sentences in zip(articles, sentences, strict=True):
            leads.append(lead_passage(article.text, article_sentences, first))
            first += len(article_sentences)
        analyses = self.analyzer.analyze(flat, leads) if flat else []
        results: list[ArticleResult] = []
        offset = 0
        for article, article_sentences in zip(articles, sentences, strict=True):
            mine = analyses[offset : offset + len(article_sentences)]
            offset += len(article_sentences)
            results.append(self._assemble(article, mine))
        return results

    def _assemble(self, article: ArticleInput, analyses: Sequence[SentenceAnalysis]) -> ArticleResult:
        context = article_context(analyses, self.gazetteer)
        if self.outlets is not None:
            context = context.with_outlet_prior(self.outlets.prior(article.outlet_key), article.outlet_key)
        places = document_places(analyses, gazetteer=self.gazetteer, context=context)
        if self.outlets is not None:
            resolved = (place for place in places if place.precision != "unresolved")
            self.outlets.observe(article.outlet_key, ((place.country_code, place.admin1_code) for place in resolved))
        events = assemble_events(
            analyses,
            article_id=article.article_id,
            text=article.text,
            published_at=article.published_at,
            model=self.model_info,
            source_url=article.url,
            min_score=self.analyzer.event_threshold,
            gazetteer=self.gazetteer,
            place_senses=place_senses(places),
            context=context,
        )
        if article.duplicate_of:
            events = [event.model_copy(update={"duplicate_of": article.duplicate_of}) for event in events]
        enriched = EnrichedArticle(
            article_id=article.article_id,
            url=article.url or "",
            title=article.title,
            published_at=article.published_at,
            language=article.language,
            topics=sorted({event.event_type for event in events}),
            entities=_entities(analyses),
            event_ids=[event.event_id for event in events],
            duplicate_of=article.duplicate_of,
            model=self.model_info,
            places=places,
            dates=document_dates(article.text, article.published_at.date() if article.published_at else None),
        )
        return ArticleResult(article=article, events=events, enriched=enriched)


def _entities(analyses: Sequence[SentenceAnalysis]) -> list[Entity]:
    entities: list[Entity] = []
    for analysis in analyses:
        base = analysis.sentence.start
        for span in analysis.entities:
            entities.append(Entity(text=span.text, label=span.label, start=base + span.start, end=base + span.end))
    return entities

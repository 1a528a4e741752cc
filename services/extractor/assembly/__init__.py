"""Pure-Python event assembly: per-sentence model output to `Event` messages (no model loaded here)."""

from .document import document_dates, document_places, place_senses
from .events import article_context, assemble_events, event_id

__all__ = ["article_context", "assemble_events", "document_dates", "document_places", "event_id", "place_senses"]

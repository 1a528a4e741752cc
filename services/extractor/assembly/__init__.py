"""Pure-Python event assembly: per-sentence model output to `Event` messages (no model loaded here)."""

from .events import assemble_events, event_id

__all__ = ["assemble_events", "event_id"]

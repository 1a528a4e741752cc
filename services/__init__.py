"""newswire: streaming news-to-events over Kafka."""

__version__ = "0.1.0"

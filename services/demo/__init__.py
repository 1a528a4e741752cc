"""The demo news site: feed and article pages served on 127.0.0.1 so newswire runs without internet."""

from .server import DemoSite, demo_feeds_yaml

__all__ = ["DemoSite", "demo_feeds_yaml"]

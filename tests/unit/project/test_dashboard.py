"""The Grafana dashboard only charts metrics that the services really export."""

from __future__ import annotations

import json
import re

from newswire.common.health import ServiceMetrics
from newswire.correlator.handlers import CorrelatorMetrics
from newswire.fetcher.poller import FeedHealthCollector
from newswire.fetcher.schedule import PollSchedule
from tests.support import paths

DASHBOARD = paths.REPO_ROOT / "deploy" / "grafana" / "newswire-dashboard.json"


def _exported_sample_names() -> set[str]:
    metrics = ServiceMetrics("test")
    schedule = PollSchedule()
    schedule.add("feed", "https://example.org/feed.xml", 300, now=0.0)
    schedule.record_success("feed", now=1.0, items=3, new_items=1)
    metrics.registry.register(FeedHealthCollector(schedule.all_health))
    metrics.latency.labels("stage").observe(0.1)
    metrics.batch_size.labels("stage").observe(1)
    metrics.lag.labels("topic", "0").set(0)
    for counter in (metrics.messages_in, metrics.messages_out, metrics.retries):
        counter.labels("x").inc()
    metrics.errors.labels("stage", "Error").inc()
    metrics.dead_letters.labels("stage").inc()
    correlator = CorrelatorMetrics(metrics.registry)
    correlator.assignments.labels("opened").inc()
    correlator.open_incidents.set(1)
    return {sample.name for family in metrics.registry.collect() for sample in family.samples}


def test_every_charted_metric_is_exported() -> None:
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    exprs = [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]
    used = {name for expr in exprs for name in re.findall(r"\bnewswire_[a-z_]+", expr)}
    assert len(used) >= 10
    assert used - _exported_sample_names() == set()

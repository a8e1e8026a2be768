"""Prometheus metrics (prometheus-client): process counters plus store figures read at scrape.

Off unless `server.metrics = true`; then `GET /metrics` answers in the text exposition format.
Counters live in one process-wide registry (sync runs, HTTP requests, Slack ack latency);
items, findings per rule and job runs are read from the store when Prometheus scrapes, so
every replica reports the same shared figures.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from flask import Flask, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import Collector

from connectors.retries import on_retry

if TYPE_CHECKING:
    from bot.context import AppContext

PROCESS = CollectorRegistry(auto_describe=True)

SYNC_RUNS = Counter(
    "refinery_sync_runs",
    "Sync runs of one stream, by source and outcome (ok, stopped, failed).",
    ["source", "outcome"],
    registry=PROCESS,
)
SOURCE_REQUESTS = Counter(
    "refinery_source_requests",
    "HTTP requests made to a source's API during syncs, by source.",
    ["source"],
    registry=PROCESS,
)
SOURCE_RETRIES = Counter(
    "refinery_source_retries",
    "Requests to a source's API retried, by source and reason (HTTP status or connection_error).",
    ["source", "reason"],
    registry=PROCESS,
)
HTTP_REQUESTS = Counter(
    "refinery_http_requests",
    "Requests Refinery's HTTP server answered, by method, route and status.",
    ["method", "route", "status"],
    registry=PROCESS,
)
SLACK_ACK = Histogram(
    "refinery_slack_ack_seconds",
    "Time from a Slack request's arrival to Refinery's answer (Slack allows 3 s).",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0),
    registry=PROCESS,
)


def sync_finished(source: str, outcome: str, requests: int) -> None:
    """Count one stream's sync run (called by the sync service)."""
    SYNC_RUNS.labels(source=source, outcome=outcome).inc()
    if requests:
        SOURCE_REQUESTS.labels(source=source).inc(requests)


def retry_made(source: str, reason: str) -> None:
    """Count one retried request (the connectors' retry hook calls it)."""
    SOURCE_RETRIES.labels(source=source, reason=reason).inc()


on_retry(retry_made)


def request_answered(method: str, route: str, status: int, seconds: float) -> None:
    """Count one HTTP answer (called by the access log); Slack's also time the ack."""
    HTTP_REQUESTS.labels(method=method, route=route, status=str(status)).inc()
    if route == "/slack/events":
        SLACK_ACK.observe(seconds)


class StoreCollector(Collector):
    """Items, open findings per rule and the last run of each job, from the store."""

    def __init__(self, ctx: AppContext, inbox: Callable[[], int] | None = None) -> None:
        self.ctx = ctx
        self.inbox = inbox

    def collect(self) -> Iterator[Metric]:
        from bot.store.jobs import JobRuns
        from bot.store.stats import items_by_source, open_findings_by_rule

        items = GaugeMetricFamily(
            "refinery_items", "Stored items that are not gone, by source.", labels=["source"]
        )
        findings = GaugeMetricFamily(
            "refinery_open_findings", "Open findings in the store, by rule.", labels=["rule"]
        )
        jobs = GaugeMetricFamily(
            "refinery_job_last_run_timestamp_seconds",
            "When each scheduled job last ran, by job and its status.",
            labels=["job", "status"],
        )
        store = self.ctx.store
        for source, count in items_by_source(store).items():
            items.add_metric([source], count)
        for rule, count in open_findings_by_rule(store).items():
            findings.add_metric([rule], count)
        for run in JobRuns(store).all():
            jobs.add_metric([run.job, run.status], run.last_run_at.timestamp())
        yield from (items, findings, jobs)
        if self.inbox is not None:
            depth = GaugeMetricFamily(
                "refinery_webhook_inbox", "Accepted webhook events not yet processed."
            )
            depth.add_metric([], self.inbox())
            yield depth


class _Both(CollectorRegistry):
    """The process registry plus this app's store collector, exposed together."""

    def __init__(self, parts: Iterable[Collector]) -> None:
        super().__init__(auto_describe=False)
        self.parts = list(parts)

    def collect(self) -> Iterator[Metric]:
        for part in self.parts:
            yield from part.collect()


def register_metrics(app: Flask, ctx: AppContext, inbox: Callable[[], int] | None = None) -> None:
    """Add GET /metrics when server.metrics is on."""
    if not ctx.settings.server.metrics:
        return
    exposed = _Both([PROCESS, StoreCollector(ctx, inbox)])

    @app.get("/metrics")
    def metrics() -> Response:
        # headers, not mimetype: Flask would append a second charset to the library's type.
        return Response(generate_latest(exposed), headers={"Content-Type": CONTENT_TYPE_LATEST})

"""Every Prometheus metric of every process, built on an injected registry.

Names are `signalhub_<thing>_<unit>`; labels are bounded (agency, outcome, channel, priority,
reason, band, stage, topic, partition) and never carry an id, a name or any personal data.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import ThreadingHTTPServer
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, make_wsgi_app

# End-to-end latency spans seconds, not milliseconds: buckets up to a minute.
E2E_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0)
BATCH_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """One instance per process, created in its composition root."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        r = self.registry
        self.signals_consumed = Counter(
            "signalhub_signals_consumed_total",
            "Signals consumed by intake, by agency and outcome "
            "(accepted, duplicate, amended, corroborated, rejected).",
            ["agency", "outcome"],
            registry=r,
        )
        self.batch_duration = Histogram(
            "signalhub_intake_batch_duration_seconds",
            "Time to process and commit one intake batch.",
            buckets=BATCH_BUCKETS,
            registry=r,
        )
        self.batch_size = Histogram(
            "signalhub_intake_batch_size_messages",
            "Messages in one intake batch.",
            buckets=(1, 10, 50, 100, 250, 500, 1000, 2000),
            registry=r,
        )
        self.signal_to_case = Histogram(
            "signalhub_signal_to_case_seconds",
            "From ce_time of a signal to its case committed.",
            buckets=E2E_BUCKETS,
            registry=r,
        )
        self.signal_to_delivery = Histogram(
            "signalhub_signal_to_delivery_seconds",
            "From the alert's creation to its delivery, by channel.",
            ["channel"],
            buckets=E2E_BUCKETS,
            registry=r,
        )
        self.consumer_lag = Gauge(
            "signalhub_consumer_lag_messages",
            "End offset minus position, per topic and partition.",
            ["group", "topic", "partition"],
            registry=r,
        )
        self.outbox_pending = Gauge(
            "signalhub_outbox_pending_messages", "Outbox rows not yet published.", registry=r
        )
        self.outbox_published = Counter(
            "signalhub_outbox_published_total",
            "Outbox rows published by the relay, by contract.",
            ["contract"],
            registry=r,
        )
        self.deliveries = Counter(
            "signalhub_alert_deliveries_total",
            "Alert delivery attempts by channel and outcome.",
            ["channel", "outcome"],
            registry=r,
        )
        self.parked_alerts = Gauge(
            "signalhub_alerts_parked",
            "Alerts that exhausted their retries, by channel.",
            ["channel"],
            registry=r,
        )
        self.dead_letters = Counter(
            "signalhub_dead_letters_total",
            "Messages sent to the dead-letter topic, by stage and reason.",
            ["stage", "reason"],
            registry=r,
        )
        self.linkage_decisions = Counter(
            "signalhub_linkage_decisions_total", "Person linkage decisions by band.", ["band"], registry=r
        )
        self.open_cases = Gauge("signalhub_cases_open", "Open cases by priority.", ["priority"], registry=r)
        self.overdue_acks = Gauge(
            "signalhub_acknowledgements_overdue",
            "Open cases past their acknowledgement deadline.",
            ["priority"],
            registry=r,
        )
        self.transient_errors = Counter(
            "signalhub_transient_errors_total",
            "Retried transient faults (database, broker), by component.",
            ["component"],
            registry=r,
        )
        self.gateway_requests = Counter(
            "signalhub_gateway_requests_total",
            "Gateway requests by agency and HTTP status.",
            ["agency", "status"],
            registry=r,
        )
        self.published = Counter(
            "signalhub_signals_published_total",
            "Signals published by the producers, by agency.",
            ["agency"],
            registry=r,
        )
        self.scheduler_alerts = Counter(
            "signalhub_scheduler_alerts_total",
            "Alerts raised by the scheduler, by type.",
            ["alert_type"],
            registry=r,
        )
        self.retention_removed = Counter(
            "signalhub_retention_removed_total",
            "Rows anonymised or deleted by retention, by kind and action.",
            ["kind", "action"],
            registry=r,
        )


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return


class _ThreadingWSGIServer(ThreadingHTTPServer, WSGIServer):
    daemon_threads = True


def serve(
    metrics: Metrics, port: int, host: str = "127.0.0.1", ready: Callable[[], bool] | None = None
) -> WSGIServer:
    """Serve /metrics, /healthz (alive) and /readyz (`ready()`) in a daemon thread; returns the server."""
    prom = make_wsgi_app(metrics.registry)

    def app(environ, start_response):  # type: ignore[no-untyped-def]
        path = environ.get("PATH_INFO", "")
        if path == "/healthz":
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"ok\n"]
        if path == "/readyz":
            ok = ready() if ready is not None else True
            start_response("200 OK" if ok else "503 Service Unavailable", [("Content-Type", "text/plain")])
            return [b"ready\n" if ok else b"not ready\n"]
        return prom(environ, start_response)

    server = make_server(host, port, app, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler)
    threading.Thread(target=server.serve_forever, name="metrics-http", daemon=True).start()
    return server

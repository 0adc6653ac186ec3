"""Every Prometheus metric of every process, built on an injected registry.

Names are `signalhub_<thing>_<unit>`; labels are bounded (agency, outcome, channel, priority,
reason, band, stage, topic, partition) and never carry an id, a name or any personal data.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import ThreadingHTTPServer
from typing import Generic, TypeVar
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, make_wsgi_app
from prometheus_client.metrics import MetricWrapperBase

# End-to-end latency spans seconds, not milliseconds: buckets up to a minute.
E2E_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0)
M = TypeVar("M", bound=MetricWrapperBase)
BATCH_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class _Lazy(Generic[M]):
    """A metric registered on its instance's registry when first used (or declared by the process):
    a process exports the metrics it uses, not every metric of the hub at zero."""

    def __init__(self, build: Callable[[CollectorRegistry], M]) -> None:
        self.build: Callable[[CollectorRegistry], M] = build

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Metrics, owner: type | None = None) -> M:
        with obj._lock:  # two threads' first use must not register it twice
            found: M | None = obj.__dict__.get(self.name)
            if found is None:
                found = obj.__dict__[self.name] = self.build(obj.registry)
        return found


class Metrics:
    """One instance per process, created in its composition root with the process's name: its own
    metrics are exported from the start (at zero), any other only once used. Without a name (tests,
    the catalogue) every metric is registered."""

    def __init__(self, registry: CollectorRegistry | None = None, *, process: str | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        self._lock = threading.Lock()
        for name in PROCESS_METRICS[process] if process is not None else ALL_METRICS:
            getattr(self, name)

    signals_consumed = _Lazy(
        lambda r: Counter(
            "signalhub_signals_consumed_total",
            "Signals consumed by intake, by agency and outcome "
            "(accepted, duplicate, amended, corroborated, rejected).",
            ["agency", "outcome"],
            registry=r,
        )
    )
    batch_duration = _Lazy(
        lambda r: Histogram(
            "signalhub_intake_batch_duration_seconds",
            "Time to process and commit one intake batch.",
            buckets=BATCH_BUCKETS,
            registry=r,
        )
    )
    batch_size = _Lazy(
        lambda r: Histogram(
            "signalhub_intake_batch_size_messages",
            "Messages in one intake batch.",
            buckets=(1, 10, 50, 100, 250, 500, 1000, 2000),
            registry=r,
        )
    )
    signal_to_case = _Lazy(
        lambda r: Histogram(
            "signalhub_signal_to_case_seconds",
            "From ce_time of a signal to its case committed.",
            buckets=E2E_BUCKETS,
            registry=r,
        )
    )
    signal_to_delivery = _Lazy(
        lambda r: Histogram(
            "signalhub_signal_to_delivery_seconds",
            "From the alert's creation to its delivery, by channel.",
            ["channel"],
            buckets=E2E_BUCKETS,
            registry=r,
        )
    )
    consumer_lag = _Lazy(
        lambda r: Gauge(
            "signalhub_consumer_lag_messages",
            "End offset minus position, per topic and partition.",
            ["group", "topic", "partition"],
            registry=r,
        )
    )
    outbox_pending = _Lazy(
        lambda r: Gauge("signalhub_outbox_pending_messages", "Outbox rows not yet published.", registry=r)
    )
    outbox_published = _Lazy(
        lambda r: Counter(
            "signalhub_outbox_published_total",
            "Outbox rows published by the relay, by contract.",
            ["contract"],
            registry=r,
        )
    )
    deliveries = _Lazy(
        lambda r: Counter(
            "signalhub_alert_deliveries_total",
            "Alert delivery attempts by channel and outcome.",
            ["channel", "outcome"],
            registry=r,
        )
    )
    parked_alerts = _Lazy(
        lambda r: Gauge(
            "signalhub_alerts_parked",
            "Alerts that exhausted their retries, by channel.",
            ["channel"],
            registry=r,
        )
    )
    dead_letters = _Lazy(
        lambda r: Counter(
            "signalhub_dead_letters_total",
            "Messages sent to the dead-letter topic, by stage and reason.",
            ["stage", "reason"],
            registry=r,
        )
    )
    cloudevents_missing = _Lazy(
        lambda r: Counter(
            "signalhub_cloudevents_headers_missing_total",
            "Signals accepted without a CloudEvents header the binding requires (tolerated), by agency and header.",
            ["agency", "header"],
            registry=r,
        )
    )
    linkage_decisions = _Lazy(
        lambda r: Counter(
            "signalhub_linkage_decisions_total", "Person linkage decisions by band.", ["band"], registry=r
        )
    )
    open_cases = _Lazy(
        lambda r: Gauge("signalhub_cases_open", "Open cases by priority.", ["priority"], registry=r)
    )
    overdue_acks = _Lazy(
        lambda r: Gauge(
            "signalhub_acknowledgements_overdue",
            "Open cases past their acknowledgement deadline.",
            ["priority"],
            registry=r,
        )
    )
    transient_errors = _Lazy(
        lambda r: Counter(
            "signalhub_transient_errors_total",
            "Retried transient faults (database, broker), by component.",
            ["component"],
            registry=r,
        )
    )
    gateway_requests = _Lazy(
        lambda r: Counter(
            "signalhub_gateway_requests_total",
            "Gateway requests by agency and HTTP status.",
            ["agency", "status"],
            registry=r,
        )
    )
    published = _Lazy(
        lambda r: Counter(
            "signalhub_signals_published_total",
            "Signals published by the producers, by agency.",
            ["agency"],
            registry=r,
        )
    )
    scheduler_alerts = _Lazy(
        lambda r: Counter(
            "signalhub_scheduler_alerts_total",
            "Alerts raised by the scheduler, by type.",
            ["alert_type"],
            registry=r,
        )
    )
    retention_removed = _Lazy(
        lambda r: Counter(
            "signalhub_retention_removed_total",
            "Rows anonymised or deleted by retention, by kind and action.",
            ["kind", "action"],
            registry=r,
        )
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


ALL_METRICS = tuple(name for name, value in vars(Metrics).items() if isinstance(value, _Lazy))
# The metrics each process exports from its start; a metric a process uses besides (e.g. a helper
# shared by several) appears in its /metrics from first use.
PROCESS_METRICS: dict[str, tuple[str, ...]] = {
    "intake": (
        "signals_consumed", "batch_duration", "batch_size", "signal_to_case", "consumer_lag",
        "dead_letters", "linkage_decisions", "transient_errors", "cloudevents_missing",
    ),
    "relay": ("outbox_pending", "outbox_published", "transient_errors"),
    "notifier": ("signal_to_delivery", "deliveries", "parked_alerts", "dead_letters", "transient_errors"),
    "scheduler": ("overdue_acks", "scheduler_alerts", "retention_removed", "transient_errors"),
    "api": ("open_cases", "overdue_acks"),
    "gateway": ("gateway_requests", "published"),
}  # fmt: skip

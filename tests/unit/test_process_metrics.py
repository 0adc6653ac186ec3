"""Each process exports its own metrics, not every metric of the hub at zero."""

from __future__ import annotations

import threading

from prometheus_client import generate_latest

from signalhub.metrics import ALL_METRICS, PROCESS_METRICS, Metrics


def _families(metrics: Metrics) -> set[str]:
    text = generate_latest(metrics.registry).decode()
    return {line.split()[2] for line in text.splitlines() if line.startswith("# TYPE")}


def test_a_process_exports_only_its_own_metrics() -> None:
    relay = Metrics(process="relay")
    assert _families(relay) == {
        "signalhub_outbox_pending_messages",
        "signalhub_outbox_published_total",
        "signalhub_transient_errors_total",
    }
    intake = _families(Metrics(process="intake"))
    assert "signalhub_signals_consumed_total" in intake
    assert "signalhub_outbox_pending_messages" not in intake
    assert "signalhub_cases_open" not in intake


def test_a_metric_used_besides_appears_once_even_from_many_threads() -> None:
    metrics = Metrics(process="api")
    threads = [
        threading.Thread(target=lambda: metrics.dead_letters.labels(stage="x", reason="y").inc())
        for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert "signalhub_dead_letters_total" in _families(metrics)
    assert (
        metrics.registry.get_sample_value("signalhub_dead_letters_total", {"stage": "x", "reason": "y"}) == 8
    )


def test_every_declared_metric_exists() -> None:
    assert {name for names in PROCESS_METRICS.values() for name in names} <= set(ALL_METRICS)
    assert len(list(Metrics().registry.collect())) == len(ALL_METRICS)

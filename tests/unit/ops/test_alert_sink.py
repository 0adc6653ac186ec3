"""The demo's webhook sink answers every alert with 200 and counts them by type."""

from __future__ import annotations

import json
import urllib.request

from signalhub_cli.demo_support import AlertSink


def _post(port: int, body: bytes) -> int:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/alerts", data=body, method="POST")
    with urllib.request.urlopen(request, timeout=5) as response:
        return int(response.status)


def test_sink_acknowledges_and_counts_alerts_by_type() -> None:
    sink = AlertSink("127.0.0.1", 0)
    sink.start()
    try:
        assert (
            _post(sink.port, json.dumps({"alert_type": "case_opened", "priority": "urgent"}).encode()) == 200
        )
        assert _post(sink.port, json.dumps({"alert_type": "case_opened"}).encode()) == 200
        assert _post(sink.port, b"not json") == 200
    finally:
        sink.stop()
    assert sink.counts == {"case_opened": 2, "unreadable": 1}
    assert sink.total() == 3

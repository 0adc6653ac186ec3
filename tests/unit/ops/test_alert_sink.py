"""The demo's webhook sink answers every alert with 200 and counts them by type; every webhook
receiver we run takes the notifier's connections at once."""

from __future__ import annotations

import json
import socket
import urllib.request
from http.server import BaseHTTPRequestHandler

from consumers.notifier.settings import NotifierSettings
from signalhub_cli.demo_support import AlertSink, ReceiverServer


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


def test_receiver_takes_every_connection_the_notifier_opens_at_once() -> None:
    """The notifier opens up to `send_concurrency` connections at once. A receiver whose accept
    thread is behind (here: not accepting at all) must still have them all connected by the
    kernel; with socketserver's backlog of 5 the seventh connect is dropped and retried by TCP
    a second later."""
    at_once = max(
        bound.le
        for bound in NotifierSettings.model_fields["send_concurrency"].metadata
        if hasattr(bound, "le")
    )
    server = ReceiverServer(("127.0.0.1", 0), BaseHTTPRequestHandler)  # listening, never accepting
    clients: list[socket.socket] = []
    try:
        for _ in range(at_once):
            clients.append(socket.create_connection(server.server_address[:2], timeout=0.5))
    finally:
        for client in clients:
            client.close()
        server.server_close()
    assert len(clients) == at_once

"""The notifier's webhook client against a real HTTP/1.1 server: kept-alive connections, a
connection the receiver closed while idle, refusals and statuses."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from consumers.notifier.webhook_client import WebhookClient
from signalhub_cli.demo_support import ReceiverServer

pytestmark = pytest.mark.integration


@dataclass
class Server:
    url: str
    status: int = 200
    bodies: list[bytes] = field(default_factory=list)
    connections: list[socket.socket] = field(default_factory=list)


@pytest.fixture
def server() -> Iterator[Server]:
    state = Server(url="")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            state.connections.append(self.connection)

        def do_POST(self) -> None:
            state.bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(state.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return

    httpd = ReceiverServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}/alerts"
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield state
    httpd.shutdown()
    httpd.server_close()


def test_posts_of_one_thread_share_a_kept_alive_connection(server: Server) -> None:
    client = WebhookClient(timeout_s=2.0)
    assert [client.post(server.url, b"%d" % n, {"Content-Type": "text/plain"}) for n in range(5)] == [200] * 5
    assert server.bodies == [b"0", b"1", b"2", b"3", b"4"]
    assert len(server.connections) == 1
    with ThreadPoolExecutor(3) as pool:  # a connection per sending thread
        assert list(pool.map(lambda n: client.post(server.url, b"x", {}), range(30))) == [200] * 30
    assert len(server.connections) <= 4
    client.close()


def test_a_connection_the_receiver_closed_is_opened_again(server: Server) -> None:
    client = WebhookClient(timeout_s=2.0)
    assert client.post(server.url, b"first", {}) == 200
    server.connections[0].shutdown(socket.SHUT_RDWR)  # the receiver drops the idle connection
    assert client.post(server.url, b"second", {}) == 200
    assert server.bodies == [b"first", b"second"]
    assert len(server.connections) == 2
    client.close()


def test_statuses_are_returned_and_refusals_raised(server: Server) -> None:
    client = WebhookClient(timeout_s=2.0)
    server.status = 503
    assert client.post(server.url, b"x", {}) == 503
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        free = s.getsockname()[1]
    with pytest.raises(ConnectionRefusedError):
        client.post(f"http://127.0.0.1:{free}/alerts", b"x", {})
    client.close()

"""POSTing webhook bodies over kept-alive HTTP/1.1 connections of the standard library's
`http.client`: one connection per sending thread and receiver, opened again when the receiver
closed it.

Why not httpx (which the notifier used before): the whole send is one POST of ready bytes, and
httpx spent 380-450 us of CPU on it against 60-90 us for `http.client` on the same kept-alive
connection (2 000 POSTs to a local receiver); at 200 alerts/s that was a third of the notifier's
CPU. TLS keeps httpx's trust settings (`httpx.create_ssl_context`: certifi, `SSL_CERT_FILE`).
The connection is direct: proxy variables are not read.
"""

from __future__ import annotations

import http.client
import ssl
import threading
from urllib.parse import SplitResult, urlsplit

import httpx

__all__ = ["WebhookClient"]

# A kept-alive connection the receiver closed while it was idle fails like this on its next use.
_STALE = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError)


class WebhookClient:
    """`post` may be called from several threads; each thread has its own connections."""

    def __init__(self, timeout_s: float, user_agent: str = "signalhub-notifier") -> None:
        self._timeout_s = timeout_s
        self._user_agent = user_agent
        self._local = threading.local()
        self._lock = threading.Lock()
        self._opened: list[http.client.HTTPConnection] = []
        self._tls: ssl.SSLContext | None = None

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> int:
        """POST `body` to `url` and read the answer; returns its status code. Raises `OSError`
        (refused, reset, timed out, TLS) or `http.client.HTTPException` (a malformed answer or URL).
        A kept-alive connection found closed by the receiver is replaced and the POST sent once
        more (receivers deduplicate on the alert id: at least once)."""
        target = urlsplit(url)
        conn = self._connection(target)
        path = (target.path or "/") + (f"?{target.query}" if target.query else "")
        reused = conn.sock is not None
        try:
            return self._exchange(conn, path, body, headers)
        except _STALE:
            conn.close()
            if not reused:
                raise
        except BaseException:
            conn.close()
            raise
        try:
            return self._exchange(conn, path, body, headers)  # reconnects (`auto_open`)
        except BaseException:
            conn.close()
            raise

    def _exchange(
        self, conn: http.client.HTTPConnection, path: str, body: bytes, headers: dict[str, str]
    ) -> int:
        conn.request("POST", path, body=body, headers={"User-Agent": self._user_agent, **headers})
        response = conn.getresponse()
        response.read()  # the whole answer, so the connection can carry the next request
        if response.will_close:
            conn.close()
        return response.status

    def _connection(self, target: SplitResult) -> http.client.HTTPConnection:
        conns: dict[tuple[str, str], http.client.HTTPConnection] = self._local.__dict__.setdefault(
            "conns", {}
        )
        key = (target.scheme, target.netloc)
        conn = conns.get(key)
        if conn is None:
            conn = conns[key] = self._open(target)
        return conn

    def _open(self, target: SplitResult) -> http.client.HTTPConnection:
        host, port = target.hostname or "", target.port
        conn: http.client.HTTPConnection
        if target.scheme == "https":
            with self._lock:
                if self._tls is None:
                    self._tls = httpx.create_ssl_context()
            conn = http.client.HTTPSConnection(host, port, timeout=self._timeout_s, context=self._tls)
        elif target.scheme == "http":
            conn = http.client.HTTPConnection(host, port, timeout=self._timeout_s)
        else:
            raise http.client.InvalidURL("webhook URL scheme must be http or https")
        with self._lock:
            self._opened.append(conn)
        return conn

    def close(self) -> None:
        """Close every connection of every thread (at shutdown, after the senders stopped)."""
        with self._lock:
            for conn in self._opened:
                conn.close()
            self._opened.clear()

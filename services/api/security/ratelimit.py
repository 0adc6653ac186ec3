"""Login rate limit: at most N failures per (username, client address) in a sliding window.

In-process memory: one API process enforces its own limit (several processes each allow N, still a
small bound). Keys are SHA-256 digests, so usernames and addresses are not held in clear.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import deque
from collections.abc import Callable


class LoginLimiter:
    def __init__(
        self, max_failures: int, window_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._max = max_failures
        self._window = window_s
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def key(username: str, address: str) -> str:
        return hashlib.sha256(f"{username.casefold()}\x00{address}".encode()).hexdigest()

    def blocked(self, key: str) -> bool:
        """True while the key has used up its failures in the current window."""
        with self._lock:
            return len(self._recent(key)) >= self._max

    def failed(self, key: str) -> None:
        with self._lock:
            self._recent(key).append(self._clock())

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)

    def _recent(self, key: str) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        horizon = self._clock() - self._window
        while times and times[0] <= horizon:
            times.popleft()
        return times

"""Ports a local server can count on getting back after a restart.

Linux gives an outgoing connection a local port from `net.ipv4.ip_local_port_range` (32768-60999
by default; even ports for `connect`). A client that keeps reconnecting to a stopped server on
127.0.0.1 may be given the server's own port, and its SYN then meets its own socket: a TCP
self-connect, an established connection from the port to itself. While the client holds it the
server cannot bind the port again (EADDRINUSE, SO_REUSEADDR notwithstanding). Kafka clients
reconnect to a killed broker every fraction of a second, so a broker on such a port sometimes could
not be restarted (found by the fault harness). A port below the range, or one reserved in
`net.ipv4.ip_local_reserved_ports`, is never handed out that way.
"""

from __future__ import annotations

import random
import socket
from pathlib import Path

RANGE_FILE = Path("/proc/sys/net/ipv4/ip_local_port_range")
RESERVED_FILE = Path("/proc/sys/net/ipv4/ip_local_reserved_ports")
DEFAULT_RANGE = (32768, 60999)  # Linux's default, when the file cannot be read
LOWEST = 20000  # free ports are looked for from here up to the ephemeral range


def ephemeral_range() -> tuple[int, int]:
    """The kernel's range of ports for outgoing connections (inclusive)."""
    try:
        low, high = (int(part) for part in RANGE_FILE.read_text().split())
    except (OSError, ValueError):
        return DEFAULT_RANGE
    return low, high


def _reserved(port: int) -> bool:
    try:
        text = RESERVED_FILE.read_text().strip()
    except OSError:
        return False
    for part in filter(None, text.split(",")):
        low, _, high = part.partition("-")
        if int(low) <= port <= int(high or low):
            return True
    return False


def ephemeral(port: int) -> bool:
    """True when an outgoing connection may be given `port` as its own."""
    low, high = ephemeral_range()
    return low <= port <= high and not _reserved(port)


def bindable(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def free_block(count: int, rng: random.Random | None = None) -> int:
    """The first of `count` consecutive ports on 127.0.0.1 that can be bound now, all below the
    ephemeral range (so a server on them can always be restarted)."""
    rng = rng or random.Random()
    top = min(ephemeral_range()[0], 65536) - count
    if top <= LOWEST:
        raise OSError(f"no ports below the ephemeral range starting at {top + count}")
    for _ in range(1000):
        first = rng.randrange(LOWEST, top)
        if all(not ephemeral(p) and bindable(p) for p in range(first, first + count)):
            return first
    raise OSError("no free block of ports below the ephemeral range")

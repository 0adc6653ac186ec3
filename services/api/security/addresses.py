"""The client address the login limit counts: the peer, unless the peer is a configured proxy.

`X-Forwarded-For` is anyone's to write, so it is read only when the connection comes from one of
`SIGNALHUB_API_TRUSTED_PROXIES`; then the address is the right-most entry that is not itself a
trusted proxy (entries left of it were written by the client and prove nothing).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from pydantic import IPvAnyNetwork

UNKNOWN = "unknown"


def client_address(peer: str | None, forwarded_for: str | None, trusted: Sequence[IPvAnyNetwork]) -> str:
    if peer is None:
        return UNKNOWN
    if not _trusted(peer, trusted) or not forwarded_for:
        return peer
    for entry in reversed([part.strip() for part in forwarded_for.split(",")]):
        if not _is_address(entry):
            return peer  # a malformed header from our own proxy: count the proxy, never trust junk
        if not _trusted(entry, trusted):
            return entry
    return peer


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _trusted(address: str, trusted: Sequence[IPvAnyNetwork]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)

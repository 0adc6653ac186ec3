"""CPU time of this machine's processes, read from /proc and summed by role: the benchmarks'
account of where the cores went (PostgreSQL, the Kafka broker, the hub's processes, the benchmark)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

__all__ = ["cpu_by_role", "process_tree"]


def cpu_by_role(roles: Mapping[int, str] | None = None, me: str = "benchmark") -> dict[str, float]:
    """User + system CPU seconds so far of every live process with a role: the one `roles` gives
    its pid, else "postgres" (every PostgreSQL process), "kafka" (a java process: the broker) or
    `me` (this process). Exited processes no longer count, so take differences of live ones."""
    tick, named = os.sysconf("SC_CLK_TCK"), roles or {}
    used: dict[str, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().split(b"\0")[0].decode(errors="replace")
        except OSError:
            continue
        pid, fields = int(entry.name), stat.rsplit(")", 1)[1].split()
        role = named.get(pid) or (
            "postgres" if "postgres" in command else "kafka" if command.endswith("java") else
            me if pid == os.getpid() else ""
        )  # fmt: skip
        if role:
            used[role] = used.get(role, 0.0) + (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return used


def process_tree(root: int) -> list[int]:
    """`root` and its live child processes (e.g. a PostgreSQL postmaster and its backends)."""
    tree = [root]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if parent == root:
                tree.append(int(entry.name))
    return tree

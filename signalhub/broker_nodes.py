"""The nodes of the local broker: one alone, or a KRaft cluster of `BrokerSettings.nodes` on loopback.

One node keeps the layout it always had: its files are `data_dir`'s own. A cluster's node `i`
(1-based) keeps its own files (pid, log, properties, `kraft/`) in `data_dir/node-<i>` and listens
on `port + 2(i-1)` and `controller_port + 2(i-1)`; the nodes share `data_dir`'s TLS material, super
user password, cluster id and lock. Every node is broker and controller; a cluster's controllers
are a static quorum (`controller.quorum.voters`), so any two of three elect a leader.

Replication follows production's shape (DESIGN: three or more brokers, replication factor 3,
`min.insync.replicas=2`): a replica on every node up to three, and two in sync for a write on a
cluster of three or more.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from signalhub.settings import BrokerSettings


@dataclass(frozen=True)
class Node:
    node_id: int
    data_dir: Path  # the node's own files (see `signalhub.broker_process.data_file`)
    port: int
    controller_port: int


def nodes(settings: BrokerSettings) -> list[Node]:
    if settings.nodes == 1:
        return [Node(1, settings.data_dir, settings.port, settings.controller_port)]
    return [
        Node(
            i + 1,
            settings.data_dir / f"node-{i + 1}",
            settings.port + 2 * i,
            settings.controller_port + 2 * i,
        )
        for i in range(settings.nodes)
    ]


def replication_factor(settings: BrokerSettings) -> int:
    return min(3, settings.nodes)


def min_insync_replicas(settings: BrokerSettings) -> int:
    return 2 if settings.nodes >= 3 else 1


def quorum(settings: BrokerSettings) -> str:
    """The controller quorum line of a node's properties."""
    if settings.nodes == 1:
        return f"controller.quorum.bootstrap.servers=127.0.0.1:{settings.controller_port}"
    voters = ",".join(f"{n.node_id}@127.0.0.1:{n.controller_port}" for n in nodes(settings))
    return f"controller.quorum.voters={voters}"


def bootstrap_servers(settings: BrokerSettings) -> str:
    return ",".join(f"127.0.0.1:{n.port}" for n in nodes(settings))


def of_node(settings: BrokerSettings, node: Node) -> BrokerSettings:
    """`settings` as seen by one node's process helpers (its own data dir and ports)."""
    return settings.model_copy(
        update={"data_dir": node.data_dir, "port": node.port, "controller_port": node.controller_port}
    )


def recorded(settings: BrokerSettings) -> BrokerSettings:
    """`settings` with the node count the data dir was first started with (`down` and `status`
    need no `--nodes`); unchanged for a data dir never started."""
    path = settings.data_dir / "nodes.count"
    if not path.exists():
        return settings
    return settings.model_copy(update={"nodes": int(path.read_text().strip())})


def record(settings: BrokerSettings) -> None:
    """Keep the node count in the data dir; raise ValueError when it was started with another."""
    path = settings.data_dir / "nodes.count"
    if path.exists() and int(path.read_text().strip()) != settings.nodes:
        raise ValueError(
            f"nodes: {settings.data_dir} holds a broker of {path.read_text().strip()} node(s), not "
            f"{settings.nodes}; use another data dir (SIGNALHUB_BROKER_DATA_DIR) or make clean-var"
        )
    path.write_text(f"{settings.nodes}\n")

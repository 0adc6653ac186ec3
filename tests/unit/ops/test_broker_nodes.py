"""The local broker's node layout: one node as it always was, or a loopback cluster shaped as
production (replication 3, min.insync.replicas 2, a static quorum of every node)."""

from __future__ import annotations

from pathlib import Path

import pytest

from signalhub import broker_nodes
from signalhub.settings import BrokerSettings


def test_one_node_keeps_its_data_dir_and_ports() -> None:
    settings = BrokerSettings(port=9092, controller_port=9093, data_dir=Path("/d"))
    assert broker_nodes.nodes(settings) == [broker_nodes.Node(1, Path("/d"), 9092, 9093)]
    assert broker_nodes.quorum(settings) == "controller.quorum.bootstrap.servers=127.0.0.1:9093"
    assert (broker_nodes.replication_factor(settings), broker_nodes.min_insync_replicas(settings)) == (1, 1)


def test_three_nodes_are_a_static_quorum_with_production_replication() -> None:
    settings = BrokerSettings(port=9092, controller_port=9093, data_dir=Path("/d"), nodes=3)
    nodes = broker_nodes.nodes(settings)
    assert [(n.node_id, n.data_dir, n.port, n.controller_port) for n in nodes] == [
        (1, Path("/d/node-1"), 9092, 9093), (2, Path("/d/node-2"), 9094, 9095), (3, Path("/d/node-3"), 9096, 9097),
    ]  # fmt: skip
    assert (
        broker_nodes.quorum(settings)
        == "controller.quorum.voters=1@127.0.0.1:9093,2@127.0.0.1:9095,3@127.0.0.1:9097"
    )
    assert broker_nodes.bootstrap_servers(settings) == "127.0.0.1:9092,127.0.0.1:9094,127.0.0.1:9096"
    assert (broker_nodes.replication_factor(settings), broker_nodes.min_insync_replicas(settings)) == (3, 2)


def test_a_data_dir_keeps_its_node_count(tmp_path: Path) -> None:
    one = BrokerSettings(data_dir=tmp_path)
    assert broker_nodes.recorded(one).nodes == 1
    broker_nodes.record(one.model_copy(update={"nodes": 3}))
    assert broker_nodes.recorded(one).nodes == 3
    with pytest.raises(ValueError, match=r"nodes: .* holds a broker of 3 node"):
        broker_nodes.record(one)

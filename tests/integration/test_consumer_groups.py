"""A consumer group member that dies (SIGKILL: no LeaveGroup) gives its partitions up after the
session timeout (`KafkaSettings.session_timeout_ms`, 10 s), not kafka-python 3's 45 s: the fault
harness's killed intake held its partitions that long while the signals on them waited."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import closing

import pytest
from kafka import TopicPartition

from signalhub.kafka import make_consumer
from signalhub.settings import REPO_ROOT, KafkaSettings

pytestmark = pytest.mark.integration

MEMBER = """
import os, sys
from signalhub.kafka import make_consumer
from signalhub.settings import KafkaSettings
consumer = make_consumer(KafkaSettings(), os.environ["GROUP"], [os.environ["TOPIC"]])
announced = False
while True:
    consumer.poll(timeout_ms=200)
    if consumer.assignment() and not announced:
        print("joined", flush=True)
        announced = True
"""


def test_a_killed_members_partitions_move_within_the_session_timeout(
    kafka_settings: KafkaSettings, unique_group: Callable[[str], str]
) -> None:
    group, topic = unique_group("intake"), kafka_settings.signal_topic("police")
    env = os.environ | kafka_settings.environment() | {"GROUP": group, "TOPIC": topic}
    member = subprocess.Popen(
        [sys.executable, "-c", MEMBER], env=env, cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert member.stdout is not None
        assert member.stdout.readline().strip() == "joined"
        with closing(make_consumer(kafka_settings, group, [topic])) as survivor:
            every = {TopicPartition(topic, p) for p in range(kafka_settings.partitions)}
            deadline = time.monotonic() + 60
            while not survivor.assignment() and time.monotonic() < deadline:
                survivor.poll(timeout_ms=200)  # the rebalance shares the partitions out
            assert set() < survivor.assignment() < every
            member.send_signal(signal.SIGKILL)
            member.wait(10)
            killed = time.monotonic()
            while survivor.assignment() != every and time.monotonic() < deadline:
                survivor.poll(timeout_ms=200)
            moved_after = time.monotonic() - killed
            taken_over = survivor.assignment() == every
    finally:
        member.kill()
        member.wait()
    assert taken_over
    assert moved_after < 18, moved_after  # 10 s session timeout, then the rebalance

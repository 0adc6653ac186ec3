"""Hub-wide settings read from the environment."""

from __future__ import annotations

from datetime import timedelta

import pytest

from signalhub.domain.vocabulary import PriorityLevel
from signalhub.settings import Settings


def test_acknowledgement_deadlines_are_configurable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIGNALHUB_ACK_URGENT_H", "0.5")
    monkeypatch.setenv("SIGNALHUB_ACK_NORMAL_H", "48")
    deadlines = Settings().ack_deadlines()
    assert deadlines.of(PriorityLevel.URGENT) == timedelta(minutes=30)
    assert deadlines.of(PriorityLevel.HIGH) == timedelta(hours=24)
    assert deadlines.of(PriorityLevel.NORMAL) == timedelta(hours=48)

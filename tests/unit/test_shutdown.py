"""`stop_on_signals`: SIGTERM or SIGINT sets the process's stop event, however the signals come."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest

# The child sets itself up, then lets the test's signals in: it exits 0 once its event is set.
CHILD = """
import os, signal, sys
from signalhub.shutdown import stop_on_signals
stop = stop_on_signals()
{body}
sys.exit(0 if stop.wait(10) else 3)
"""


def _run(body: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", CHILD.format(body=body)], capture_output=True, text=True, timeout=30
    )


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_sets_the_stop_event(signum: signal.Signals) -> None:
    assert _run(f"os.kill(os.getpid(), {int(signum)})").returncode == 0


def test_a_signal_arriving_while_the_event_is_being_set_does_not_deadlock_the_process() -> None:
    """A handler runs between two bytecodes of the main thread: when a first signal's handler was
    inside `Event.set`, holding the event's lock, a second one setting the event itself waited
    for that lock forever (a scheduler given two SIGTERMs in a row hung until killed)."""
    holding_the_events_lock = """
with stop._cond:  # as a first signal's handler inside Event.set does
    os.kill(os.getpid(), signal.SIGTERM)
    for _ in range(10_000):  # the Python handler runs in here
        pass
"""
    try:
        done = _run(holding_the_events_lock)
    except subprocess.TimeoutExpired:
        pytest.fail("the process hung: its signal handler waited for the lock its own thread held")
    assert done.returncode == 0, done.stderr

"""Stopping a process cleanly on SIGTERM or SIGINT: the work in hand is finished, then it closes."""

from __future__ import annotations

import logging
import os
import signal
import threading
from types import FrameType

__all__ = ["stop_on_signals"]

log = logging.getLogger(__name__)


def stop_on_signals(
    stop: threading.Event | None = None, signals: tuple[signal.Signals, ...] = (signal.SIGTERM, signal.SIGINT)
) -> threading.Event:
    """`stop` (or a new event), set once one of `signals` arrives. Call from the main thread.

    The Python handlers do nothing: the interpreter's own C handler writes each signal's number to
    a pipe (`signal.set_wakeup_fd`), and a thread reading the pipe sets the event. Set in the
    handler itself, the event could deadlock the process for good: a handler runs between two
    bytecodes of the main thread, so a second signal arriving while the first handler was inside
    `Event.set` waited for the event's lock that the interrupted handler held (a scheduler given
    two SIGTERMs in a row hung until killed)."""
    stop = stop or threading.Event()
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)
    signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)
    for signum in signals:
        signal.signal(signum, _noted)

    def watch() -> None:
        while received := os.read(read_end, 64):
            log.info("Signal %s received, stopping after the work in hand", ", ".join(map(str, received)))
            stop.set()

    threading.Thread(target=watch, name="signals", daemon=True).start()
    return stop


def _noted(_signum: int, _frame: FrameType | None) -> None:
    """The handler Python runs: nothing to do, the wakeup pipe carried the signal already."""

"""Keeping a claimed batch leased while a worker sends it.

A claim leases its rows for `lease` (`deliveries.claim`); a `LeaseKeeper` renews that lease every
third of it until the batch's outcome is recorded. The lease can then be short, so the rows of a
notifier killed mid-batch are due again within seconds, and still never end under a worker that is
sending slowly (a receiver taking its full timeout for each of a hundred alerts).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from types import TracebackType

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from consumers.notifier import deliveries

log = logging.getLogger(__name__)


class LeaseKeeper:
    """Renews the lease of `row_ids` in a thread while the `with` block runs. A renewal that fails
    (database away) is tried again at the next third; if the lease ends meanwhile, another worker
    may send the rows too, which at-least-once delivery allows (receivers deduplicate on alert_id)."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        row_ids: Sequence[int],
        lease: timedelta,
        clock: Callable[[], datetime],
    ) -> None:
        self._sessions = sessions
        self._ids = list(row_ids)
        self._lease = lease
        self._clock = clock
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="delivery-lease", daemon=True)

    def __enter__(self) -> LeaseKeeper:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self._lease.total_seconds() / 3):
            try:
                with self._sessions() as session, session.begin():
                    deliveries.renew(session, self._ids, self._clock() + self._lease)
            except SQLAlchemyError as e:
                log.warning("Lease of %d deliveries not renewed (%s)", len(self._ids), type(e).__name__)

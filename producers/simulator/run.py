"""Publishing a simulation at a steady rate through the one publisher (`signalhub simulate`).

Signals go out in small batches (a tenth of a second's worth), each batch awaited through
`Publisher.publish_many`, and paced so that `count` signals take `count / rate` seconds. The
ground truth is written before anything is sent, so it also covers an interrupted run.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from producers.publisher import Publisher
from producers.simulator.signals import simulate
from producers.simulator.truth import write_truth


@dataclass(frozen=True)
class SimulationReport:
    published: int
    resent: int
    amendments: int
    corroborations: int
    seconds: float


def run_simulation(
    publisher: Publisher,
    *,
    seed: int,
    count: int,
    rate: float,
    region_code: str,
    truth_dir: Path | None = None,
    on_sent: Callable[[int], None] | None = None,
) -> SimulationReport:
    simulated = simulate(seed, count, region_code=region_code)
    if truth_dir is not None:
        write_truth(truth_dir, simulated)
    batch = max(1, int(rate / 10))
    started = time.monotonic()
    sent = 0
    for start in range(0, len(simulated), batch):
        chunk = simulated[start : start + batch]
        publisher.publish_many([s.signal for s in chunk])
        sent += len(chunk)
        if on_sent is not None:
            on_sent(sent)
        delay = started + sent / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    kinds = Counter(s.kind for s in simulated)
    return SimulationReport(
        sent, kinds["resend"], kinds["amendment"], kinds["corroboration"], time.monotonic() - started
    )

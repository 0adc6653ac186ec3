"""Ground truth of a simulation, so that intake's dedup and linkage can be scored.

Files written to the truth directory (CSV, UTF-8, one header line each):
- `signals.csv`: event_id, kind (original | resend | amendment | corroboration), agency,
  source_record_id, version, signal_type, family_id — one line per message sent, in send order;
- `records.csv`: record (`<event_id>/children[0]`, `<event_id>/adults[1]`...), event_id,
  true_person_id, family_id — which true person each person record of a signal is;
- `families.csv`: family_id, event_ids (`;`-separated, distinct): the signals that belong to one
  family (so to one case).
Only synthetic ids are written; no names.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from producers.simulator.signals import SimulatedSignal


def write_truth(directory: Path, simulated: Iterable[SimulatedSignal]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    items = list(simulated)
    families: dict[str, dict[str, None]] = {}
    with (directory / "signals.csv").open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(
            ["event_id", "kind", "agency", "source_record_id", "version", "signal_type", "family_id"]
        )
        for s in items:
            m = s.signal
            out.writerow(
                [
                    m.event_id,
                    s.kind,
                    m.agency.value,
                    m.source_record_id,
                    s.version,
                    m.signal_type.value,
                    s.family_id,
                ]
            )
            families.setdefault(s.family_id, {})[str(m.event_id)] = None
    with (directory / "records.csv").open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["record", "event_id", "true_person_id", "family_id"])
        seen: set[str] = set()
        for s in items:
            event_id = str(s.signal.event_id)
            if event_id in seen:  # a resend names the same records again
                continue
            seen.add(event_id)
            for group, ids in (("children", s.children_ids), ("adults", s.adults_ids)):
                for index, person_id in enumerate(ids):
                    out.writerow([f"{event_id}/{group}[{index}]", event_id, person_id, s.family_id])
    with (directory / "families.csv").open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["family_id", "event_ids"])
        for family_id in sorted(families):
            out.writerow([family_id, ";".join(families[family_id])])

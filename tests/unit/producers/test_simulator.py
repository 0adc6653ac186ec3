"""The simulator's pure generator: deterministic, valid, noisy in the planned ways, with truth."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from producers.simulator.signals import generate_signals, simulate
from producers.simulator.truth import write_truth
from schemas.codec import Codec

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_same_seed_same_signals() -> None:
    assert generate_signals(5, 80, now=NOW) == generate_signals(5, 80, now=NOW)
    assert generate_signals(5, 80, now=NOW) != generate_signals(6, 80, now=NOW)


def test_all_agencies_and_every_kind_of_noise() -> None:
    simulated = simulate(11, 600, now=NOW)
    assert {s.signal.agency.value for s in simulated} == {
        "police",
        "health",
        "education",
        "guardianship",
        "social",
    }
    kinds = Counter(s.kind for s in simulated)
    assert set(kinds) == {"original", "resend", "amendment", "corroboration"}
    originals = {s.signal.event_id: s for s in simulated if s.kind == "original"}
    for s in simulated:
        if s.kind == "resend":
            assert any(o.signal == s.signal for o in simulated if o.kind != "resend")
        if s.kind == "amendment":
            assert s.signal.event_id not in originals
            assert s.version > 1
    corroborations = [s for s in simulated if s.kind == "corroboration"]
    assert any(
        s.family_id == o.family_id and s.signal.agency != o.signal.agency
        for s in corroborations
        for o in simulated
    )


def test_names_are_noisy() -> None:
    names = [p.first_name for s in simulate(3, 600, now=NOW) for p in (*s.signal.children, *s.signal.adults)]
    assert any(n.isascii() for n in names)  # Latin transliteration
    assert any(n.isupper() for n in names)
    ids = [p.snils for s in simulate(3, 600, now=NOW) for p in s.signal.children]
    assert None in ids
    assert any(ids)


def test_every_signal_encodes() -> None:
    codec = Codec("RiskSignal")
    for signal in generate_signals(9, 200, now=NOW):
        assert codec.decode(codec.encode(signal.to_avro()))["event_id"] is not None


def test_truth_files(tmp_path: Path) -> None:
    simulated = simulate(4, 120, now=NOW)
    write_truth(tmp_path, simulated)
    with (tmp_path / "signals.csv").open(encoding="utf-8") as handle:
        signals = list(csv.DictReader(handle))
    assert len(signals) == 120
    with (tmp_path / "records.csv").open(encoding="utf-8") as handle:
        records = list(csv.DictReader(handle))
    distinct = {s.signal.event_id: s for s in simulated}
    assert len(records) == sum(len(s.children_ids) + len(s.adults_ids) for s in distinct.values())
    assert records[0]["record"].endswith("/children[0]")
    with (tmp_path / "families.csv").open(encoding="utf-8") as handle:
        families = list(csv.DictReader(handle))
    assert sum(len(f["event_ids"].split(";")) for f in families) == len(distinct)


def test_every_seed_gives_valid_signals() -> None:
    # A namesake's birth date copied "a digit off" once changed the decade and made the child an
    # adult: the edge refused the signal and the simulator (and with it `signalhub demo`) stopped.
    # Seed 228999 was one such run of the demo; the others widen the net.
    for seed in (228999, *range(40)):
        signals = simulate(seed, 120, region_code="54")
        assert len(signals) == 120

"""Simulated signals of all five agencies about generated families, with the noise intake must handle.

`simulate(seed, n)` is pure and deterministic for a given `now`: the same seed gives the same
signals. Beside new signals it plants, by share of the stream: exact resends of an earlier signal
(same event id), amendments (same agency and `source_record_id`, new event id), and corroborations
(another agency about a family already signalled, within 72 h). Person records come from
`people_noise` (typos, Ё/Е, diminutives, Latin spellings, missing identifiers); twins and namesakes
from `people`. Each `SimulatedSignal` carries its ground truth. `generate_signals` returns just the
models (tests, benchmarks); `run_simulation` (in `run`) publishes them at a rate.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from producers.adapters.base import event_id_for
from producers.simulator import catalog
from producers.simulator.people import Person, Population, generate_population, noisy_records
from signalhub.signals import RiskSignalModel, validate_signal

RESEND, AMENDMENT, CORROBORATION = 0.06, 0.06, 0.15
_SEX = {"М": "M", "Ж": "F", "M": "M", "F": "F"}


@dataclass(frozen=True)
class SimulatedSignal:
    """One signal and its truth: what kind of event it is, the family, the true person of each record."""

    signal: RiskSignalModel
    kind: str  # original | resend | amendment | corroboration
    family_id: str
    children_ids: tuple[str, ...]
    adults_ids: tuple[str, ...]
    version: int = 1


def generate_signals(
    seed: int, n: int, *, region_code: str = "54", now: datetime | None = None
) -> list[RiskSignalModel]:
    """`n` valid signals (resends and amendments included) without a broker."""
    return [s.signal for s in simulate(seed, n, region_code=region_code, now=now)]


def simulate(
    seed: int, n: int, *, region_code: str = "54", now: datetime | None = None
) -> list[SimulatedSignal]:
    rng = random.Random(seed)
    moment = (now or datetime.now(UTC)).replace(microsecond=0)
    population = generate_population(seed, families=max(4, n // 2))
    families: dict[str, list[Person]] = {}
    for person in population.persons:
        families.setdefault(person.family_id, []).append(person)
    family_ids = sorted(families)
    out: list[SimulatedSignal] = []
    versions: dict[str, int] = {}  # source_record_id -> latest version
    for index in range(n):
        roll = rng.random()
        if out and roll < RESEND:
            out.append(replace(rng.choice(out), kind="resend"))
        elif out and roll < RESEND + AMENDMENT:
            earlier = rng.choice(out)
            record = earlier.signal.source_record_id
            versions[record] = versions.get(record, 1) + 1
            out.append(_amend(rng, earlier, versions[record]))
        elif out and roll < RESEND + AMENDMENT + CORROBORATION:
            earlier = rng.choice(out)
            profile = catalog.pick_agency(rng, exclude=earlier.signal.agency)
            at = earlier.signal.occurred_at + timedelta(hours=rng.uniform(1, 70))
            members = families[earlier.family_id]
            out.append(
                _signal(rng, members, profile, index, region_code, min(at, moment), moment, "corroboration")
            )
        else:
            members = families[rng.choice(family_ids)]
            at = moment - timedelta(hours=rng.uniform(1, 24 * 14))
            out.append(
                _signal(rng, members, catalog.pick_agency(rng), index, region_code, at, moment, "original")
            )
    return out


def _signal(
    rng: random.Random, members: list[Person], profile: catalog.AgencyProfile, index: int, region: str,
    at: datetime, now: datetime, kind: str,
) -> SimulatedSignal:  # fmt: skip
    children = [p for p in members if p.role == "child"]
    if profile.agency.value in ("education", "health") and len(children) > 1:
        children = [rng.choice(children)]
    adults = [p for p in members if p.role != "child" and (p.role == "mother" or rng.random() < 0.6)]
    chosen = Population(0, tuple(children + adults))
    written = {
        r["true_person_id"]: r
        for r in noisy_records(chosen, rng.randrange(1 << 30), (1, 1), (profile.agency.value,))
    }
    signal_type, severity, text = rng.choice(profile.kinds)
    record = catalog.record_id(profile.agency, 1000 + index, at.year)
    address = next(
        (written[p.person_id]["address"] for p in children + adults if written[p.person_id]["address"]), ""
    )
    reported = min(at + timedelta(minutes=rng.randint(5, 600)), max(at, now))
    signal = validate_signal(
        {
            "event_id": event_id_for(profile.agency, record, 1),
            "agency": profile.agency.value,
            "source_system": profile.source_system,
            "source_record_id": record,
            "signal_type": signal_type,
            "severity": severity,
            "occurred_at": at,
            "reported_at": reported,
            "region_code": region,
            "municipality_code": catalog.OKTMO.get(members[0].address[1], "50701000001"),
            "children": [_person(written[p.person_id], "child") for p in children],
            "adults": [_person(written[p.person_id], p.role) for p in adults],
            "address": {"text": address} if address else None,
            "description": text,
            "reporter": {"name": profile.reporter, "position": None, "phone": None, "email": None},
            "legal_basis": None,
        }
    )
    return SimulatedSignal(
        signal,
        kind,
        members[0].family_id,
        tuple(p.person_id for p in children),
        tuple(p.person_id for p in adults),
    )


def _person(row: dict[str, str], role: str) -> dict[str, object]:
    return {
        "role": role,
        "surname": row["surname"] or "Неизвестно",
        "first_name": row["first_name"] or "Неизвестно",
        "patronymic": row["patronymic"] or None,
        "birth_date": row["birth_date"] or None,
        "sex": _SEX.get(row["sex"]),
        "snils": row["snils"] or None,
        "birth_cert": row["birth_cert"] or None,
    }


def _amend(rng: random.Random, earlier: SimulatedSignal, version: int) -> SimulatedSignal:
    """The same agency record again with a new version: a new event id, details corrected."""
    old = earlier.signal
    severities = ("low", "medium", "high", "critical")
    severity = severities[min(severities.index(old.severity.value) + rng.choice((0, 1)), 3)]
    data = old.model_dump() | {
        "event_id": event_id_for(old.agency, old.source_record_id, version),
        "severity": severity,
        "description": f"{old.description or ''} Уточнение (версия {version}).".strip(),
    }
    return replace(earlier, signal=validate_signal(data), kind="amendment", version=version)

"""Latency of resolving one incoming record against a registry of a million persons.

Builds a ``Registry`` from the simulator's population (one record per person), then streams
noisy records of randomly chosen persons through ``Registry.link`` (resolve + add, the
``signalhub link`` path) and prints the median and p99 milliseconds per record, wall clock and
this thread's CPU time (which a shared, loaded machine changes little), the load average, and
the memory the registry takes (resident set size growth).

    .venv/bin/python benchmarks/linkage_speed.py [--persons 1000000] [--queries 5000]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import time

from producers.simulator.people import Person, Population, generate_population, noisy_records
from signalhub.domain.linkage import PersonRecord, Registry
from signalhub_cli.link import parse_row


def _clean(p: Person) -> PersonRecord:
    ltype, locality, stype, street, house, flat = p.address
    address = f"{ltype} {locality}, {stype} {street}, д. {house}" + (f", кв. {flat}" if flat else "")
    return PersonRecord(p.person_id, p.surname, p.first_name, p.patronymic, p.birth_date, p.sex, p.snils,
                        p.birth_cert, address)  # fmt: skip


def _rss_mb() -> float:
    """Peak resident set size."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _resident_mb() -> float:
    """Resident set size now."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    started = time.perf_counter()
    population = generate_population(args.seed, families=int(args.persons / 3.6))
    persons = population.persons[: args.persons]
    print(f"generated {len(persons)} persons in {time.perf_counter() - started:.0f} s")
    before, resident = _rss_mb(), _resident_mb()
    registry = Registry()
    started = time.perf_counter()
    for person in persons:
        registry.add(_clean(person), person.person_id)
    print(f"registry: {len(registry)} persons indexed in {time.perf_counter() - started:.0f} s, "
          f"{registry.index_entries} index entries, resident growth {_resident_mb() - resident:.0f} MB, peak RSS growth {_rss_mb() - before:.0f} MB "
          f"(peak RSS {_rss_mb():.0f} MB)")  # fmt: skip
    step = max(1, len(persons) // args.queries)
    sample = Population(population.seed, persons[::step][: args.queries])
    rows = noisy_records(sample, args.seed + 1, records_per_person=(1, 1))
    latencies, cpu, correct = [], [], 0
    for number, row in enumerate(rows, start=2):
        record = parse_row(dict(row), number)
        t0, c0 = time.perf_counter(), time.thread_time()
        person_id, _ = registry.link(record)
        cpu.append((time.thread_time() - c0) * 1e3)
        latencies.append((time.perf_counter() - t0) * 1e3)
        correct += person_id == row["true_person_id"]
    print(f"{len(rows)} noisy records: wall {_spread(latencies)}; CPU {_spread(cpu)}; "
          f"linked to the true person {correct / len(rows):.2%}; load average {os.getloadavg()[0]:.1f}")  # fmt: skip


def _spread(ms: list[float]) -> str:
    ms = sorted(ms)
    return f"median {statistics.median(ms):.3f} ms, p99 {ms[int(len(ms) * 0.99) - 1]:.3f} ms, max {ms[-1]:.1f} ms"


if __name__ == "__main__":
    main()

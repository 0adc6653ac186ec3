"""Health (медицинская организация): a notice from a hospital, maternity ward or polyclinic.

Source keys: `notice_number`, `mo_code` (medical organisation), `mo_name`, `notice_kind`
(optional, see data/health_notice_kinds.json), `icd10` (list or `;`-separated; see
data/icd10_signal_types.csv), `refusal_of_newborn` (да/нет), `detected_at`, `issued_at`, `oktmo`,
`address`, `persons[]`, `physician`, `physician_phone`, `comment`, `version`, `source_system`.
A known `notice_kind` decides the signal type; otherwise the ICD-10 codes do, and a notice whose
codes map to nothing is rejected (field `icd10`). `source_record_id` = `<mo_code>/<notice_number>`.
"""

from __future__ import annotations

from datetime import date

from producers.adapters import icd10, people
from producers.adapters.base import Adapter, Fields, Record, build, event_id_for, load_json, now_utc
from signalhub.domain.vocabulary import Agency
from signalhub.region import Region
from signalhub.signals import RiskSignalModel

AGENCY = Agency.HEALTH


def convert(record: Record, region: Region) -> RiskSignalModel:
    f = Fields(record, zone=region.zone)
    number = f.text("notice_number", required=True)
    mo_code = f.text("mo_code", required=True)
    detected = f.moment("detected_at", required=True)
    children, adults = people.persons(f)
    refusal = f.flag("refusal_of_newborn")
    codes = []
    for index, raw in enumerate(f.list("icd10")):
        code = icd10.normalise(str(raw))
        if code is None:
            f.fail(f"icd10[{index}]", "is not an ICD-10 code (letter, two digits, optional .digits)")
        else:
            codes.append(code)
    signal_type, severity = _classify(f, codes, children, detected.date() if detected else None, refusal)
    record_id = f"{mo_code}/{number}"
    physician = f.text("physician")
    return build(
        f,
        {
            "event_id": event_id_for(AGENCY, record_id, f.integer("version", default=1)),
            "agency": AGENCY.value,
            "source_system": f.text("source_system") or "РМИС",
            "source_record_id": record_id,
            "signal_type": signal_type,
            "severity": severity,
            "occurred_at": detected,
            "reported_at": f.moment("issued_at") or now_utc(),
            "region_code": region.code,
            "municipality_code": f.text("oktmo", required=True),
            "children": children,
            "adults": adults,
            "address": people.address(f.text("address"), f.text("fias_guid")),
            "description": f.text("comment"),
            "reporter": {"name": physician, "position": f.text("mo_name"), "phone": f.text("physician_phone")}
            if physician
            else None,
            "legal_basis": ("МКБ-10: " + ", ".join(codes)) if codes else None,
        },
    )


def _classify(
    f: Fields, codes: list[str], children: list[dict[str, object]], on: date | None, refusal: bool
) -> tuple[str, str]:
    kind = f.text("notice_kind")
    if kind is not None:
        kinds: dict[str, dict[str, str]] = load_json("health_notice_kinds.json")
        entry = kinds.get(kind.lower().replace("ё", "е"))
        if entry is not None:
            return entry["signal_type"], entry["severity"]
    if refusal and not codes:
        return "newborn_abandonment_risk", "critical"
    rule = icd10.classify(codes, infant=_has_infant(children, on), refusal=refusal)
    if rule is None:
        if not f.errors:
            f.fail("icd10", "no code or notice_kind maps to a signal type (see producers/adapters/data)")
        return "other", "low"
    return rule.signal_type, rule.severity


def _has_infant(children: list[dict[str, object]], on: date | None) -> bool:
    """True when a child was under one year on `on` (a child without birth date does not count)."""
    if on is None:
        return False
    for child in children:
        born = child.get("birth_date")
        if isinstance(born, date) and (on - born).days < 366:
            return True
    return False


ADAPTER = Adapter(AGENCY, "health-notice", "Medical organisation's notice with ICD-10 codes", convert)

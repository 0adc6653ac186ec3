"""Police (МВД, ПДН): an incident record from the register of reports (КУСП).

Source keys: `kusp_number`, `kusp_date`, `department_code`, `department`, `incident_type` (see
data/police_incident_types.json), `incident_at`, `registered_at`, `oktmo`, `address`, `fias_guid`,
`persons[]`, `summary`, `officer`, `officer_phone`, `version` (re-export counter, default 1),
`source_system` (default "ИСОД МВД").
`source_record_id` = `<department_code>/КУСП-<number>/<year>`: КУСП numbers restart each year in
each department.
"""

from __future__ import annotations

from producers.adapters import people
from producers.adapters.base import Adapter, Fields, Record, build, event_id_for, mapping_entry, now_utc
from signalhub.domain.vocabulary import Agency
from signalhub.region import Region
from signalhub.signals import RiskSignalModel

AGENCY = Agency.POLICE


def convert(record: Record, region: Region) -> RiskSignalModel:
    f = Fields(record, zone=region.zone)
    number = f.text("kusp_number", required=True)
    registered_on = f.date("kusp_date", required=True)
    department = f.text("department_code", required=True)
    entry = mapping_entry(f, "incident_type", "police_incident_types.json")
    occurred = f.moment("incident_at", required=True)
    reported = f.moment("registered_at") or now_utc()
    children, adults = people.persons(f)
    version = f.integer("version", default=1)
    record_id = f"{department}/КУСП-{number}/{registered_on.year if registered_on else ''}"
    officer = f.text("officer")
    return build(
        f,
        {
            "event_id": event_id_for(AGENCY, record_id, version),
            "agency": AGENCY.value,
            "source_system": f.text("source_system") or "ИСОД МВД",
            "source_record_id": record_id,
            "signal_type": entry["signal_type"] if entry else "other",
            "severity": entry["severity"] if entry else "medium",
            "occurred_at": occurred,
            "reported_at": reported,
            "region_code": region.code,
            "municipality_code": f.text("oktmo", required=True),
            "children": children,
            "adults": adults,
            "address": people.address(f.text("address"), f.text("fias_guid")),
            "description": f.text("summary"),
            "reporter": {"name": officer, "position": f.text("department"), "phone": f.text("officer_phone")}
            if officer
            else None,
            "legal_basis": f"КУСП № {number} от {registered_on:%d.%m.%Y}"
            if number and registered_on
            else None,
        },
    )


ADAPTER = Adapter(AGENCY, "police-incident", "Police incident record (КУСП)", convert)

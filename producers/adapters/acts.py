"""The shape most agency documents share: a numbered act of an organisation, of a kind, about a family.

Guardianship acts, social protection decisions and teachers' reports differ only in key names and
mapping tables, so each of those adapters is an `ActFormat` plus a docstring. Common source keys:
`<number>`, `<org>` code, `<kind>` (looked up in the format's table), `<occurred>` and optional
`<reported>` times, `oktmo`, `address`, `fias_guid`, `persons[]`, `<text>` (a string or a list of
strings), `<author>` and `<author>_position`/`<author>_phone`, `version`, `source_system`.
`source_record_id` = `<org>/<number>`.
"""

from __future__ import annotations

from dataclasses import dataclass

from producers.adapters import people
from producers.adapters.base import Fields, Record, build, event_id_for, mapping_entry, now_utc
from signalhub.domain.vocabulary import Agency
from signalhub.region import Region
from signalhub.signals import RiskSignalModel


@dataclass(frozen=True)
class ActFormat:
    agency: Agency
    number: str
    org: str
    kind: str
    table: str
    occurred: str
    reported: str
    text: str
    author: str
    source_system: str
    legal_basis: bool  # the act itself is the legal basis (court decisions, authority acts)


def convert_act(spec: ActFormat, record: Record, region: Region) -> RiskSignalModel:
    f = Fields(record, zone=region.zone)
    number = f.text(spec.number, required=True)
    org = f.text(spec.org, required=True)
    kind = f.text(spec.kind)
    entry = mapping_entry(f, spec.kind, spec.table)
    occurred = f.moment(spec.occurred, required=True)
    children, adults = people.persons(f)
    record_id = f"{org}/{number}"
    text_parts = [str(x) for x in f.list(spec.text)]
    author = f.text(spec.author)
    basis = None
    if spec.legal_basis and kind and number and occurred:
        court = f.text("court")
        basis = f"{kind} № {number} от {occurred:%d.%m.%Y}" + (f", {court}" if court else "")
    return build(
        f,
        {
            "event_id": event_id_for(spec.agency, record_id, f.integer("version", default=1)),
            "agency": spec.agency.value,
            "source_system": f.text("source_system") or spec.source_system,
            "source_record_id": record_id,
            "signal_type": entry["signal_type"] if entry else "other",
            "severity": entry["severity"] if entry else "medium",
            "occurred_at": occurred,
            "reported_at": f.moment(spec.reported) or now_utc(),
            "region_code": region.code,
            "municipality_code": f.text("oktmo", required=True),
            "children": children,
            "adults": adults,
            "address": people.address(f.text("address"), f.text("fias_guid")),
            "description": "; ".join(text_parts) or None,
            "reporter": {
                "name": author,
                "position": f.text(f"{spec.author}_position"),
                "phone": f.text(f"{spec.author}_phone"),
            }
            if author
            else None,
            "legal_basis": basis,
        },
    )

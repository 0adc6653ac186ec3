"""Guardianship (орган опеки и попечительства): court decisions, acts of the authority, applications.

Source keys (see `acts`): `act_number`, `authority_code`, `act_kind` (data/guardianship_acts.json:
parental rights restricted or terminated, a parent's application for temporary placement, a child
left without care, placement in an institution), `act_date`, `registered_at`, `court`, `summary`,
`official`, `official_position`, `official_phone`, plus the common keys. The act is the signal's
legal basis.
"""

from __future__ import annotations

from producers.adapters.acts import ActFormat, convert_act
from producers.adapters.base import Adapter, Record
from signalhub.domain.vocabulary import Agency
from signalhub.region import Region
from signalhub.signals import RiskSignalModel

FORMAT = ActFormat(
    agency=Agency.GUARDIANSHIP,
    number="act_number",
    org="authority_code",
    kind="act_kind",
    table="guardianship_acts.json",
    occurred="act_date",
    reported="registered_at",
    text="summary",
    author="official",
    source_system="АИС «Опека»",
    legal_basis=True,
)


def convert(record: Record, region: Region) -> RiskSignalModel:
    return convert_act(FORMAT, record, region)


ADAPTER = Adapter(FORMAT.agency, "guardianship-act", "Court decision or guardianship authority act", convert)

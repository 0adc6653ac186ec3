"""Social protection (соцзащита): a decision on social services about a family.

Source keys (see `acts`): `decision_number`, `authority_code`, `decision_kind`
(data/social_decisions.json: family recognised in a difficult life situation (ТЖС), loss of
housing or income), `decision_date`, `registered_at`, `circumstances` (list or `;`-separated),
`specialist`, `specialist_position`, `specialist_phone`, plus the common keys.
"""

from __future__ import annotations

from producers.adapters.acts import ActFormat, convert_act
from producers.adapters.base import Adapter, Record
from signalhub.domain.vocabulary import Agency
from signalhub.region import Region
from signalhub.signals import RiskSignalModel

FORMAT = ActFormat(
    agency=Agency.SOCIAL,
    number="decision_number",
    org="authority_code",
    kind="decision_kind",
    table="social_decisions.json",
    occurred="decision_date",
    reported="registered_at",
    text="circumstances",
    author="specialist",
    source_system="АИС «Социальная защита»",
    legal_basis=True,
)


def convert(record: Record, region: Region) -> RiskSignalModel:
    return convert_act(FORMAT, record, region)


ADAPTER = Adapter(FORMAT.agency, "social-decision", "Social protection decision on a family", convert)

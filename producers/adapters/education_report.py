"""Education (школа, детский сад): a teacher's or social pedagogue's report about a pupil.

Source keys (see `acts`): `report_number`, `school_code`, `report_kind`
(data/education_report_kinds.json: signs of neglect, child of school age not enrolled),
`observed_at`, `submitted_at`, `signs` (list or `;`-separated: hunger, clothing, hygiene...),
`teacher`, `teacher_position`, `teacher_phone`, plus the common keys.
"""

from __future__ import annotations

from producers.adapters.acts import ActFormat, convert_act
from producers.adapters.base import Adapter, Record
from signalhub.domain.vocabulary import Agency
from signalhub.region import Region
from signalhub.signals import RiskSignalModel

FORMAT = ActFormat(
    agency=Agency.EDUCATION,
    number="report_number",
    org="school_code",
    kind="report_kind",
    table="education_report_kinds.json",
    occurred="observed_at",
    reported="submitted_at",
    text="signs",
    author="teacher",
    source_system="ГИС «Электронная школа»",
    legal_basis=False,
)


def convert(record: Record, region: Region) -> RiskSignalModel:
    return convert_act(FORMAT, record, region)


ADAPTER = Adapter(FORMAT.agency, "education-report", "Teacher's report on signs of neglect", convert)

"""Education: a pupil's attendance for a period, from the school's electronic register.

Source keys: `school_code`, `school_name`, `class`, `pupil_id` (the school system's own id),
`unexcused_absences` (dates absent without a valid reason: a list or `;`-separated),
`exported_at`, `oktmo`, `address`, `persons[]` (the pupil with role `обучающийся`/`ученик`, and the
parents), `class_teacher`, `class_teacher_phone`, `version` is not used (see below).

Rule (data/education_attendance.json): N consecutive school days absent without reason is a
`prolonged_absence` (2N: high severity). School days are Monday to Friday (or Saturday too when
`school_days_per_week` is 6); holidays are not known here, so a holiday breaks a run. Only the
latest qualifying run is reported; a record without one yields no signal (`None`).
`source_record_id` = `<school_code>/<pupil_id>/<first day of the run>`, and the event version is
the run's length: re-exporting the same register gives the same event id, a run that grew gives an
amendment of the same record.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from producers.adapters import people
from producers.adapters.base import Adapter, Fields, Record, build, event_id_for, load_json, now_utc
from producers.adapters.base import parse_date as as_date
from signalhub.domain.vocabulary import Agency
from signalhub.region import Region
from signalhub.signals import RiskSignalModel

AGENCY = Agency.EDUCATION


def convert(record: Record, region: Region) -> RiskSignalModel | None:
    rules: dict[str, int] = load_json("education_attendance.json")
    threshold = rules["prolonged_absence_school_days"]
    f = Fields(record, zone=region.zone)
    school = f.text("school_code", required=True)
    pupil = f.text("pupil_id", required=True)
    days: list[date] = []
    for index, raw in enumerate(f.list("unexcused_absences")):
        day = as_date(raw)
        if day is None:
            f.fail(f"unexcused_absences[{index}]", "must be a date DD.MM.YYYY or YYYY-MM-DD")
        else:
            days.append(day)
    children, adults = people.persons(f)
    f.check()
    run = latest_run(days, rules["school_days_per_week"], threshold)
    if not run:
        return None
    record_id = f"{school}/{pupil}/{run[0].isoformat()}"
    teacher = f.text("class_teacher")
    school_name = f.text("school_name")
    description = (
        f"Пропущено без уважительной причины {len(run)} учебных дней подряд: "
        f"{run[0]:%d.%m.%Y}-{run[-1]:%d.%m.%Y}"
    )
    return build(
        f,
        {
            "event_id": event_id_for(AGENCY, record_id, len(run)),
            "agency": AGENCY.value,
            "source_system": f.text("source_system") or "ГИС «Электронная школа»",
            "source_record_id": record_id,
            "signal_type": "prolonged_absence",
            "severity": "high" if len(run) >= 2 * threshold else "medium",
            "occurred_at": datetime.combine(run[0], time(8, 0), region.zone),
            "reported_at": f.moment("exported_at") or now_utc(),
            "region_code": region.code,
            "municipality_code": f.text("oktmo", required=True),
            "children": children,
            "adults": adults,
            "address": people.address(f.text("address"), f.text("fias_guid")),
            "description": description + (f"; класс {f.text('class')}" if f.text("class") else ""),
            "reporter": {"name": teacher, "position": school_name, "phone": f.text("class_teacher_phone")}
            if teacher
            else None,
            "legal_basis": None,
        },
    )


def latest_run(days: list[date], days_per_week: int = 5, min_length: int = 1) -> list[date]:
    """The latest run of at least `min_length` consecutive school days among `days`, or [].

    Weekend days and duplicates in `days` are ignored.
    """
    runs: list[list[date]] = []
    for day in sorted({d for d in days if d.weekday() < days_per_week}):
        if runs and next_school_day(runs[-1][-1], days_per_week) == day:
            runs[-1].append(day)
        else:
            runs.append([day])
    qualifying = [run for run in runs if len(run) >= min_length]
    return qualifying[-1] if qualifying else []


def next_school_day(day: date, days_per_week: int = 5) -> date:
    following = day + timedelta(days=1)
    while following.weekday() >= days_per_week:
        following += timedelta(days=1)
    return following


ADAPTER = Adapter(AGENCY, "education-attendance", "Pupil's attendance: unexcused absences", convert)

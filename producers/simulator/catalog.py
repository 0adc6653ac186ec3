"""What the simulator's agencies write: source systems, record numbering, types, texts, OKTMO codes."""

from __future__ import annotations

import random
from dataclasses import dataclass

from signalhub.domain.vocabulary import Agency


@dataclass(frozen=True)
class AgencyProfile:
    agency: Agency
    source_system: str
    weight: int
    # (signal type, severity, description) – texts as an agency worker would write them
    kinds: tuple[tuple[str, str, str], ...]
    reporter: str


PROFILES: tuple[AgencyProfile, ...] = (
    AgencyProfile(Agency.POLICE, "ИСОД МВД", 30, (
        ("domestic_violence", "high", "Семейно-бытовой конфликт, в квартире находились малолетние дети."),
        ("parent_intoxicated", "high", "Мать в состоянии алкогольного опьянения с ребёнком на руках."),
        ("child_unsupervised", "high", "Малолетний ребёнок обнаружен на улице без присмотра взрослых."),
        ("parent_detained", "medium", "Задержан отец; дети остались с бабушкой."),
        ("missing_child", "critical", "Самовольный уход несовершеннолетнего из дома."),
    ), "Дежурная часть ОП"),
    AgencyProfile(Agency.HEALTH, "РМИС", 20, (
        ("suspicious_injury", "critical", "Травма у ребёнка, не соответствующая объяснениям матери."),
        ("newborn_abandonment_risk", "critical", "Мать высказывает намерение отказаться от новорождённого."),
        ("missed_checkups", "medium", "Ребёнок не приводится на профилактические осмотры, связи с семьёй нет."),
        ("malnutrition", "high", "Признаки недостаточности питания у ребёнка."),
        ("parent_substance_treatment", "high", "Мать проходит лечение от алкогольной зависимости."),
    ), "Участковый педиатр"),
    AgencyProfile(Agency.EDUCATION, "ГИС «Электронная школа»", 25, (
        ("prolonged_absence", "medium", "Пропуск занятий без уважительной причины более 5 дней подряд."),
        ("signs_of_neglect", "medium", "Ребёнок приходит голодным, одежда не по сезону."),
        ("not_enrolled", "medium", "Ребёнок школьного возраста не зачислен в образовательную организацию."),
    ), "Социальный педагог"),
    AgencyProfile(Agency.GUARDIANSHIP, "АИС «Опека»", 10, (
        ("parental_rights_restricted", "high", "Решение суда об ограничении родительских прав."),
        ("parental_rights_terminated", "critical", "Решение суда о лишении родительских прав."),
        ("temporary_placement_request", "high", "Заявление матери о временном помещении ребёнка в организацию."),
        ("child_without_care", "critical", "Акт о выявлении ребёнка, оставшегося без попечения родителей."),
        ("institutional_placement", "critical", "Направление ребёнка в организацию для детей-сирот."),
    ), "Специалист органа опеки"),
    AgencyProfile(Agency.SOCIAL, "АИС «Социальная защита»", 15, (
        ("difficult_life_situation", "medium", "Семья признана находящейся в трудной жизненной ситуации."),
        ("housing_loss", "high", "Семья выселена из жилого помещения за долги."),
    ), "Специалист УСЗН"),
)  # fmt: skip

BY_AGENCY = {p.agency: p for p in PROFILES}

# OKTMO of the localities people.py settles families in (Novosibirsk region; every code is in
# signalhub/data/municipalities.csv, whose README says where the codes come from). The two villages
# are placed in Искитимский район, whose own code they carry.
OKTMO = {
    "Новосибирск": "50701000001",
    "Бердск": "50708000001",
    "Искитим": "50712000001",
    "Обь": "50717000001",
    "Коченёво": "50623151",
    "Краснообск": "50640154",
    "Ордынское": "50642151",
    "Куйбышев": "50630101",
    "Лебедевка": "50615000",
    "Ивановка": "50615000",
}


def record_id(agency: Agency, number: int, year: int) -> str:
    """The agency's own record id, numbered as the adapters of that agency number them."""
    return {
        Agency.POLICE: f"5401/КУСП-{number}/{year}",
        Agency.HEALTH: f"540017/И-{number}/{year}",
        Agency.EDUCATION: f"54-0{number % 900 + 100}/СП-{number}",
        Agency.GUARDIANSHIP: f"ОП-5401/{number}/{year}",
        Agency.SOCIAL: f"УСЗН-5401/ТЖС-{number}",
    }[agency]


def pick_agency(rng: random.Random, exclude: Agency | None = None) -> AgencyProfile:
    profiles = [p for p in PROFILES if p.agency is not exclude]
    return rng.choices(profiles, weights=[p.weight for p in profiles])[0]

"""Realistic agency export records (invented people; SNILS with valid checksums)."""

from __future__ import annotations

from typing import Any

MOTHER = {
    "role": "мать",
    "surname": "Кузнецова",
    "name": "Ольга",
    "patronymic": "Викторовна",
    "birth_date": "12.04.1996",
    "sex": "ж",
    "snils": "112-233-445 95",
}
CHILD = {
    "role": "ребёнок",
    "surname": "Кузнецов",
    "name": "Артём",
    "patronymic": "Денисович",
    "birth_date": "03.02.2024",
    "sex": "м",
    "birth_cert": "II-ЛО 654321",
}
ADDRESS = "Белгородская обл., г. Старый Оскол, мкр. Жукова, д. 31, кв. 47"


def police() -> dict[str, Any]:
    return {
        "kusp_number": "4812",
        "kusp_date": "14.03.2026",
        "department_code": "3104",
        "department": "ОП № 2 УМВД России по г. Старому Осколу",
        "incident_type": "Семейно-бытовой конфликт",
        "incident_at": "14.03.2026 01:20",
        "registered_at": "2026-03-14T01:35:00+03:00",
        "oktmo": "14740000001",
        "address": ADDRESS,
        "persons": [dict(MOTHER), dict(CHILD), {"role": "сожитель", "surname": "Рябов", "name": "Игорь"}],
        "summary": "Сообщение соседей о скандале; сожитель в состоянии опьянения, в квартире ребёнок 2 лет.",
        "officer": "ст. лейтенант полиции Петров А. А.",
        "officer_phone": "+7 4725 00-00-00",
    }


def health() -> dict[str, Any]:
    infant = dict(CHILD, birth_date="10.11.2025", role="пациент", oms_policy="3155 0000 1234 5678")
    infant["oms_policy"] = "3155000012345678"
    return {
        "notice_number": "И-112/2026",
        "mo_code": "310045",
        "mo_name": "ОГБУЗ «Детская областная клиническая больница»",
        "icd10": "S06.0; Т74.1",
        "detected_at": "2026-03-13T22:10:00+03:00",
        "issued_at": "2026-03-14T08:00:00+03:00",
        "oktmo": "14701000",
        "address": "г. Белгород, ул. Щорса, д. 8, кв. 3",
        "persons": [infant, dict(MOTHER)],
        "physician": "Соколова Е. Н.",
        "comment": "Закрытая черепно-мозговая травма у ребёнка 4 мес., объяснения матери не соответствуют травме.",
    }


def attendance() -> dict[str, Any]:
    pupil = dict(CHILD, role="обучающийся", name="Семён", birth_date="2016-09-01", birth_cert=None)
    return {
        "school_code": "31-0412",
        "school_name": "МБОУ «СОШ № 12» г. Старый Оскол",
        "class": "3Б",
        "pupil_id": "P-558120",
        # Mon 2 March .. Fri 6 March and Mon 9 March: 6 school days in a row across a weekend.
        "unexcused_absences": "02.03.2026;03.03.2026;04.03.2026;05.03.2026;06.03.2026;09.03.2026",
        "exported_at": "2026-03-10T17:00:00+03:00",
        "oktmo": "14740000001",
        "address": ADDRESS,
        "persons": [pupil, dict(MOTHER)],
        "class_teacher": "Лебедева Марина Ивановна",
    }


def teacher_report() -> dict[str, Any]:
    return {
        "report_number": "СП-17",
        "school_code": "31-0412",
        "report_kind": "Признаки безнадзорности",
        "observed_at": "11.03.2026",
        "submitted_at": "2026-03-11T15:00:00+03:00",
        "signs": ["приходит голодным", "одежда не по сезону", "педикулёз"],
        "oktmo": "14740000001",
        "persons": [dict(CHILD, role="ученик", birth_date="2017-05-20", birth_cert=None), dict(MOTHER)],
        "teacher": "Орлова Н. П.",
        "teacher_position": "социальный педагог",
    }


def guardianship() -> dict[str, Any]:
    return {
        "act_number": "2-1187/2026",
        "authority_code": "ОП-3107",
        "act_kind": "Решение суда об ограничении родительских прав",
        "act_date": "05.03.2026",
        "registered_at": "2026-03-06T10:00:00+03:00",
        "court": "Старооскольский городской суд",
        "oktmo": "14740000001",
        "persons": [dict(CHILD), dict(MOTHER)],
        "official": "Гончарова Т. В.",
        "summary": "Ребёнок передан на попечение органа опеки до отмены ограничения.",
    }


def social() -> dict[str, Any]:
    return {
        "decision_number": "ТЖС-0931",
        "authority_code": "УСЗН-3104",
        "decision_kind": "Признание семьи находящейся в трудной жизненной ситуации",
        "decision_date": "2026-02-27",
        "oktmo": "14740000001",
        "circumstances": "малоимущность; утрата работы матерью; задолженность за ЖКУ",
        "persons": [dict(CHILD), dict(MOTHER)],
        "specialist": "Никитина Л. С.",
    }

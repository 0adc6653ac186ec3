"""Russian names of the vocabulary, for the web UI (codes stay codes in the JSON API)."""

from __future__ import annotations

from datetime import date, datetime
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from signalhub.labels import AGENCY, CASE_EVENT, PRIORITY
from signalhub.region import Region, municipality_name, municipality_names

__all__ = ["AGENCY", "PRIORITY", "jinja_globals", "local", "rule_parts", "rule_text"]

STATUS = {
    "new": "Новый",
    "acknowledged": "Принят в работу",
    "assessment": "Оценка",
    "conference_scheduled": "Назначен консилиум",
    "support_plan": "План сопровождения",
    "monitoring": "Мониторинг",
    "closed": "Закрыт",
}
OUTCOME = {
    "family_preserved": "Ребёнок сохранён в семье",
    "returned_to_family": "Возвращён в кровную семью",
    "guardianship": "Опека",
    "foster_family": "Замещающая семья",
    "institution": "Организация для детей-сирот",
    "moved_away": "Семья выбыла",
}
SIGNAL_TYPE = {
    "domestic_violence": "Семейное насилие при ребёнке",
    "parent_intoxicated": "Родитель в состоянии опьянения",
    "child_unsupervised": "Ребёнок без присмотра",
    "parent_detained": "Родитель задержан",
    "missing_child": "Пропажа ребёнка",
    "suspicious_injury": "Подозрительная травма",
    "newborn_abandonment_risk": "Риск отказа от новорождённого",
    "missed_checkups": "Пропуск осмотров и прививок",
    "malnutrition": "Недоедание",
    "parent_substance_treatment": "Лечение родителя от зависимости",
    "prolonged_absence": "Длительное отсутствие в школе",
    "signs_of_neglect": "Признаки ненадлежащего ухода",
    "not_enrolled": "Не зачислен в школу",
    "parental_rights_restricted": "Ограничение родительских прав",
    "parental_rights_terminated": "Лишение родительских прав",
    "temporary_placement_request": "Заявление о временном помещении",
    "child_without_care": "Ребёнок без попечения",
    "institutional_placement": "Помещение в организацию",
    "difficult_life_situation": "Трудная жизненная ситуация",
    "housing_loss": "Утрата жилья",
    "other": "Другое",
}
SEVERITY = {"low": "низкая", "medium": "средняя", "high": "высокая", "critical": "критическая"}
ROLE = {
    "child": "ребёнок",
    "mother": "мать",
    "father": "отец",
    "guardian": "опекун",
    "relative": "родственник",
    "other_adult": "другой взрослый",
}
BAND = {"match": "совпадение", "possible": "возможное совпадение", "non_match": "новое лицо"}
REVIEW = {"none": "", "pending": "ждёт проверки", "confirmed": "подтверждено", "split": "разделено"}
PLAN_STATUS = {
    "planned": "запланировано",
    "in_progress": "выполняется",
    "done": "выполнено",
    "cancelled": "отменено",
}
USER_ROLE = {
    "coordinator": "координатор",
    "curator": "куратор",
    "liaison": "представитель ведомства",
    "operator": "оператор",
}
FIELD = {
    "surname": "фамилия",
    "first_name": "имя",
    "patronymic": "отчество",
    "birth_date": "дата рождения",
    "sex": "пол",
    "address": "адрес",
    "snils": "СНИЛС",
    "birth_cert": "свидетельство о рождении",
}
LEVEL = {
    "exact": "точно",
    "fuzzy": "похоже",
    "diminutive": "уменьшительное имя",
    "translit": "транслитерация",
    "swap": "перестановка дня и месяца",
    "missing": "нет данных",
    "disagree": "не совпадает",
    "typo": "опечатка",
    "near": "близко",
    "house": "тот же дом",
    "street": "та же улица",
    "near_house": "почти тот же адрес, тот же дом",
    "cross": "фамилия записана как имя",
}
LINK_RULE = {
    "snils_equal": "совпадает СНИЛС",
    "snils_differ": "СНИЛС различается",
    "birth_cert_equal": "совпадает свидетельство о рождении",
}
EVENT = CASE_EVENT


def rule_text(code: str) -> str:
    """A sentence explaining one priority rule code (`type:x`, `severity:x`, `child_under_4`, ...)."""
    name, _, arg = code.partition(":")
    if name == "type":
        return "Тип сигнала: " + SIGNAL_TYPE.get(arg, arg)
    if name == "severity":
        return "Тяжесть: " + SEVERITY.get(arg, arg)
    if name == "child_under_1":
        return "Ребёнок младше 1 года"
    if name == "child_under_4":
        return "Ребёнок младше 4 лет (проект «0-4»)"
    if name == "agencies_30d":
        return f"Сигналы от {arg} ведомств за 30 дней"
    if name == "repeat_within_6_months":
        return "Повторно в течение 6 месяцев после закрытия"
    return code


def rule_parts(rule: Any) -> tuple[str, int | None]:
    """(code, points) of a stored rule, stored either as {"code", "points"} or as a code string."""
    if isinstance(rule, dict):
        points = rule.get("points")
        return str(rule.get("code", "")), int(points) if points is not None else None
    return str(rule), None


def local(value: datetime | date | None, with_time: bool = True, *, zone: ZoneInfo) -> str:
    """`dd.mm.yyyy HH:MM` in `zone` (the region's) (dates as `dd.mm.yyyy`); empty for None."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        moment = value.astimezone(zone)
        return moment.strftime("%d.%m.%Y %H:%M" if with_time else "%d.%m.%Y")
    return value.strftime("%d.%m.%Y")


def jinja_globals(region: Region) -> dict[str, Any]:
    """What every page may use; times are shown in the region's zone, which every page names."""
    return {
        "region": region,
        "municipality": municipality_name,
        "municipality_names": municipality_names(),
        "L_STATUS": STATUS,
        "L_PRIORITY": PRIORITY,
        "L_AGENCY": AGENCY,
        "L_OUTCOME": OUTCOME,
        "L_SIGNAL_TYPE": SIGNAL_TYPE,
        "L_SEVERITY": SEVERITY,
        "L_ROLE": ROLE,
        "L_BAND": BAND,
        "L_REVIEW": REVIEW,
        "L_PLAN_STATUS": PLAN_STATUS,
        "L_USER_ROLE": USER_ROLE,
        "L_FIELD": FIELD,
        "L_LEVEL": LEVEL,
        "L_EVENT": EVENT,
        "L_RULE": LINK_RULE,
        "rule_text": rule_text,
        "local": partial(local, zone=region.zone),
    }

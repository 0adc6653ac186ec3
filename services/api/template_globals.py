"""What the page templates may use: the Russian names of codes (`signalhub.russian_names`), Russian
numbers, counts and dates (`signalhub.russian_format`), times in the region's zone (which every page
names) and municipalities by name. Codes stay codes in the JSON API."""

from __future__ import annotations

import re
from datetime import date
from functools import partial
from typing import Any

from signalhub import russian_names as ru
from signalhub.region import Region, municipality_name, municipality_names
from signalhub.russian_format import count, day_words, in_figures, month_words, number, plural

__all__ = ["jinja_globals", "rule_parts", "rule_text", "signal_field"]
_PERSON_PATH = re.compile(r"(children|adults)\[(\d+)\](?:\.(\w+))?")


def rule_text(code: str) -> str:
    """A sentence explaining one priority rule code (`type:x`, `severity:x`, `child_under_4`, ...)."""
    name, _, arg = code.partition(":")
    if name == "type":
        return "Тип сигнала: " + ru.SIGNAL_TYPE.get(arg, arg)
    if name == "severity":
        return "Тяжесть: " + ru.SEVERITY.get(arg, arg)
    if name == "child_under_1":
        return "Ребёнок младше 1 года"
    if name == "child_under_4":
        return "Ребёнок младше 4 лет (проект «0-4»)"
    if name == "agencies_30d":
        return f"Сигналы от {count(int(arg), ru.NOUNS['agency'])} за 30 дней" if arg.isdigit() else code
    if name == "repeat_within_6_months":
        return "Повторно в течение 6 месяцев после закрытия"
    return code


def rule_parts(rule: Any) -> tuple[str, int | None]:
    """(code, points) of a stored rule, stored either as {"code", "points"} or as a code string."""
    if isinstance(rule, dict):
        points = rule.get("points")
        return str(rule.get("code", "")), int(points) if points is not None else None
    return str(rule), None


def signal_field(path: str) -> str:
    """A dead letter's field path in words: `children[0].snils` -> "СНИЛС (ребёнок 1)",
    `address.house` -> "адрес: дом"; a path of unknown parts -> "поле сигнала"."""
    person = _PERSON_PATH.fullmatch(path)
    if person:
        who = f"{ru.SIGNAL_PERSON[person[1]]} {int(person[2]) + 1}"
        if person[3] is None:
            return who
        return f"{ru.SIGNAL_FIELD.get(person[3], 'поле сигнала')} ({who})"
    parts = path.split(".")
    if all(p in ru.SIGNAL_FIELD for p in parts):
        return ": ".join(ru.SIGNAL_FIELD[p] for p in parts)
    return "поле сигнала"


def audit_action(action: str) -> str:
    """The audit log's action in words: `case.closed` -> "Случай: Случай закрыт"."""
    if action in ru.AUDIT_ACTION:
        return ru.AUDIT_ACTION[action]
    kind = action.removeprefix("case.")
    return f"Действие по случаю: {ru.EVENT[kind]}" if kind in ru.EVENT else action


def _month_label(key: str) -> str:
    """`декабрь 2026` for the key `2026-12`."""
    return month_words(int(key[:4]), int(key[5:7]))


def jinja_globals(region: Region) -> dict[str, Any]:
    """What every page may use; times are shown in the region's zone, which every page names."""
    return {
        "region": region,
        "municipality": municipality_name,
        "municipality_names": municipality_names(),
        "L_STATUS": ru.STATUS,
        "L_PRIORITY": ru.PRIORITY,
        "L_AGENCY": ru.AGENCY,
        "L_OUTCOME": ru.OUTCOME,
        "L_SIGNAL_TYPE": ru.SIGNAL_TYPE,
        "L_SEVERITY": ru.SEVERITY,
        "L_ROLE": ru.ROLE,
        "L_BAND": ru.BAND,
        "L_REVIEW": ru.REVIEW,
        "L_PLAN_STATUS": ru.PLAN_STATUS,
        "L_USER_ROLE": ru.USER_ROLE,
        "L_FIELD": ru.FIELD,
        "L_LEVEL": ru.LEVEL,
        "L_EVENT": ru.EVENT,
        "L_RULE": ru.LINK_RULE,
        "L_ACTOR": ru.ACTOR,
        "L_AUDIT_DETAIL": ru.AUDIT_DETAIL,
        "L_VIA": ru.VIA,
        "L_USER_FIELD": ru.USER_FIELD,
        "SYSTEM_CLI": ru.SYSTEM_CLI,
        "L_PIPELINE": ru.PIPELINE_COUNTER,
        "L_DLQ_STAGE": ru.DLQ_STAGE,
        "L_DLQ_REASON": ru.DLQ_REASON,
        "DLQ_REASON_OTHER": ru.DLQ_REASON_OTHER,
        "signal_field": signal_field,
        "audit_action": audit_action,
        "rule_text": rule_text,
        "local": partial(in_figures, zone=region.zone),
        "day": partial(day_words, zone=region.zone),
        "clock": lambda moment: moment.astimezone(region.zone).strftime("%H:%M"),
        "month_words": month_words,
        "as_date": date.fromisoformat,
        "month_label": _month_label,
        "month_labels": lambda keys: [_month_label(k) for k in keys],
        "number": number,
        "count": lambda n, noun: count(n, ru.NOUNS[noun]),
        "plural": lambda n, noun: plural(n, ru.NOUNS[noun]),
    }

"""Russian names of the hub's vocabulary shared by the rooms that speak to people: the notifier's
e-mail and the workplace's pages (codes stay codes in JSON and on topics)."""

from __future__ import annotations

__all__ = ["AGENCY", "ALERT_TYPE", "PRIORITY"]

PRIORITY = {"urgent": "Срочный", "high": "Высокий", "normal": "Обычный"}
AGENCY = {
    "police": "Полиция (ПДН)",
    "health": "Здравоохранение",
    "education": "Образование",
    "guardianship": "Опека",
    "social": "Соцзащита",
}
ALERT_TYPE = {
    "case_opened": "Открыт новый случай",
    "case_escalated": "Приоритет случая повышен",
    "signal_added": "Новый сигнал по случаю",
    "possible_match": "Требуется проверка совпадения лиц",
    "ack_overdue": "Просрочен срок принятия случая в работу",
    "review_due": "Наступает срок пересмотра случая",
    "case_reopened": "Случай открыт повторно",
}

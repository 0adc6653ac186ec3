"""Russian names of the hub's vocabulary shared by the rooms that speak to people: the notifier's
e-mail and the workplace's pages (codes stay codes in JSON and on topics)."""

from __future__ import annotations

__all__ = ["AGENCY", "ALERT_TYPE", "CASE_EVENT", "PRIORITY"]

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
# Keyed by `signalhub.domain.case_events.CaseEventKind` (a unit test keeps the two lists equal).
CASE_EVENT = {
    "case_opened": "Случай открыт",
    "signal_added": "Добавлен сигнал",
    "signal_amended": "Сигнал уточнён ведомством",
    "priority_changed": "Изменён приоритет",
    "possible_match": "Возможное совпадение лиц",
    "case_reopened": "Случай открыт повторно",
    "merged_into": "Объединён с другим случаем",
    "merged_from": "Присоединён случай",
    "merge_undone": "Объединение отменено",
    "acknowledged": "Принят в работу",
    "curator_assigned": "Назначен куратор",
    "status_changed": "Смена этапа",
    "conference_scheduled": "Назначен консилиум",
    "plan_item_added": "Пункт плана добавлен",
    "plan_item_updated": "Пункт плана изменён",
    "review_date_set": "Назначена дата пересмотра",
    "closed": "Случай закрыт",
    "match_confirmed": "Совпадение лиц подтверждено",
    "match_split": "Лица разделены",
}

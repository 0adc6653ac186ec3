"""The one list of Russian names of every code people read: on the workplace's pages, in the
notifier's e-mails, in the statistics' downloads. Codes stay codes in JSON, on topics and in the
database; a code missing here is shown as itself, which a test of the pages catches."""

from __future__ import annotations

from signalhub.russian_format import Forms

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
    "twins": "признак близнецов",
    "siblings": "признак братьев и сестёр",
    "family": "семья",
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
    "child_far": "у ребёнка даты рождения различаются больше чем на год",
    "suspected": "похоже на разных детей одной семьи",
    "agrees": "родственник, названный в сигнале, совпадает с родственником этого лица",
    "another_person": "номер другого лица (имя и дата рождения не его), вписан по ошибке",
}
LINK_RULE = {
    "snils_equal": "совпадает СНИЛС",
    "snils_differ": "СНИЛС различается",
    "birth_cert_equal": "совпадает свидетельство о рождении",
    "identity_conflict": "документ совпадает, но имя и дата рождения нет: возможно, вписан документ родственника",
    "identifier_agrees": "совпадает документ (СНИЛС или свидетельство о рождении)",
    "uncorroborated_date": "дата рождения отличается на день или цифру, а больше ничего не подтверждает: возможен тёзка",
    "near_identifier_conflict": "документ отличается на одну-две цифры, а имя и дата рождения не совпадают: возможно, документ другого человека",
    "different_identifier": "документы одного вида различаются, а фамилия, имя и дата рождения совпадают не все: возможно, это разные люди",
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
EVENT = CASE_EVENT

ACTOR = {
    "intake": "система (приём сигналов)",
    "scheduler": "система (планировщик)",
}
AUDIT_ACTION = {
    "login": "Вход в систему",
    "login.failed": "Неудачная попытка входа",
    "logout": "Выход из системы",
    "case.read": "Просмотр случая",
    "user.created": "Создана учётная запись",
    "user.updated": "Изменена учётная запись",
    "user.activated": "Учётная запись включена",
    "user.deactivated": "Учётная запись отключена",
    "sessions.revoked": "Завершены все сеансы пользователя",
}
AUDIT_DETAIL = {
    "via": "способ",
    "kind": "событие",
    "user_id": "пользователь",
    "role": "роль",
    "fields": "поля",
}
VIA = {"ui": "рабочее место", "api": "REST API", "cli": "командная строка"}
SYSTEM_CLI = "система (командная строка)"
PIPELINE_COUNTER = {
    "inbox_accepted": "Сигналов принято",
    "inbox_corroborated": "Подтверждений другого ведомства",
    "inbox_amended": "Уточнений сигналов",
    "inbox_duplicate": "Повторов (без последствий)",
    "inbox_rejected": "Сигналов отклонено",
    "outbox_pending": "Оповещений ждут отправки",
    "deliveries_pending": "Доставок в очереди",
    "deliveries_delivered": "Оповещений доставлено",
    "deliveries_parked": "Доставок остановлено после повторов",
}
DLQ_STAGE = {
    "deserialize": "расшифровка",
    "validate": "проверка",
    "authorise": "проверка отправителя",
    "store": "запись в базу",
    "unknown": "не указан",
}
# Keyed by the reason codes of `__connect.errors.reason` (consumers/intake/messages.py; a unit test
# keeps the two lists equal); a letter of another reason is shown as `DLQ_REASON_OTHER`.
DLQ_REASON = {
    "undecodable": "Не расшифровывается: сообщение повреждено или записано не в формате сигналов",
    "unknown_schema": "Неизвестная схема сообщения",
    "invalid_content": "Содержимое не прошло проверку",
    "invalid_headers": "Заголовки противоречат сигналу",
    "agency_mismatch": "Сигнал от имени другого ведомства",
    "refused_by_database": "База данных не приняла сигнал",
}
DLQ_REASON_OTHER = "Другая причина"
# The parts of a signal's field path (`children[0].snils`) and the CloudEvents headers, as a dead
# letter names the field to blame.
SIGNAL_FIELD = {
    "(signal)": "сигнал в целом",
    "event_id": "идентификатор события",
    "agency": "ведомство",
    "source_system": "система ведомства",
    "source_record_id": "номер записи ведомства",
    "signal_type": "тип сигнала",
    "severity": "тяжесть",
    "occurred_at": "дата события",
    "reported_at": "дата сообщения",
    "region_code": "код региона",
    "municipality_code": "код муниципалитета (ОКТМО)",
    "children": "дети",
    "adults": "взрослые",
    "address": "адрес",
    "description": "описание",
    "reporter": "сообщивший",
    "legal_basis": "правовое основание",
    "role": "роль",
    "oms_policy": "полис ОМС",
    "text": "текст",
    "locality": "населённый пункт",
    "street": "улица",
    "house": "дом",
    "flat": "квартира",
    "fias_guid": "код ФИАС",
    "name": "имя",
    "position": "должность",
    "phone": "телефон",
    "email": "электронная почта",
    "ce_specversion": "заголовок: версия спецификации событий",
    "ce_id": "заголовок: идентификатор события",
    "ce_source": "заголовок: система-источник",
    "ce_type": "заголовок: тип сигнала",
    "ce_time": "заголовок: время события",
    "content-type": "заголовок: тип содержимого",
    **FIELD,
}
SIGNAL_PERSON = {"children": "ребёнок", "adults": "взрослый"}
USER_FIELD = {
    "password": "пароль",
    "role": "роль",
    "municipality_code": "муниципалитет",
    "agency": "ведомство",
    "display_name": "имя",
    "active": "активность",
}
# Nouns counted on pages and in e-mails, in their forms after 1, 2 and 5.
NOUNS = {
    "case": Forms("случай", "случая", "случаев"),
    "case_dative": Forms("случаю", "случаям", "случаям"),
    "open_case": Forms("открытый случай", "открытых случая", "открытых случаев"),
    "point": Forms("балл", "балла", "баллов"),
    "hour": Forms("час", "часа", "часов"),
    "signal": Forms("сигнал", "сигнала", "сигналов"),
    "agency": Forms("ведомство", "ведомства", "ведомств"),
    "time": Forms("раз", "раза", "раз"),
    "session": Forms("сеанс", "сеанса", "сеансов"),
}

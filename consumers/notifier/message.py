"""What receivers get: the alert as JSON (webhook) and a Russian e-mail.

Contract: a CaseAlert carries no names, addresses or identifiers of persons, and neither do these
texts; the subject holds only the event, the priority and the case number.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any
from zoneinfo import ZoneInfo

from signalhub.labels import AGENCY, ALERT_TYPE, PRIORITY


def _priority(code: str) -> str:
    return PRIORITY.get(code, code).lower()  # inside a sentence


def to_json_ready(record: dict[str, Any]) -> dict[str, Any]:
    """A decoded CaseAlert as plain JSON values: UUIDs as text, times as ISO 8601 UTC with `Z`."""

    def plain(value: Any) -> Any:
        if isinstance(value, uuid.UUID):
            return str(value)
        if isinstance(value, datetime):
            return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value

    return {key: plain(value) for key, value in record.items()}


def case_url(base: str, case_id: str) -> str:
    return f"{base.rstrip('/')}/{case_id}"


def webhook_body(alert: dict[str, Any], url: str) -> bytes:
    """The exact bytes POSTed (and signed): the alert's fields plus `case_url`, UTF-8 JSON."""
    return json.dumps(alert | {"case_url": url}, ensure_ascii=False, sort_keys=True).encode("utf-8")


def parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _local(value: Any, zone: ZoneInfo) -> str:
    moment = parse_time(value)
    if moment is None:
        return "не установлен"
    return f"{moment.astimezone(zone):%d.%m.%Y %H:%M} ({zone.key})"


def subject(alert: dict[str, Any]) -> str:
    event = ALERT_TYPE.get(alert["alert_type"], alert["alert_type"])
    priority = _priority(alert["priority"])
    return f"[Дети в семье] {event}: случай № {alert['case_number']}, приоритет {priority}"


def email_text(alert: dict[str, Any], url: str, zone: ZoneInfo) -> str:
    agencies = ", ".join(AGENCY.get(a, a) for a in alert.get("agencies", [])) or "нет сведений"
    youngest = alert.get("youngest_child_age_months")
    lines = [
        "Региональная служба «Дети в семье»",
        "",
        f"{ALERT_TYPE.get(alert['alert_type'], alert['alert_type'])}.",
        f"Случай № {alert['case_number']}",
        f"Приоритет: {_priority(alert['priority'])} (баллов: {alert['priority_score']})",
        f"Срок принятия в работу: {_local(alert.get('ack_deadline'), zone)}",
        f"Статус случая: {alert['case_status']}",
        f"Ведомства: {agencies}",
        f"Детей в семье: {alert['children_count']}"
        + (f", младшему {youngest} мес." if youngest is not None else ""),
        f"Муниципальное образование (ОКТМО): {alert['municipality_code']}",
    ]
    if alert.get("detail"):
        lines.append(f"Сведения: {alert['detail']}")
    lines += [
        "",
        f"Карточка случая: {url}",
        "",
        "Персональные данные в письме не приводятся: они доступны в карточке случая после входа.",
        f"Идентификатор оповещения: {alert['alert_id']}",
    ]
    return "\n".join(lines) + "\n"


def email_message(
    alert: dict[str, Any], url: str, sender: str, to: list[str], zone: ZoneInfo
) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = subject(alert)
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    msg["Message-ID"] = f"<{alert['alert_id']}@signalhub>"
    msg["X-Signalhub-Alert-Id"] = str(alert["alert_id"])
    msg.set_content(email_text(alert, url, zone))
    return msg

"""The operations page tells each dead letter in Russian, whatever its reason: the reason, stage,
source agency and field in words; a reason or stage the page does not know is said to be another
one, its code kept in `<code>` for the operator (issue 17: no English or raw codes on any page)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient

from services.api.queries.deadletters import LetterView
from tests.fixtures.api import PASSWORD, Seed

AT = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)


def _letter(ref: str, **fields: Any) -> LetterView:
    base: dict[str, Any] = {
        "ref": ref, "at": AT, "source_topic": "test.signals.health", "source_agency": "health",
        "source_partition": 0, "source_offset": 7, "stage": "validate", "reason": "invalid_content",
        "field": None, "error_class": "SignalValidationError", "body": {"agency": "health"},
    }  # fmt: skip
    return LetterView(**(base | fields))


def _words_outside_code(html: str) -> set[str]:
    body = html.split("<body", 1)[1]
    body = re.sub(r"<(code|pre|script|style)\b.*?</\1>", " ", body, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", body)
    return set(re.findall(r"[A-Za-z](?:[\w.:/+-]*[\w+])?", text))


def test_dead_letters_are_told_in_russian(
    make_client: Callable[..., TestClient], seed: Seed, dead_letters: list[Any]
) -> None:
    seed.user("oper", "operator")
    dead_letters += [
        _letter("0:1", field="adults[0].birth_date"),
        _letter("0:2", reason="agency_mismatch", stage="authorise", field="agency"),
        _letter("0:3", source_topic="elsewhere", source_agency=None, stage="decode",
                reason="SerializationError", error_class="SerializationError"),
    ]  # fmt: skip
    client = make_client()
    r = client.post("/ui/login", data={"username": "oper", "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 303
    page = client.get("/ui/ops").text
    text = " ".join(re.sub(r"<[^>]+>", " ", page).split())

    assert "Здравоохранение (раздел 0, позиция 7)" in text
    assert "01.12.2026 10:00" in text  # 03:00 UTC in Novosibirsk
    assert "Содержимое не прошло проверку" in text
    assert "дата рождения (взрослый 1)" in text
    assert "Сигнал от имени другого ведомства" in text
    assert "проверка отправителя" in text
    assert "Другая причина: <code>SerializationError</code>" in page
    assert "другой этап: <code>decode</code>" in page
    assert "<code>elsewhere</code>" in page
    assert _words_outside_code(page) <= {"Asia/Novosibirsk", "UTC+7", "Oper"}  # and the display name

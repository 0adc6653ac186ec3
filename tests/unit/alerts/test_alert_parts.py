"""Pure parts of the alert path: payload timestamps, routing, signature, backoff, e-mail text."""

from __future__ import annotations

import hashlib
import hmac
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from consumers.notifier.channels import sign
from consumers.notifier.deliveries import Backoff
from consumers.notifier.message import email_message, to_json_ready, webhook_body
from consumers.notifier.routing import Routing, load_routing
from consumers.notifier.settings import EXAMPLE_ROUTING
from consumers.relay.convert import epoch_ms, to_record
from schemas.codec import Codec
from schemas.errors import SerializationError

AT = datetime(2026, 3, 2, 9, 0, 0, 123000, tzinfo=UTC)


def alert(**extra: object) -> dict[str, object]:
    return {
        "alert_id": "8d8c1c57-3f3e-4b1e-9f55-0d1f4f8b9a10", "alert_type": "case_opened",
        "case_id": "c1", "case_number": "31-2026-000001", "region_code": "31",
        "municipality_code": "14701000", "priority": "urgent", "priority_score": 80,
        "priority_rules": ["child_under_1"], "case_status": "new", "ack_deadline": epoch_ms(AT),
        "agencies": ["police"], "children_count": 1, "youngest_child_age_months": 3,
        "created_at": AT.isoformat(), "detail": None,
    } | extra  # fmt: skip


def test_iso_text_and_epoch_millis_encode_to_the_same_bytes() -> None:
    codec = Codec("CaseAlert")
    as_text = codec.encode(to_record("CaseAlert", alert()))
    as_millis = codec.encode(to_record("CaseAlert", alert(created_at=epoch_ms(AT))))
    assert as_text == as_millis
    assert codec.decode(as_text)["created_at"] == AT


def test_unreadable_timestamp_names_the_field_not_the_value() -> None:
    with pytest.raises(SerializationError) as e:
        to_record("CaseAlert", alert(created_at="Иванова"))
    assert "created_at" in str(e.value)
    assert "Иванова" not in str(e.value)


def test_routes_add_up_and_default_applies_when_none_match() -> None:
    routing = load_routing(EXAMPLE_ROUTING)
    assert routing.channels_for(alert()) == ["duty-webhook", "duty-mail"]
    assert routing.channels_for(alert(priority="normal", alert_type="ack_overdue")) == [
        "duty-webhook",
        "coordinator-mail",
    ]
    only_urgent = Routing.model_validate(
        {
            "channels": {"a": {"type": "webhook", "url": "http://x"}},
            "routes": [{"priorities": ["urgent"], "channels": ["a"]}],
            "default_channels": ["a"],
        }
    )
    assert only_urgent.channels_for(alert(priority="normal")) == ["a"]


def test_routing_refuses_unknown_channels(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text('{"channels": {}, "routes": [{"channels": ["nowhere"]}]}')
    with pytest.raises(ValueError, match="nowhere"):
        load_routing(path)


def test_signature_is_hmac_sha256_of_the_exact_body() -> None:
    body = webhook_body(to_json_ready(alert()), "https://hub/cases/c1")
    expected = hmac.new(b"k", body, hashlib.sha256).hexdigest()
    assert sign(body, b"k") == f"sha256={expected}"


def test_backoff_grows_exponentially_with_jitter_and_a_cap() -> None:
    backoff = Backoff(base_s=1.0, max_s=60.0, max_attempts=10)
    rng = random.Random(1)
    for attempt, ceiling in ((1, 1), (2, 2), (3, 4), (7, 60), (9, 60)):
        delay = backoff.delay(attempt, rng)
        assert timedelta(seconds=ceiling / 2) <= delay <= timedelta(seconds=ceiling)


def test_email_is_russian_and_names_nobody() -> None:
    codec = Codec("CaseAlert")
    decoded = to_json_ready(codec.decode(codec.encode(to_record("CaseAlert", alert()))))
    msg = email_message(decoded, "https://hub/cases/c1", "hub@x", ["duty@x"], ZoneInfo("Europe/Moscow"))
    assert msg["Subject"] == "[Дети в семье] Открыт новый случай: случай № 31-2026-000001, приоритет срочный"
    text = msg.get_content()
    assert "Срок принятия в работу: 02.03.2026 12:00 (Europe/Moscow)" in text
    assert "Карточка случая: https://hub/cases/c1" in text

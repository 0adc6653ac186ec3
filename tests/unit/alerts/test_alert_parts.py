"""Pure parts of the alert path: the one builder of each message, routing, signature, backoff,
e-mail text."""

from __future__ import annotations

import email
import email.policy
import hashlib
import hmac
import json
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from consumers.notifier.channels import sign
from consumers.notifier.deliveries import Backoff
from consumers.notifier.message import as_stored, email_bytes, webhook_body
from consumers.notifier.routing import Routing, load_routing
from consumers.notifier.settings import EXAMPLE_ROUTING, NotifierSettings
from schemas.codec import Codec
from signalhub.domain.outbound import case_alert, epoch_ms, signal_receipt
from signalhub.domain.vocabulary import AlertType, ReceiptStatus
from signalhub.region import Region

AT = datetime(2026, 3, 2, 9, 0, 0, 123000, tzinfo=UTC)


def alert(**extra: object) -> dict[str, object]:
    return {
        "alert_id": "8d8c1c57-3f3e-4b1e-9f55-0d1f4f8b9a10", "alert_type": "case_opened",
        "case_id": "c1", "case_number": "31-2026-000001", "region_code": "31",
        "municipality_code": "14701000", "priority": "urgent", "priority_score": 80,
        "priority_rules": ["child_under_1"], "case_status": "new", "ack_deadline": epoch_ms(AT),
        "agencies": ["police"], "children_count": 1, "youngest_child_age_months": 3,
        "created_at": epoch_ms(AT), "detail": None,
    } | extra  # fmt: skip


@dataclass(frozen=True)
class _Case:
    id: str = "c1"
    number: str | None = "31-2026-000001"
    region_code: str = "31"
    municipality_code: str = "14701000"
    status: str = "new"
    priority_level: str = "urgent"
    priority_score: int = 80
    priority_rules: list[Any] = field(default_factory=lambda: [{"code": "child_under_1", "points": 25}])
    agencies: list[Any] = field(default_factory=lambda: ["police"])
    ack_deadline: datetime | None = AT


def test_built_messages_are_stored_ready_to_send() -> None:
    entry = case_alert(_Case(), AlertType.CASE_OPENED, topic="alerts", cause="e1",
                       children=[date(2025, 12, 1)], now=AT, detail=None)  # fmt: skip
    assert (entry.contract, entry.key, entry.ce_type) == ("CaseAlert", "c1", "signalhub.alert.case_opened")
    assert entry.payload["ack_deadline"] == entry.payload["created_at"] == 1772442000123
    decoded = Codec("CaseAlert").decode(Codec("CaseAlert").encode(entry.payload))
    assert (decoded["created_at"], decoded["priority_rules"]) == (AT, ["child_under_1"])
    assert decoded["youngest_child_age_months"] == 3
    receipt = signal_receipt(topic="receipts.police", receipt_id="8d8c1c57-3f3e-4b1e-9f55-0d1f4f8b9a12", agency="police", event_id="8d8c1c57-3f3e-4b1e-9f55-0d1f4f8b9a11",
                             source_record_id="K-1", status=ReceiptStatus.ACCEPTED, now=AT)  # fmt: skip
    assert (receipt.key, receipt.ce_type) == ("K-1", "signalhub.receipt.accepted")
    assert Codec("SignalReceipt").decode(Codec("SignalReceipt").encode(receipt.payload))["processed_at"] == AT


def test_delivered_alert_keeps_the_stored_form_and_the_webhook_speaks_iso() -> None:
    codec = Codec("CaseAlert")
    stored = as_stored(codec.decode(codec.encode(alert())))
    assert stored == alert()
    body = json.loads(webhook_body(stored, "https://hub/cases/c1"))
    assert (body["created_at"], body["ack_deadline"]) == (
        "2026-03-02T09:00:00.123Z",
        "2026-03-02T09:00:00.123Z",
    )
    assert body["case_url"] == "https://hub/cases/c1"


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
    body = webhook_body(alert(), "https://hub/cases/c1")
    expected = hmac.new(b"k", body, hashlib.sha256).hexdigest()
    assert sign(body, b"k") == f"sha256={expected}"


def test_backoff_grows_exponentially_with_jitter_and_a_cap() -> None:
    backoff = Backoff(base_s=1.0, max_s=60.0, max_attempts=10)
    rng = random.Random(1)
    for attempt, ceiling in ((1, 1), (2, 2), (3, 4), (7, 60), (9, 60)):
        delay = backoff.delay(attempt, rng)
        assert timedelta(seconds=ceiling / 2) <= delay <= timedelta(seconds=ceiling)


def test_default_backoff_resends_within_thirty_seconds_and_parks_no_sooner_than_before() -> None:
    """After an outage every alert goes out within 30 s of the receiver's return (a 300 s cap
    stretched the fault harness's scenario 5), and a receiver away for eight minutes still parks
    nothing (the retry window of the old 300 s cap and 10 attempts: ceilings of 511 s)."""
    s = NotifierSettings()
    backoff = Backoff(s.backoff_base_s, s.backoff_max_s, s.max_attempts)
    rng = random.Random(3)
    delays = [backoff.delay(attempt, rng) for attempt in range(1, s.max_attempts)]
    assert max(delays) <= timedelta(seconds=30)
    ceilings = sum(min(s.backoff_max_s, s.backoff_base_s * 2 ** (n - 1)) for n in range(1, s.max_attempts))
    assert ceilings >= 511


def test_email_is_russian_and_names_nobody() -> None:
    codec = Codec("CaseAlert")
    decoded = as_stored(codec.decode(codec.encode(alert())))
    sent = email_bytes(decoded, "https://hub/cases/c1", "hub@x", ["duty@x"], Region.of("31").zone)
    sent.decode("ascii")  # 7-bit, in CRLF lines of at most 78 characters: any SMTP server takes it
    assert sent.endswith(b"\r\n")
    assert b"\n" not in sent.replace(b"\r\n", b"")
    assert max(map(len, sent.split(b"\r\n"))) <= 78
    msg = email.message_from_bytes(sent, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    assert msg["Message-ID"] == f"<{decoded['alert_id']}@signalhub>"
    assert msg["Date"].datetime.tzinfo is not None
    assert msg["Subject"] == "[Дети в семье] Открыт новый случай: случай № 31-2026-000001, приоритет срочный"
    text = msg.get_content()
    assert "Срок принятия в работу: 02.03.2026 12:00 (Europe/Moscow)" in text
    assert "Карточка случая: https://hub/cases/c1" in text

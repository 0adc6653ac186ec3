"""The transactional outbox and the delivery log of alerts.

The hot tables (`outbox`, `deliveries`) hold only work still to do (and parked deliveries): a
published message moves to `outbox_sent`, a delivered one to `deliveries_done`, each in the
transaction that records the outcome, so the relay's and the workers' claim queries stay as small
as the backlog while the hub runs for months. The done tables keep ids and times, not the
messages (no personal data to outlive retention); their unique keys keep a message raised again
(`message_id`) or an alert consumed again (`alert_id`, `channel`) from being sent a second time.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from signalhub.store.base import Base


class OutboxMessage(Base):
    """A message to publish once the transaction that wrote it has committed.

    `contract` names the Avro contract (CaseAlert, SignalReceipt); `message_id` is its stable id
    (alert_id, receipt_id), unique so that a rule firing twice writes one message.
    """

    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    message_id: Mapped[str] = mapped_column(String(64), unique=True)
    contract: Mapped[str] = mapped_column(String(32))
    topic: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(200))
    ce_type: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]


class OutboxSent(Base):
    """A published outbox message: its id (the same as in `outbox`), what it was and when it went."""

    __tablename__ = "outbox_sent"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    message_id: Mapped[str] = mapped_column(String(64), unique=True)
    contract: Mapped[str] = mapped_column(String(32))
    topic: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    published_at: Mapped[datetime]


class Delivery(Base):
    """One alert to one channel still to deliver: attempts, status (pending, parked), the last error."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("alert_id", "channel"),
        # The claim's walk over the cases of a channel and "the earliest pending row of its
        # case", pending rows only: one probe each, whatever the statistics or the queues behind
        # (migration 0009), and the only index on pending rows, so that no plan made without
        # statistics can pick another. Not on `next_attempt_at`, so that leasing a row (which
        # moves only that) is a heap-only update touching no index.
        Index(
            "ix_deliveries_channel_case_pending",
            "channel",
            "case_id",
            "id",
            postgresql_where=text("status = 'pending'"),
            sqlite_where=text("status = 'pending'"),
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    alert_id: Mapped[str] = mapped_column(String(64))
    case_id: Mapped[str] = mapped_column(String(36))
    channel: Mapped[str] = mapped_column(String(64))
    alert: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class DeliveryDone(Base):
    """A delivered alert: which alert, case and channel, after how many attempts, and when."""

    __tablename__ = "deliveries_done"
    __table_args__ = (UniqueConstraint("alert_id", "channel"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    alert_id: Mapped[str] = mapped_column(String(64))
    case_id: Mapped[str] = mapped_column(String(36))
    channel: Mapped[str] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]
    delivered_at: Mapped[datetime]

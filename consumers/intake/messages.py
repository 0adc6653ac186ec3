"""Reading one Kafka record: decode, validate, check the publishing agency (invariant 6).

`read(record, agency_of_topic, codec, rules)` returns an `Accepted` signal or a `Rejected` record
with a stage, a bounded reason code (metric label, receipt reason) and an error whose message is
free of personal data (codec and validation errors are written never to quote values).
`dead_letter(rejected)` is what goes to the dead-letter topic (`signalhub.dlq` builds it).

A rejected record's event id, source record id and key are kept for its receipt only when they
are plain text (no control characters, at most 200 characters): the receipt must be writable
whatever the bytes held, and is matched by the sender through topic, partition and offset anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from schemas.cloudevents import Headers, MissingHeaderError, check_headers, from_headers, header
from schemas.codec import Codec
from schemas.errors import SerializationError, SerializationReason
from signalhub import dlq
from signalhub.signal_rules import check_line
from signalhub.signals import RiskSignalModel, SignalRules, SignalValidationError
from signalhub.store.base import new_id
from signalhub.store.intake_rows import SignalRow

__all__ = [
    "REASONS",
    "Accepted",
    "Position",
    "Rejected",
    "Stage",
    "dead_letter",
    "event_key",
    "plain_text",
    "read",
    "refused",
    "signal_row",
    "signal_values",
]

Position = tuple[str, int, int]


class Stage:
    DESERIALIZE = "deserialize"
    VALIDATE = "validate"
    AUTHORISE = "authorise"
    STORE = "store"


# Every reason code a rejection carries (metric label, receipt reason, dead-letter header); the
# operations page names each in Russian (`signalhub.russian_names.DLQ_REASON`).
REASONS = ("undecodable", "unknown_schema", "invalid_content", "invalid_headers", "agency_mismatch",
           "refused_by_database")  # fmt: skip

# Codec reasons grouped the way operators think of them: bytes that are not Avro at all, and
# Avro of a schema we do not know (or of another contract).
_UNKNOWN_SCHEMA = {SerializationReason.UNKNOWN_FINGERPRINT, SerializationReason.WRONG_SCHEMA}


@dataclass(frozen=True)
class Accepted:
    position: Position
    key: bytes | None
    signal: RiskSignalModel
    ce_time: datetime | None
    value: bytes | None  # the original record, for a dead letter should the database refuse it
    headers: Headers
    missing_headers: tuple[str, ...] = ()  # CloudEvents headers absent (tolerated, counted)


@dataclass(frozen=True)
class Rejected:
    position: Position
    key: bytes | None
    value: bytes | None
    headers: Headers
    agency: str  # the agency of the topic: whoever published is told
    event_id: str | None
    source_record_id: str | None
    stage: str
    reason: str  # undecodable | unknown_schema | invalid_content | invalid_headers | agency_mismatch
    # | refused_by_database
    error: BaseException
    error_field: str | None = None

    @property
    def message(self) -> str:
        return str(self.error)

    @property
    def source_key(self) -> str | None:
        """The producer's key as text for the receipt, when it is plain text."""
        try:
            return plain_text(self.key.decode("utf-8")) if self.key is not None else None
        except UnicodeDecodeError:
            return None


def plain_text(value: object) -> str | None:
    """`value` when it is a string of at most 200 characters without control characters, else None."""
    if not isinstance(value, str) or len(value) > 200:
        return None
    try:
        return check_line(value)
    except ValueError:
        return None


def dead_letter(r: Rejected) -> dlq.Letter:
    topic, partition, offset = r.position
    errors = dlq.error_headers(
        topic=topic, partition=partition, offset=offset, stage=r.stage, reason=r.reason, error=r.error,
        consumer="consumers.intake", field=r.error_field,
    )  # fmt: skip
    return dlq.make_letter(r.key, r.value, r.headers, errors)


def refused(a: Accepted, error: BaseException) -> Rejected:
    """An accepted signal the database refused for its own content: dead-lettered like invalid input.

    Only the error's class is told (a database message may quote the value)."""
    s = a.signal
    return Rejected(
        a.position, a.key, a.value, a.headers, s.agency.value, str(s.event_id), s.source_record_id, Stage.STORE,
        "refused_by_database", RuntimeError(f"the database refused the signal: {type(error).__name__}"),
    )  # fmt: skip


def _ce_time(headers: Headers) -> datetime | None:
    try:
        return from_headers(headers).time
    except MissingHeaderError:
        return None


def read(record: Any, agency: str, codec: Codec, rules: SignalRules) -> Accepted | Rejected:
    """Turn one consumer record of `signals.<agency>` into an accepted signal or a rejection."""
    position: Position = (record.topic, record.partition, record.offset)
    headers: Headers = list(record.headers or [])
    ce_id = plain_text(header(headers, "ce_id"))

    def reject(stage: str, reason: str, error: Exception, **extra: Any) -> Rejected:
        return Rejected(
            position, record.key, record.value, headers, agency, plain_text(extra.pop("event_id", ce_id)),
            plain_text(extra.pop("source_record_id", None)), stage, reason, error, **extra,
        )  # fmt: skip

    try:
        data = codec.decode(record.value or b"")
    except SerializationError as e:
        reason = "unknown_schema" if e.reason in _UNKNOWN_SCHEMA else "undecodable"
        return reject(Stage.DESERIALIZE, reason, e)
    try:
        signal = RiskSignalModel.from_avro(data, rules)
    except SignalValidationError as e:
        first = e.errors[0].path if e.errors else None
        event_id = plain_text(data.get("event_id")) or ce_id
        return reject(
            Stage.VALIDATE, "invalid_content", e,
            event_id=event_id, source_record_id=data.get("source_record_id"), error_field=first,
        )  # fmt: skip
    if signal.agency.value != agency:
        error = PermissionError(f"signal claims agency {signal.agency.value} on the topic of agency {agency}")
        return reject(
            Stage.AUTHORISE, "agency_mismatch", error,
            event_id=str(signal.event_id), source_record_id=signal.source_record_id, error_field="agency",
        )  # fmt: skip
    check = check_headers(headers, str(signal.event_id))
    if check.contradiction is not None:
        name, why = check.contradiction
        return reject(
            Stage.VALIDATE, "invalid_headers", ValueError(f"header {name} {why}"),
            event_id=str(signal.event_id), source_record_id=signal.source_record_id, error_field=name,
        )  # fmt: skip
    return Accepted(position, record.key, signal, _ce_time(headers), record.value, headers, check.missing)


def event_key(a: Accepted) -> tuple[str, str]:
    """(agency, event id): event ids are the agency's own (DESIGN.md, dedup)."""
    return a.signal.agency.value, str(a.signal.event_id)


def signal_row(a: Accepted, family_id: str, now: datetime) -> SignalRow:
    """The stored row of an accepted signal seen for the first time (version 1 once placed)."""
    s = a.signal
    row = SignalRow(
        id=new_id(), event_id=str(s.event_id), agency=s.agency.value, source_record_id=s.source_record_id,
        signal_type=s.signal_type.value, severity=s.severity.value, occurred_at=s.occurred_at,
        family_id=family_id, case_id=None, corroborates_id=None, version=0, new=True,
    )  # fmt: skip
    row.values = signal_values(a, now)
    return row


def signal_values(a: Accepted, now: datetime) -> dict[str, Any]:
    """The signal's columns besides those intake decides on (family, case, version)."""
    s = a.signal
    return {
        "source_system": s.source_system,
        "reported_at": s.reported_at,
        "received_at": now,
        "region_code": s.region_code,
        "municipality_code": s.municipality_code,
        "payload": s.model_dump(mode="json"),
    }

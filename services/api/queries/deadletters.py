"""The operator's view of dead letters: reason, field to blame, source and a masked body, never a
raw value. Codes stay codes here (the JSON API shows them); the page names them in Russian.

Read from the dead-letter topic with `signalhub.dlq.read` (no consumer group, nothing committed)
and masked with `signalhub.masking.masked_body`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from signalhub import dlq
from signalhub.masking import masked_body
from signalhub.settings import AGENCIES, KafkaSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LetterView:
    ref: str
    at: datetime
    source_topic: str | None
    source_agency: str | None  # the agency whose signal topic the letter came from
    source_partition: int | None
    source_offset: int | None
    stage: str
    reason: str
    field: str | None  # the signal's path or the header to blame, when the letter names one
    error_class: str | None
    body: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {
            "ref": self.ref,
            "at": self.at.isoformat(),
            "source_topic": self.source_topic,
            "source_partition": self.source_partition,
            "source_offset": self.source_offset,
            "stage": self.stage,
            "reason": self.reason,
            "field": self.field,
            "error_class": self.error_class,
            "body": self.body,
        }


class BrokerUnavailableError(Exception):
    """The dead-letter topic could not be read (broker down or unreachable)."""


def reader(settings: KafkaSettings, timeout_s: float = 10.0, limit: int = 200) -> Any:
    """A callable returning the newest `limit` letters as `LetterView`s, newest first."""
    agency_of = {settings.signal_topic(agency): agency for agency in AGENCIES}

    def read() -> list[LetterView]:
        try:
            letters = dlq.read(settings, timeout_s=timeout_s)
        except Exception as e:  # kafka-python raises many unrelated types for "no broker"
            log.warning("dead-letter topic unreadable: %s", type(e).__name__)
            raise BrokerUnavailableError from None
        letters.sort(key=lambda d: d.timestamp, reverse=True)
        return [
            LetterView(
                ref=d.ref,
                at=d.timestamp,
                source_topic=d.source_topic,
                source_agency=agency_of.get(d.source_topic or ""),
                source_partition=d.source_partition,
                source_offset=d.source_offset,
                stage=d.stage,
                reason=d.reason,
                field=d.field,
                error_class=(d.error("exception.class.name") or "").rsplit(".", 1)[-1] or None,
                body=masked_body(d.value),
            )
            for d in letters[:limit]
        ]

    return read

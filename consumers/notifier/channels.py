"""Sending one alert to one channel: webhook (`webhook_client`: http.client) or e-mail
(`mail_client`: smtplib).

Each sender raises `DeliveryError` with a short reason (status code or error class, never a
response body or personal data) and whether another attempt may help.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import smtplib
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from consumers.notifier.mail_client import MailClient
from consumers.notifier.message import case_url, email_bytes, webhook_body
from consumers.notifier.routing import Channel, EmailChannel
from consumers.notifier.settings import NotifierSettings
from consumers.notifier.webhook_client import WebhookClient

SIGNATURE_HEADER = "X-Signalhub-Signature"


class DeliveryError(Exception):
    def __init__(self, reason: str, *, retriable: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retriable = retriable


def sign(body: bytes, secret: bytes) -> str:
    """`sha256=<hex HMAC-SHA256 of body>`: what receivers recompute with the shared secret."""
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


@dataclass
class Senders:
    """The senders of one process; `send` picks by channel type."""

    settings: NotifierSettings
    http: WebhookClient
    mail: MailClient
    zone: ZoneInfo  # the region's, for times in e-mails

    def send(self, channel: Channel, alert: dict[str, Any]) -> None:
        url = case_url(self.settings.case_url_base, str(alert["case_id"]))
        if isinstance(channel, EmailChannel):
            self._email(channel, alert, url)
        else:
            self._webhook(channel.url, alert, url)

    def _webhook(self, target: str, alert: dict[str, Any], url: str) -> None:
        body = webhook_body(alert, url)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Idempotency-Key": str(alert["alert_id"]),
            SIGNATURE_HEADER: sign(body, self.settings.webhook_secret.get_secret_value().encode()),
        }
        try:
            status = self.http.post(target, body, headers)
        except (OSError, http.client.HTTPException) as e:
            raise DeliveryError(f"http: {type(e).__name__}") from None
        if status >= 300:
            retriable = status >= 500 or status in (408, 409, 425, 429)
            raise DeliveryError(f"http status {status}", retriable=retriable)

    def _email(self, channel: EmailChannel, alert: dict[str, Any], url: str) -> None:
        sender = self.settings.mail_from
        message = email_bytes(alert, url, sender, channel.to, self.zone)
        try:
            self.mail.send(sender, channel.to, message)
        except smtplib.SMTPNotSupportedError:
            raise DeliveryError("smtp: no SMTPUTF8 for the addresses", retriable=False) from None
        except smtplib.SMTPResponseException as e:
            raise DeliveryError(f"smtp {e.smtp_code}", retriable=e.smtp_code < 500) from None
        except (smtplib.SMTPException, OSError) as e:
            raise DeliveryError(f"smtp: {type(e).__name__}") from None

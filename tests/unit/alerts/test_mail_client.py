"""The notifier's SMTP client against a real SMTP server (aiosmtpd): one kept-open session per
sending thread, a new one when the server closed it, none kept after a failure."""

from __future__ import annotations

import email
import email.policy
import smtplib
import threading
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from consumers.notifier.channels import DeliveryError, Senders
from consumers.notifier.mail_client import MailClient
from consumers.notifier.message import email_bytes
from consumers.notifier.routing import EmailChannel
from consumers.notifier.settings import NotifierSettings
from consumers.notifier.webhook_client import WebhookClient
from tests.fixtures.receivers import MailSink

ZONE = ZoneInfo("Europe/Moscow")
ALERT = {
    "alert_id": "a1", "case_id": "c1", "case_number": "31-2026-000001", "alert_type": "case_opened",
    "priority": "urgent", "priority_score": 80, "ack_deadline": None, "case_status": "new",
    "agencies": ["police"], "children_count": 1, "municipality_code": "14610000",
}  # fmt: skip


class Server(MailSink):
    """The SMTP receiver of the benchmarks, keeping each message with the peer (host, port) of the
    connection that brought it; `refuse` answers every DATA with that reply instead."""

    def __init__(self, smtputf8: bool = False) -> None:
        self.got: list[tuple[Any, bytes]] = []
        self.recipients: list[list[str]] = []
        self.tried: list[Any] = []  # the peer of every DATA, refused or not
        self.refuse: str | None = None
        self.lock = threading.Lock()
        super().__init__(smtputf8)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.tried.append(session.peer)
        if self.refuse:
            return self.refuse
        with self.lock:
            self.got.append((session.peer, envelope.content))
            self.recipients.append(list(envelope.rcpt_tos))
        return "250 OK"

    def sessions(self) -> int:
        with self.lock:
            return len({peer for peer, _ in self.got})


@pytest.fixture
def server() -> Iterator[Server]:
    s = Server()
    yield s
    s.close()


@pytest.fixture
def client(server: Server) -> Iterator[MailClient]:
    c = MailClient(NotifierSettings(smtp_host="127.0.0.1", smtp_port=server.port, smtp_timeout_s=5.0))
    yield c
    c.close()


def message(n: int) -> bytes:
    return f"From: hub@x\r\nTo: duty@x\r\nSubject: {n}\r\nMessage-ID: <{n}@signalhub>\r\n\r\ntext {n}\r\n".encode()


def test_one_thread_sends_every_message_over_one_session(server: Server, client: MailClient) -> None:
    for n in range(5):
        client.send("hub@x", ["duty@x"], message(n))
    assert [email.message_from_bytes(content)["Subject"] for _, content in server.got] == list("01234")
    assert server.sessions() == 1


def test_each_sending_thread_has_its_own_session(server: Server, client: MailClient) -> None:
    def three(k: int) -> None:
        for n in range(3):
            client.send("hub@x", ["duty@x"], message(10 * k + n))

    threads = [threading.Thread(target=three, args=(k,)) for k in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(server.got) == 9
    assert server.sessions() == 3


def test_a_session_the_server_closed_is_replaced_and_the_message_sent_once(
    server: Server, client: MailClient
) -> None:
    client.send("hub@x", ["duty@x"], message(1))
    server.down()  # closes the kept-open session, as a server's idle timeout or restart does
    server.up()
    client.send("hub@x", ["duty@x"], message(2))
    subjects = [email.message_from_bytes(content)["Subject"] for _, content in server.got]
    assert subjects == ["1", "2"]
    assert server.sessions() == 2


def test_a_session_the_server_is_closing_is_replaced(server: Server, client: MailClient) -> None:
    client.send("hub@x", ["duty@x"], message(1))
    server.refuse = "421 closing the session"  # what a server says after its idle timeout
    with pytest.raises(smtplib.SMTPResponseException) as refused:  # a new session: not a stale one
        client.send("hub@x", ["duty@x"], message(2))
    assert refused.value.smtp_code == 421
    first, kept, again = server.tried
    assert first == kept != again  # tried on the kept session, then once on a new one


def test_a_refused_message_drops_its_session(server: Server, client: MailClient) -> None:
    client.send("hub@x", ["duty@x"], message(1))
    server.refuse = "451 try again later"
    with pytest.raises(smtplib.SMTPResponseException) as refused:
        client.send("hub@x", ["duty@x"], message(2))
    assert refused.value.smtp_code == 451
    server.refuse = None
    client.send("hub@x", ["duty@x"], message(3))
    assert server.sessions() == 2  # the third went over a new session


def test_no_server_is_an_error_not_a_hang(server: Server, client: MailClient) -> None:
    server.down()
    with pytest.raises(ConnectionRefusedError):
        client.send("hub@x", ["duty@x"], message(1))


@pytest.mark.parametrize(("answer", "reason", "retriable"), [
    ("451 mailbox busy", "smtp 451", True),
    ("554 rejected", "smtp 554", False),
])  # fmt: skip
def test_the_email_channel_reports_a_refusal_by_code(
    server: Server, answer: str, reason: str, retriable: bool
) -> None:
    settings = NotifierSettings(smtp_host="127.0.0.1", smtp_port=server.port, mail_from="hub@x")
    senders = Senders(settings, WebhookClient(5.0), MailClient(settings), ZONE)
    channel = EmailChannel(type="email", to=["duty@x"])
    senders.send(channel, ALERT)
    delivered = email.message_from_bytes(server.got[0][1], policy=email.policy.default)
    assert delivered["X-Signalhub-Alert-Id"] == "a1"
    server.refuse = answer
    with pytest.raises(DeliveryError) as failed:
        senders.send(channel, ALERT)
    assert (failed.value.reason, failed.value.retriable) == (reason, retriable)


def test_addresses_that_are_not_ascii_go_as_they_are_with_smtputf8() -> None:
    server = Server(smtputf8=True)
    settings = NotifierSettings(
        smtp_host="127.0.0.1", smtp_port=server.port, mail_from="оповещения@служба.рф"
    )
    client = MailClient(settings)
    try:
        to = ["дежурный@служба.рф", "duty@x"]
        client.send(
            settings.mail_from, to, email_bytes(ALERT, "https://hub/cases/c1", settings.mail_from, to, ZONE)
        )
    finally:
        client.close()
        server.close()
    assert server.recipients == [to]
    headers = server.got[0][1].decode("utf-8")  # UTF-8 as they are, never encoded words
    delivered = email.message_from_string(headers, policy=email.policy.SMTPUTF8)
    assert delivered["From"] == "оповещения@служба.рф"
    assert [a.addr_spec for a in delivered["To"].addresses] == to


def test_a_server_without_smtputf8_refuses_them_for_good(server: Server) -> None:
    settings = NotifierSettings(smtp_host="127.0.0.1", smtp_port=server.port, mail_from="hub@x")
    senders = Senders(settings, WebhookClient(5.0), MailClient(settings), ZONE)
    with pytest.raises(DeliveryError) as failed:
        senders.send(EmailChannel(type="email", to=["дежурный@служба.рф"]), ALERT)
    assert failed.value.retriable is False
    assert server.tried == []


@pytest.mark.parametrize("address", ["duty@x\r\nBcc: other@y", "duty", "duty @x"])
def test_an_address_that_is_not_one_mailbox_is_refused_when_routing_is_read(address: str) -> None:
    with pytest.raises(ValueError, match="to"):
        EmailChannel(type="email", to=[address])

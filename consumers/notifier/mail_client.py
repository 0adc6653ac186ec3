"""Sending ready e-mail bytes over kept-open SMTP sessions of the standard library's `smtplib`: one
session per sending thread, opened again when the server closed it.

Why kept open: a session per message (connect, EHLO, STARTTLS, AUTH, QUIT) cost more than the
message: with it and `EmailMessage` an e-mail took 2.7-3.4 times the CPU it takes kept open and
built by `message.email_bytes` (1 000 e-mails to a local server, three runs at three times). A
session that failed is dropped, never reused. Addresses that are not ASCII (a mailbox at
служба.рф) are sent with SMTPUTF8, as `smtplib.send_message` would.
"""

from __future__ import annotations

import smtplib
import ssl
import threading

from consumers.notifier.settings import NotifierSettings

__all__ = ["MailClient"]

# A kept-open session the server closed while it was idle fails like this on its next command.
_STALE = (smtplib.SMTPServerDisconnected, BrokenPipeError, ConnectionResetError)


def _closed(error: BaseException) -> bool:
    """The session was closed by the server, or is being closed (421: its idle timeout)."""
    return isinstance(error, _STALE) or (
        isinstance(error, smtplib.SMTPResponseException) and error.smtp_code == 421
    )


class MailClient:
    """`send` may be called from several threads; each thread has its own session."""

    def __init__(self, settings: NotifierSettings) -> None:
        self._settings = settings
        self._local = threading.local()
        self._lock = threading.Lock()
        self._opened: list[smtplib.SMTP] = []
        self._tls: ssl.SSLContext | None = None

    def send(self, sender: str, to: list[str], message: bytes) -> None:
        """Send one message; raises `smtplib.SMTPException` (a refusal: `SMTPResponseException`
        carries the code; `SMTPNotSupportedError`: the server does not take SMTPUTF8) or
        `OSError` (refused, reset, timed out, TLS). A kept-open session found closed by the
        server, or answered 421 (closing), is replaced and the message sent once more on the new
        one (receivers deduplicate on the Message-ID: at least once)."""
        options = () if (sender + "".join(to)).isascii() else ("SMTPUTF8", "BODY=8BITMIME")
        smtp: smtplib.SMTP | None = getattr(self._local, "smtp", None)
        reused = smtp is not None
        for _ in range(2):
            if smtp is None:
                smtp = self._local.smtp = self._open()
            try:
                smtp.sendmail(sender, to, message, options)
                return
            except BaseException as e:
                self._drop()
                if not (reused and _closed(e)):
                    raise
            smtp, reused = None, False

    def _open(self) -> smtplib.SMTP:
        s = self._settings
        smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_s)
        try:
            if s.smtp_starttls:
                with self._lock:
                    if self._tls is None:
                        self._tls = ssl.create_default_context()
                smtp.starttls(context=self._tls)
            if s.smtp_username:
                smtp.login(s.smtp_username, s.smtp_password.get_secret_value() if s.smtp_password else "")
        except BaseException:
            smtp.close()
            raise
        with self._lock:
            self._opened.append(smtp)
        return smtp

    def _drop(self) -> None:
        smtp: smtplib.SMTP | None = self._local.__dict__.pop("smtp", None)
        if smtp is not None:
            with self._lock:
                if smtp in self._opened:
                    self._opened.remove(smtp)
            smtp.close()

    def close(self) -> None:
        """End every thread's session (at shutdown, after the senders stopped): QUIT, then close."""
        with self._lock:
            opened, self._opened = self._opened, []
        for smtp in opened:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()

"""Sending mail through an interface, so development and tests never need a mail server.

Code never calls a mailer from a request: it writes the message to the outbox in its transaction
(`database/outbox`), and the outbox worker hands it to the mailer after the commit.

`SmtpMailer` sends through an SMTP server (aiosmtplib): production always, development when
SMTP_HOST is set. `LogMailer` writes each message, code included, to the log: development only,
and `mailer_for` never picks it in production. `RecordingMailer` keeps an outbox that tests read;
given a file it also appends each message there as a JSON line, so a test can read mail sent by a
server running in another process.
"""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

import aiosmtplib
import msgspec

from foundation.logging import get_logger
from foundation.settings import Settings

log = get_logger("blossom.mail")


class Message(msgspec.Struct, frozen=True):
    to: str
    subject: str
    body: str


class Mailer(Protocol):
    async def send(self, message: Message) -> None:
        """Hand the message over for delivery; raise if it was not accepted (the outbox retries)."""
        ...


class MailNotAccepted(RuntimeError):
    """The mail server refused the message or could not be reached."""


class SmtpMailer:
    """One connection per message: mail is rare, and a fresh connection never inherits a broken
    one's state. Bounded by the SMTP timeout, so a stuck server cannot hold a delivery forever."""

    def __init__(self, settings: Settings) -> None:
        if settings.smtp_host is None:
            raise ValueError("SmtpMailer needs SMTP_HOST")
        self._host = settings.smtp_host
        self._port = settings.smtp_port
        self._security = settings.smtp_security
        self._username = settings.smtp_username
        self._password = settings.smtp_password
        self._timeout = settings.smtp_timeout_seconds
        self._sender = settings.sender

    def _email(self, message: Message) -> EmailMessage:
        email = EmailMessage()
        email["From"] = self._sender
        email["To"] = message.to
        email["Subject"] = message.subject
        email.set_content(message.body)
        return email

    async def send(self, message: Message) -> None:
        try:
            await aiosmtplib.send(
                self._email(message),
                hostname=self._host,
                port=self._port,
                username=self._username,
                password=self._password.get_secret_value() if self._password else None,
                use_tls=self._security == "tls",
                start_tls=True if self._security == "starttls" else False if self._security == "none" else None,
                timeout=self._timeout,
            )
        except aiosmtplib.SMTPException as error:
            raise MailNotAccepted(f"{self._host}: {error}") from None


class LogMailer:
    """Development: the message, code included, in the log of `just dev`."""

    async def send(self, message: Message) -> None:
        log.info("mail", to=message.to, subject=message.subject, body=message.body)


class RecordingMailer:
    def __init__(self, outbox_file: Path | None = None) -> None:
        self.outbox: list[Message] = []
        self._file = outbox_file

    async def send(self, message: Message) -> None:
        self.outbox.append(message)
        if self._file is not None:
            with self._file.open("ab") as handle:
                handle.write(msgspec.json.encode(message) + b"\n")


def mailer_for(settings: Settings) -> Mailer:
    """Production: SMTP, always (settings refuse production without SMTP_HOST). Tests: recorded
    (in BLOSSOM_MAIL_OUTBOX too when set). Development: SMTP when SMTP_HOST is set, else the file
    when BLOSSOM_MAIL_OUTBOX is set, else the log."""
    if settings.environment == "production" or settings.smtp_host is not None:
        return SmtpMailer(settings)
    if settings.environment == "test" or settings.mail_outbox is not None:
        return RecordingMailer(settings.mail_outbox)
    return LogMailer()


def read_outbox(outbox_file: Path) -> list[Message]:
    if not outbox_file.exists():
        return []
    return [msgspec.json.decode(line, type=Message) for line in outbox_file.read_bytes().splitlines() if line]

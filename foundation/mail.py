"""Sending mail through an interface, so development and tests never need a mail server.

`LogMailer` writes each message to the log (development). `RecordingMailer` keeps an outbox that
tests read; given a file it also appends each message there as a JSON line, so a test can read
mail sent by a server running in another process.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import msgspec

from foundation.logging import get_logger

log = get_logger("blossom.mail")


class Message(msgspec.Struct, frozen=True):
    to: str
    subject: str
    body: str


class Mailer(Protocol):
    async def send(self, message: Message) -> None: ...


class LogMailer:
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


def read_outbox(outbox_file: Path) -> list[Message]:
    if not outbox_file.exists():
        return []
    return [msgspec.json.decode(line, type=Message) for line in outbox_file.read_bytes().splitlines() if line]

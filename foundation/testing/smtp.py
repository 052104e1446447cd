"""A real SMTP server for tests (aiosmtpd, on a thread of its own): records what it accepts, or
refuses every message with a temporary failure while `refusing` is set."""

from __future__ import annotations

import contextlib
import email
import email.policy
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from foundation.testing.servers import free_port

TEMPORARY_FAILURE = "451 4.3.0 try again later"


@dataclass
class SmtpServer:
    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    refusing: bool = False  # answer every message with TEMPORARY_FAILURE
    credentials: tuple[str, str] | None = None  # required when set (AUTH over plain text: tests only)
    logins: list[str] = field(default_factory=list)

    def settings(self) -> dict[str, str]:
        """The environment that points the app's mailer here."""
        env = {"SMTP_HOST": self.host, "SMTP_PORT": str(self.port), "SMTP_SECURITY": "none"}
        if self.credentials:
            env |= {"SMTP_USERNAME": self.credentials[0], "SMTP_PASSWORD": self.credentials[1]}
        return env

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refusing:
            return TEMPORARY_FAILURE
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 OK"

    def _authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        if isinstance(data, LoginPassword) and self.credentials is not None:
            login, password = data.login.decode(), data.password.decode()
            if (login, password) == self.credentials:
                self.logins.append(login)
                return AuthResult(success=True)
        return AuthResult(success=False, handled=False)


@contextlib.contextmanager
def smtp_server(credentials: tuple[str, str] | None = None) -> Iterator[SmtpServer]:
    server = SmtpServer("127.0.0.1", free_port(), credentials=credentials)
    options: dict[str, Any] = {}
    if credentials is not None:
        options = {"auth_required": True, "auth_require_tls": False, "authenticator": server._authenticate}
    controller = Controller(server, hostname=server.host, port=server.port, **options)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()

"""What the product's handlers need besides the request: reached as `services(req)`.

The database is not among them on purpose: a handler reaches it only through `req.db`, the
request's one connection, so it cannot take a second one from the pool."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from foundation.crypto import purpose_key
from foundation.mail import LogMailer, Mailer, RecordingMailer
from foundation.passwords import PasswordHasher
from foundation.rpc import Request
from foundation.settings import Settings
from foundation.time import Clock, system_clock


@dataclass
class ProductServices:
    settings: Settings
    clock: Clock
    hasher: PasswordHasher
    mailer: Mailer

    @property
    def session_key(self) -> bytes:
        return session_key(self.settings)

    @property
    def secure_cookies(self) -> bool:
        return self.settings.secure_cookies


def session_key(settings: Settings) -> bytes:
    """Signs session tokens (derived from BLOSSOM_SECRET_KEY)."""
    return purpose_key(settings.signing_secret, "session token")


def build_services(
    settings: Settings,
    *,
    clock: Clock = system_clock,
    hasher: PasswordHasher | None = None,
    mailer: Mailer | None = None,
) -> ProductServices:
    if mailer is None:
        mailer = (
            RecordingMailer(settings.mail_outbox)
            if settings.mail_outbox or settings.environment == "test"
            else LogMailer()
        )
    return ProductServices(settings, clock, hasher or PasswordHasher(), mailer)


def services(req: Request[Any, Any]) -> ProductServices:
    return req.services

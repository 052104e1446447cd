"""What the product's handlers need besides the request: reached as `services(req)`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from database.app_database import AppDatabase
from foundation.mail import LogMailer, Mailer, RecordingMailer
from foundation.passwords import PasswordHasher
from foundation.rpc import Req
from foundation.settings import Settings
from foundation.time import Clock, system_clock


@dataclass
class ProductServices:
    settings: Settings
    database: AppDatabase
    clock: Clock
    hasher: PasswordHasher
    mailer: Mailer


def build_services(
    settings: Settings,
    database: AppDatabase,
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
    return ProductServices(settings, database, clock, hasher or PasswordHasher(), mailer)


def services(req: Req[Any]) -> ProductServices:
    return req.services

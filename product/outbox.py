"""The product's outbox worker: which handler delivers each kind of outbox row."""

from __future__ import annotations

from typing import Any

from database.app_database import AppDatabase
from database.outbox import OutboxWorker
from product.accounts.reset import RESET_REQUESTED, reset_handler
from product.accounts.verification import VERIFICATION_REQUESTED, verification_handler
from product.mail import MAIL, mail_handler
from product.services import ProductServices


def outbox_worker(services: ProductServices, database: AppDatabase, **options: Any) -> OutboxWorker:
    """`options`: OutboxWorker's (policy, poll_seconds, jitter, …), for tests."""
    handlers = {
        MAIL: mail_handler(services.mailer),
        RESET_REQUESTED: reset_handler(),
        VERIFICATION_REQUESTED: verification_handler(),
    }
    return OutboxWorker(
        lambda: database.outbox_pool, handlers, clock=services.clock, doorbell=services.doorbell, **options
    )

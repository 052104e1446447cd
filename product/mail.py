"""Mail from the product goes through the outbox: `send_mail(req, message)` writes it in the
request's transaction, and the outbox worker hands it to the mailer after the commit. A request
that fails (rolls back) sends nothing; the mail server is never talked to inside a request."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec

from database.connect import DbConnection
from database.outbox import Delivery, Handler, enqueue
from foundation.mail import Mailer, Message
from product.rpc import Req

MAIL = "mail"  # the outbox kind: payload {to, subject, body}; the body is cleared once delivered


async def send_mail(req: Req[Any], message: Message) -> None:
    """Send `message` once this request commits (and wake the worker then)."""
    svc = req.services
    await enqueue_mail(req.db, message, now=svc.clock.now())
    req.db.after_commit(svc.doorbell.ring)


async def enqueue_mail(conn: DbConnection, message: Message, *, now: dt.datetime) -> None:
    """The same inside a transaction of one's own (an outbox handler's)."""
    await enqueue(conn, kind=MAIL, payload=msgspec.to_builtins(message), now=now)


def mail_handler(mailer: Mailer) -> Handler:
    async def deliver(delivery: Delivery) -> None:
        await mailer.send(msgspec.convert(delivery.job.payload, Message))

    return deliver

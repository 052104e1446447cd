"""Password-reset requests are answered before the work: the route only writes the job
`password_reset_requested {email}` to the outbox (one insert, whether or not the email has an
account), and the outbox worker, after the response, looks the account up, issues the code and
mails it, or does nothing. So the request does the same work for every email, and its timing
cannot tell which emails have accounts."""

from __future__ import annotations

from typing import Any

import msgspec

from database.outbox import Delivery, Handler, enqueue
from database.tx import change_context, transaction
from product.accounts import queries
from product.accounts.tokens import RESET_TOKEN_LIFETIME, issue_token
from product.mail import enqueue_mail
from product.rpc import Req

RESET_REQUESTED = "password_reset_requested"


class ResetRequested(msgspec.Struct, frozen=True):
    email: str  # lower-case


async def request_reset(req: Req[Any], email: str) -> None:
    """The route's part: one outbox row, the same for every email."""
    svc = req.services
    await enqueue(req.db, kind=RESET_REQUESTED, payload={"email": email}, now=svc.clock.now())
    req.db.after_commit(svc.doorbell.ring)


def reset_handler() -> Handler:
    """The worker's part, in one transaction: the code, its mail (another outbox row, delivered
    next) and this job's completion commit together, so a retry never issues a second code."""

    async def handle(delivery: Delivery) -> None:
        job = msgspec.convert(delivery.job.payload, ResetRequested)
        async with transaction(delivery.pool) as conn:
            found = await queries.user_id_for_email(conn, email=job.email)
            if found is not None and found.user_id is not None:
                await change_context(conn, user_id=found.user_id)
                message = await issue_token(
                    conn,
                    user_id=found.user_id,
                    purpose="password_reset",
                    to=job.email,
                    lifetime=RESET_TOKEN_LIFETIME,
                    subject="Reset your password",
                    now=delivery.now,
                )
                await enqueue_mail(conn, message, now=delivery.now)
            await delivery.complete_in(conn)

    return handle

"""Verification mail on request from outside the sign-up (panopticon's support tools): the job
`email_verification_requested {user_id}` in the outbox; the worker issues a new code and mails it
to the account's address, or does nothing when the account is gone or already verified."""

from __future__ import annotations

import msgspec

from database.outbox import Delivery, Handler
from database.tx import change_context, transaction
from product.accounts import queries
from product.accounts.tokens import VERIFY_TOKEN_LIFETIME, issue_token
from product.mail import enqueue_mail

VERIFICATION_REQUESTED = "email_verification_requested"


class VerificationRequested(msgspec.Struct, frozen=True):
    user_id: str


def verification_handler() -> Handler:
    """In one transaction: the code, its mail (another outbox row) and this job's completion."""

    async def handle(delivery: Delivery) -> None:
        job = msgspec.convert(delivery.job.payload, VerificationRequested)
        async with transaction(delivery.pool) as conn:
            await change_context(conn, user_id=job.user_id)
            user = await queries.get_user(conn, id=job.user_id)
            if user is not None and user.email_verified_at is None:
                message = await issue_token(
                    conn,
                    user_id=user.id,
                    purpose="email_verification",
                    to=user.email,
                    lifetime=VERIFY_TOKEN_LIFETIME,
                    subject="Confirm your email",
                    now=delivery.now,
                )
                await enqueue_mail(conn, message, now=delivery.now)
            await delivery.complete_in(conn)

    return handle

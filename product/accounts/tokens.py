"""Single-use codes mailed to a user (password reset, email verification): only their SHA-256 is
stored. A user has at most one open reset code: a new one replaces the older ones (and a unique
index holds that against concurrent resets, migration 0007)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from database.connect import DbConnection
from foundation.crypto import new_token, token_digest
from foundation.mail import Message
from product.accounts import queries

Purpose = Literal["password_reset", "email_verification"]

RESET_TOKEN_LIFETIME = dt.timedelta(hours=1)
VERIFY_TOKEN_LIFETIME = dt.timedelta(days=2)


async def issue_token(
    conn: DbConnection,
    *,
    user_id: str,
    purpose: Purpose,
    to: str,
    lifetime: dt.timedelta,
    subject: str,
    now: dt.datetime,
) -> Message:
    """Store a new code for `user_id` (in the user's tenant context) and return the mail that
    carries it, for the caller to put in the outbox in the same transaction."""
    token = new_token()
    if purpose == "password_reset":
        await queries.delete_open_user_tokens(conn, user_id=user_id, purpose=purpose)
    await queries.insert_user_token(
        conn, user_id=user_id, purpose=purpose, token_hash=token_digest(token), now=now, expires_at=now + lifetime
    )
    return Message(to=to, subject=subject, body=f"Your {purpose.replace('_', ' ')} code: {token}")

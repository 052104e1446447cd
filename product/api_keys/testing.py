"""Test support: API keys and personal access tokens written straight to the database (as the
owner), for suites that need a bearer token without driving the routes that create one."""

from __future__ import annotations

from database.testing.fixture import T
from foundation.crypto import new_signed_token, token_digest
from foundation.ids import new_id
from foundation.rpc.api_keys import TOKEN_PREFIX
from foundation.settings import load_settings
from product.api_keys import queries
from product.api_keys.bearer import signing_key


async def api_key_token(t: T, *, org_id: str, user_id: str, scope: str = "write") -> str:
    """An organization key made by `user_id` (who must be an owner or admin there): its token."""
    token = TOKEN_PREFIX + new_signed_token(signing_key(load_settings({})))
    async with t.db.owner.acquire() as conn:
        await queries.insert_org_key(
            conn, id=new_id("key", clock=t.clock), org_id=org_id, name="test", scope=scope,  # type: ignore[arg-type]
            token_hash=token_digest(token), created_by=user_id, now=t.clock.now(),
        )  # fmt: skip
    return token


async def personal_token(t: T, *, user_id: str, scope: str = "write") -> str:
    """A personal access token of `user_id`: its token."""
    token = TOKEN_PREFIX + new_signed_token(signing_key(load_settings({})))
    async with t.db.owner.acquire() as conn:
        await queries.insert_personal_token(
            conn, id=new_id("pat", clock=t.clock), user_id=user_id, name="test", scope=scope,  # type: ignore[arg-type]
            token_hash=token_digest(token), now=t.clock.now(),
        )  # fmt: skip
    return token

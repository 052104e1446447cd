"""API keys of an organization (its owners and admins create, list and revoke them) and a user's
personal access tokens. A token is shown once, in the answer that creates it; only its SHA-256
is stored. Neither kind can be created, listed or revoked with a key (`api_keys` is off here):
a leaked key cannot mint another or hide itself."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

import msgspec

from foundation.crypto import new_signed_token, token_digest
from foundation.errors import BlossomError, Conflict, Forbidden, NotFound
from foundation.ids import new_id
from foundation.rpc import Empty
from foundation.rpc.api_keys import TOKEN_PREFIX
from foundation.rpc.errors import FieldError
from product.api_keys import queries
from product.api_keys.bearer import MANAGERS, signing_key
from product.audit import ACCOUNT, audit_event
from product.orgs import queries as org_queries
from product.rpc import OrgReq, UserReq, router

Scope = Literal["read", "write"]
KeyName = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
ApiKeyId = Annotated[str, msgspec.Meta(pattern=r"^key_[0-9a-z]{26}$")]
PersonalTokenId = Annotated[str, msgspec.Meta(pattern=r"^pat_[0-9a-z]{26}$")]
Expiry = Annotated[dt.datetime, msgspec.Meta(tz=True)]
MAX_LIVE_KEYS = 50  # unrevoked keys per organization, and tokens per user
MAX_LIFETIME = dt.timedelta(days=3660)


class KeyNotPermitted(Forbidden):
    """Only an organization's owners and admins manage its API keys."""

    code = "api_key_not_permitted"


class ApiKeyNotFound(NotFound):
    code = "api_key_not_found"


class InvalidExpiry(BlossomError):
    """`expires_at` must lie in the future and at most ten years ahead (a bound no schema can
    state, so it is an error of its own: `fields` names the field)."""

    code = "invalid_expiry"
    status = 400

    class Fields(msgspec.Struct, frozen=True):
        fields: list[FieldError]


class TooManyKeys(Conflict):
    """Revoke a key before creating another."""

    code = "too_many_api_keys"

    class Fields(msgspec.Struct, frozen=True):
        limit: int


class CreateKeyIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: KeyName
    scope: Scope = "read"
    expires_at: Expiry | None = None  # None: until revoked


class ApiKeyOut(msgspec.Struct, frozen=True):
    id: str
    name: str
    scope: Scope
    created_by: str
    created_at: dt.datetime
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None


class CreatedApiKey(msgspec.Struct, frozen=True):
    key: ApiKeyOut
    token: str  # `bk_...`: shown this once, never again


class ApiKeysOut(msgspec.Struct, frozen=True):
    keys: list[ApiKeyOut]


class ApiKeyIdIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    key_id: ApiKeyId


def _expiry(value: dt.datetime | None, now: dt.datetime) -> dt.datetime | None:
    if value is not None and not now < value <= now + MAX_LIFETIME:
        message = "must be in the future, and within ten years"
        raise InvalidExpiry(f"expires_at: {message}", fields=[FieldError("expires_at", message)])
    return value


def _new_token(req: UserReq[Any]) -> str:
    return TOKEN_PREFIX + new_signed_token(signing_key(req.services.settings))


async def _as_manager(req: OrgReq[Any]) -> None:
    """Lock the organization (key creations are counted one at a time), then check the caller's
    role as it is now, not as the session last saw it."""
    org_id = req.principal.org_id
    await org_queries.lock_org(req.db, id=org_id)
    me = await org_queries.membership_of(req.db, org_id=org_id, user_id=req.principal.user_id)
    if me is None or me.role not in MANAGERS:
        raise KeyNotPermitted("only the organization's owners and admins manage its API keys")


def _summary(row: Any) -> dict[str, object]:
    """What the audit log keeps of a key: never its token or hash."""
    expires = row.expires_at.isoformat() if row.expires_at else None
    return {"name": row.name, "scope": row.scope, "expires_at": expires}


def _key_out(row: Any) -> ApiKeyOut:
    return ApiKeyOut(
        id=row.id,
        name=row.name,
        scope=row.scope,
        created_by=row.created_by,
        created_at=row.created_at,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
        last_used_at=row.last_used_at,
    )


@router.route("api_keys.create", errors=[KeyNotPermitted, TooManyKeys, InvalidExpiry], impersonation=False)
async def create_key(req: OrgReq[CreateKeyIn]) -> CreatedApiKey:
    """Create an API key for the active organization (owner or admin); its token is shown once."""
    now = req.services.clock.now()
    expires_at = _expiry(req.body.expires_at, now)
    await _as_manager(req)
    org_id = req.principal.org_id
    live = await queries.count_live_org_keys(req.db, org_id=org_id)
    if live is not None and live.live >= MAX_LIVE_KEYS:
        raise TooManyKeys(f"an organization has at most {MAX_LIVE_KEYS} API keys", limit=MAX_LIVE_KEYS)
    token = _new_token(req)
    row = await queries.insert_org_key(
        req.db,
        id=new_id("key", clock=req.services.clock),
        org_id=org_id,
        name=req.body.name,
        scope=req.body.scope,
        token_hash=token_digest(token),
        created_by=req.principal.user_id,
        now=now,
        expires_at=expires_at,
    )
    assert row is not None
    await audit_event(req, "api_keys.create", chain=org_id, target=row.id, after=_summary(row))
    return CreatedApiKey(key=_key_out(row), token=token)


@router.route("api_keys.list", read_only=True, errors=[KeyNotPermitted])
async def list_keys(req: OrgReq[Empty]) -> ApiKeysOut:
    """The active organization's API keys, newest first, revoked ones included (owner or admin)."""
    await _as_manager(req)
    rows = await queries.list_org_keys(req.db, org_id=req.principal.org_id, max_rows=10 * MAX_LIVE_KEYS)
    return ApiKeysOut(keys=[_key_out(r) for r in rows])


@router.route("api_keys.revoke", errors=[KeyNotPermitted, ApiKeyNotFound])
async def revoke_key(req: OrgReq[ApiKeyIdIn]) -> ApiKeyOut:
    """Revoke an API key of the active organization: refused from its next call on (owner or admin)."""
    await _as_manager(req)
    row = await queries.revoke_org_key(
        req.db, org_id=req.principal.org_id, id=req.body.key_id, now=req.services.clock.now()
    )
    if row is None:
        raise ApiKeyNotFound("no such API key")
    await audit_event(req, "api_keys.revoke", chain=req.principal.org_id, target=row.id, before=_summary(row))
    return _key_out(row)


# --- personal access tokens -------------------------------------------------------------------------


class PersonalTokenOut(msgspec.Struct, frozen=True):
    id: str
    name: str
    scope: Scope
    created_at: dt.datetime
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None


class CreatedPersonalToken(msgspec.Struct, frozen=True):
    personal_token: PersonalTokenOut
    token: str  # `bk_...`: shown this once, never again


class PersonalTokensOut(msgspec.Struct, frozen=True):
    personal_tokens: list[PersonalTokenOut]


class PersonalTokenIdIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    token_id: PersonalTokenId


class PersonalTokenNotFound(NotFound):
    code = "personal_token_not_found"


def _token_out(row: Any) -> PersonalTokenOut:
    return PersonalTokenOut(
        id=row.id,
        name=row.name,
        scope=row.scope,
        created_at=row.created_at,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
        last_used_at=row.last_used_at,
    )


@router.route("personal_tokens.create", errors=[TooManyKeys, InvalidExpiry], impersonation=False)
async def create_personal_token(req: UserReq[CreateKeyIn]) -> CreatedPersonalToken:
    """Create a personal access token that acts as me (in an organization named by the Blossom-Org
    header); shown once."""
    now = req.services.clock.now()
    expires_at = _expiry(req.body.expires_at, now)
    user_id = req.principal.user_id
    await queries.lock_user(req.db, id=user_id)  # one user's creations one at a time: the count holds
    live = await queries.count_live_personal_tokens(req.db, user_id=user_id)
    if live is not None and live.live >= MAX_LIVE_KEYS:
        raise TooManyKeys(f"a user has at most {MAX_LIVE_KEYS} personal access tokens", limit=MAX_LIVE_KEYS)
    token = _new_token(req)
    row = await queries.insert_personal_token(
        req.db,
        id=new_id("pat", clock=req.services.clock),
        user_id=user_id,
        name=req.body.name,
        scope=req.body.scope,
        token_hash=token_digest(token),
        now=now,
        expires_at=expires_at,
    )
    assert row is not None
    await audit_event(req, "personal_tokens.create", chain=ACCOUNT, target=row.id, after=_summary(row))
    return CreatedPersonalToken(personal_token=_token_out(row), token=token)


@router.route("personal_tokens.list", read_only=True)
async def list_personal_tokens(req: UserReq[Empty]) -> PersonalTokensOut:
    """My personal access tokens, newest first, revoked ones included."""
    rows = await queries.list_personal_tokens(req.db, user_id=req.principal.user_id, max_rows=10 * MAX_LIVE_KEYS)
    return PersonalTokensOut(personal_tokens=[_token_out(r) for r in rows])


@router.route("personal_tokens.revoke", errors=[PersonalTokenNotFound])
async def revoke_personal_token(req: UserReq[PersonalTokenIdIn]) -> PersonalTokenOut:
    """Revoke one of my personal access tokens: refused from its next call on."""
    row = await queries.revoke_personal_token(
        req.db, user_id=req.principal.user_id, id=req.body.token_id, now=req.services.clock.now()
    )
    if row is None:
        raise PersonalTokenNotFound("no such personal access token")
    await audit_event(req, "personal_tokens.revoke", chain=ACCOUNT, target=row.id, before=_summary(row))
    return _token_out(row)

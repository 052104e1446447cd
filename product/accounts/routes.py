"""Accounts and sessions: sign up, log in, log out, `init`, sessions, password change and reset,
email verification. No enumeration: answers never reveal whether an email has an account."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

import msgspec

from database.tx import change_context
from foundation.crypto import new_signed_token, token_digest
from foundation.errors import BlossomError, NotFound
from foundation.ids import new_id
from foundation.logging import bind_context
from foundation.mail import Message
from foundation.passwords import MAX_LENGTH, MIN_LENGTH, common_passwords, password_problem
from foundation.rpc import Empty
from foundation.rpc.errors import FieldError, ValidationFailed
from product.accounts import queries, rate_limit
from product.accounts.reset import request_reset
from product.accounts.sessions import clear_session_cookie, create_session, set_session_cookie
from product.accounts.tokens import VERIFY_TOKEN_LIFETIME, issue_token
from product.audit import ACCOUNT, audit_event
from product.mail import send_mail
from product.rpc import AnonymousReq, Req, UserReq, router

# No whitespace or control character in any part. The class names the characters Python's `\s`
# and JavaScript's (JSON Schema's) disagree on, and `$(?!\n)` is the end of the text in both (in
# Python `$` alone also matches before a final newline), so the server and the OpenAPI document
# accept the same addresses.
_EMAIL_PART = r"[^@\s\x00-\x1f\x7f\x85\ufeff]+"
Email = Annotated[str, msgspec.Meta(pattern=rf"^{_EMAIL_PART}@{_EMAIL_PART}\.{_EMAIL_PART}$(?!\n)", max_length=320)]
Password = Annotated[str, msgspec.Meta(max_length=MAX_LENGTH)]  # an existing one: checked, not judged
# A password being chosen: its length is in the type (so the schema states it); the rest of
# `password_problem` (common passwords) is checked by the route.
NewPassword = Annotated[str, msgspec.Meta(min_length=MIN_LENGTH, max_length=MAX_LENGTH)]
DisplayName = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Token = Annotated[str, msgspec.Meta(min_length=16, max_length=200)]
Role = Literal["owner", "admin", "member"]


class InvalidCredentials(BlossomError):
    """Wrong email or password (never says which)."""

    code = "invalid_credentials"
    status = 401


class InvalidToken(BlossomError):
    """The link's token is unknown, used or expired."""

    code = "invalid_token"
    status = 400


class WrongPassword(BlossomError):
    code = "wrong_password"
    status = 403


class PasswordTooCommon(BlossomError):
    """The new password is among the most common ones. Its own code rather than `invalid_input`:
    the schema states every other rule for a new password (its length), but cannot state this one,
    so a request valid by the schema may get it."""

    code = "password_too_common"
    status = 400

    class Fields(msgspec.Struct, frozen=True):
        field: str  # the input field holding the password


def _check_new_password(password: str, field: str) -> None:
    problem = password_problem(password)
    if problem is None:
        return
    if password.lower() in common_passwords():
        raise PasswordTooCommon(problem, field=field)
    raise ValidationFailed([FieldError(field, problem)])  # the type's length bounds, checked again


# --- what a page load needs -------------------------------------------------------------------


class UserOut(msgspec.Struct, frozen=True):
    id: str
    email: str
    display_name: str
    email_verified: bool


class OrgSummary(msgspec.Struct, frozen=True):
    id: str
    name: str
    role: Role


class ImpersonationOut(msgspec.Struct, frozen=True):
    """This session is an administrator acting as the user (show a banner): who, until when, and
    whether it may only read."""

    impersonation_id: str
    admin_id: str
    admin_email: str
    read_only: bool
    expires_at: dt.datetime


class InitOut(msgspec.Struct, frozen=True):
    """Everything a page load needs: the user (or nobody), their orgs, the active org and role;
    `impersonation` when an administrator opened this session as the user."""

    user: UserOut | None
    orgs: list[OrgSummary]
    active_org: OrgSummary | None
    impersonation: ImpersonationOut | None = None


async def session_impersonation(req: Req[Any], session_id: str | None) -> ImpersonationOut | None:
    if session_id is None:
        return None
    row = await queries.session_impersonation(req.db, id=session_id)
    if row is None or row.impersonation_id is None or row.impersonated_by is None or row.impersonator_email is None:
        return None
    return ImpersonationOut(
        impersonation_id=row.impersonation_id,
        admin_id=row.impersonated_by,
        admin_email=row.impersonator_email,
        read_only=row.read_only,
        expires_at=row.expires_at,
    )


async def build_init(req: Req[Any], user_id: str | None, active_org_id: str | None) -> InitOut:
    if user_id is None:
        return InitOut(user=None, orgs=[], active_org=None)
    user = await queries.get_user(req.db, id=user_id)
    if user is None:
        return InitOut(user=None, orgs=[], active_org=None)
    orgs = [OrgSummary(id=o.id, name=o.name, role=o.role) for o in await queries.my_orgs(req.db, user_id=user_id)]
    active = next((o for o in orgs if o.id == active_org_id), None)
    return InitOut(
        user=UserOut(
            id=user.id,
            email=user.email,
            display_name=user.display_name,
            email_verified=user.email_verified_at is not None,
        ),
        orgs=orgs,
        active_org=active,
    )


@router.route("auth.init", read_only=True)
async def init(req: Req[Empty]) -> InitOut:
    """The signed-in user (or nobody), their organizations, the active one and their role there,
    and whether an administrator is impersonating them in this session."""
    init = await build_init(req, req.principal.user_id, req.principal.org_id)
    if req.principal.impersonation is not None and init.user is not None:
        init = msgspec.structs.replace(init, impersonation=await session_impersonation(req, req.principal.session_id))
    return init


# --- sign up, log in, log out -------------------------------------------------------------------


class SignupIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    email: Email
    password: NewPassword
    display_name: DisplayName


class Accepted(msgspec.Struct, frozen=True):
    """The same answer whatever the outcome, so it reveals nothing about accounts."""

    status: Literal["check_your_email"] = "check_your_email"


@router.route("auth.signup", errors=[PasswordTooCommon])
async def signup(req: AnonymousReq[SignupIn]) -> Accepted:
    """Create an account and send a verification email. A taken email gets the same answer (and
    its owner an email saying someone tried)."""
    svc = req.services
    await rate_limit.hit(req, rate_limit.SIGNUP_PER_ADDRESS, rate_limit.address_of(req))
    _check_new_password(req.body.password, "password")
    password_hash = await svc.hasher.hash_async(req.body.password)  # the same work either way
    user_id = new_id("usr", clock=svc.clock)
    email = req.body.email.lower()
    await _set_user_context(req, user_id)
    created = await queries.insert_user(
        req.db, id=user_id, email=email, display_name=req.body.display_name, password_hash=password_hash
    )
    if created is not None:
        message = await issue_token(
            req.db,
            user_id=user_id,
            purpose="email_verification",
            to=email,
            lifetime=VERIFY_TOKEN_LIFETIME,
            subject="Confirm your email",
            now=svc.clock.now(),
        )
        await send_mail(req, message)
        after = {"email": email, "display_name": req.body.display_name}
        await audit_event(req, "auth.signup", chain=ACCOUNT, target=user_id, user_id=user_id, after=after)
    else:
        await send_mail(
            req,
            Message(
                to=email,
                subject="Someone tried to sign up with your email",
                body="If this was you, log in or reset your password instead.",
            ),
        )
    return Accepted()


class LoginIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    email: Email
    password: Password


@router.route("auth.login", errors=[InvalidCredentials])
async def login(req: AnonymousReq[LoginIn]) -> InitOut:
    """Check the password (the same work for unknown emails), start a new session, set the cookie."""
    svc = req.services
    email = req.body.email.lower()
    await rate_limit.hit_login(req, email)
    account = await queries.login_lookup(req.db, email=email)
    ok, needs_rehash = await svc.hasher.verify_async(req.body.password, account.password_hash if account else None)
    if account is None or not ok:
        raise InvalidCredentials("wrong email or password")
    bind_context(user_id=account.user_id)  # on this request's later lines, its access line included
    await _set_user_context(req, account.user_id)
    await rate_limit.login_succeeded(req.db, req, email)
    if needs_rehash:
        await queries.set_password_hash(
            req.db, id=account.user_id, password_hash=await svc.hasher.hash_async(req.body.password)
        )
    orgs = await queries.my_orgs(req.db, user_id=account.user_id)
    active_org_id = orgs[0].id if orgs else None
    session_id, token = await create_session(
        req.db,
        svc.session_key,
        user_id=account.user_id,
        active_org_id=active_org_id,
        user_agent=req.headers.get(b"user-agent", b"").decode("utf-8", "replace"),
        now=svc.clock.now(),
    )
    req.set_cookie(set_session_cookie(token, secure=svc.secure_cookies))
    init = await build_init(req, account.user_id, active_org_id)
    await audit_event(req, "auth.login", chain=ACCOUNT, target=session_id, user_id=account.user_id)
    return init


async def _set_user_context(req: Req[Any], user_id: str) -> None:
    """Public routes act for a user they have just authenticated: give the transaction that user."""
    await change_context(await req.db.connection(), user_id=user_id)


@router.route("auth.logout")
async def logout(req: UserReq[Empty]) -> Empty:
    """End this session on the server and clear the cookie."""
    if req.principal.session_id and await queries.delete_session(
        req.db, id=req.principal.session_id, user_id=req.principal.user_id
    ):
        await audit_event(req, "auth.logout", chain=ACCOUNT, target=req.principal.session_id)
    req.set_cookie(clear_session_cookie(secure=req.services.secure_cookies))
    return Empty()


# --- sessions -------------------------------------------------------------------------------------


class SessionOut(msgspec.Struct, frozen=True):
    id: str
    current: bool
    user_agent: str
    created_at: dt.datetime
    last_seen_at: dt.datetime
    expires_at: dt.datetime
    impersonated_by: str | None = None  # an administrator's email: they opened this session as me
    read_only: bool = False  # an impersonation that may only read


class SessionsOut(msgspec.Struct, frozen=True):
    sessions: list[SessionOut]


@router.route("auth.sessions.list", read_only=True)
async def list_sessions(req: UserReq[Empty]) -> SessionsOut:
    """My sessions, newest first."""
    rows = await queries.list_sessions(req.db, user_id=req.principal.user_id)
    return SessionsOut(
        [
            SessionOut(
                id=r.id,
                current=r.id == req.principal.session_id,
                user_agent=r.user_agent,
                created_at=r.created_at,
                last_seen_at=r.last_seen_at,
                expires_at=r.expires_at,
                impersonated_by=r.impersonator_email,
                read_only=r.read_only,
            )
            for r in rows
        ]
    )


class SessionIdIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    session_id: Annotated[str, msgspec.Meta(pattern=r"^ses_[0-9a-z]{26}$")]


class Revoked(msgspec.Struct, frozen=True):
    revoked: int


@router.route("auth.sessions.revoke", errors=[NotFound])
async def revoke_session(req: UserReq[SessionIdIn]) -> Revoked:
    """End one of my sessions."""
    revoked = await queries.delete_session(req.db, id=req.body.session_id, user_id=req.principal.user_id)
    if revoked == 0:
        raise NotFound("no such session")
    await audit_event(req, "auth.sessions.revoke", chain=ACCOUNT, target=req.body.session_id)
    return Revoked(revoked)


@router.route("auth.sessions.revoke_others")
async def revoke_other_sessions(req: UserReq[Empty]) -> Revoked:
    """End every session of mine but this one."""
    keep = req.principal.session_id or ""  # signed in some other way: every session ends
    revoked = await queries.delete_other_sessions(req.db, user_id=req.principal.user_id, keep_id=keep)
    if revoked:
        after = {"revoked": revoked}
        await audit_event(req, "auth.sessions.revoke_others", chain=ACCOUNT, target=req.principal.user_id, after=after)
    return Revoked(revoked)


# --- passwords ------------------------------------------------------------------------------------


class ChangePasswordIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    current_password: Password
    new_password: NewPassword


@router.route("auth.password.change", errors=[WrongPassword, PasswordTooCommon], impersonation=False)
async def change_password(req: UserReq[ChangePasswordIn]) -> Empty:
    """Change my password: every other session ends, this one gets a new token, and outstanding
    reset codes stop working."""
    svc = req.services
    user_id, session_id = req.principal.user_id, req.principal.session_id
    await rate_limit.hit(req, rate_limit.PASSWORD_CHANGE_PER_USER, user_id)  # before the hash it pays for
    _check_new_password(req.body.new_password, "new_password")
    stored = await queries.get_password_hash(req.db, id=user_id)
    ok, _ = await svc.hasher.verify_async(req.body.current_password, stored.password_hash if stored else None)
    if not ok:
        raise WrongPassword("the current password is wrong")
    await queries.set_password_hash(
        req.db, id=user_id, password_hash=await svc.hasher.hash_async(req.body.new_password)
    )
    await queries.delete_open_user_tokens(req.db, user_id=user_id, purpose="password_reset")
    ended = 0
    if session_id is not None:
        ended = await queries.delete_other_sessions(req.db, user_id=user_id, keep_id=session_id)
        token = new_signed_token(svc.session_key)
        await queries.rotate_session_token(req.db, id=session_id, token_hash=token_digest(token))
        req.set_cookie(set_session_cookie(token, secure=svc.secure_cookies))
    after = {"sessions_ended": ended}
    await audit_event(req, "auth.password.change", chain=ACCOUNT, target=user_id, after=after)
    return Empty()


class ResetRequestIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    email: Email


@router.route("auth.password.reset_request")
async def request_password_reset(req: AnonymousReq[ResetRequestIn]) -> Accepted:
    """Email a single-use reset code if the account exists; the answer is the same either way.
    The request only queues the job (the same work for every email); the outbox worker looks the
    account up and mails the code after the response. A new code replaces the older ones."""
    email = req.body.email.lower()
    if await rate_limit.hit_reset(req, email):
        await request_reset(req, email)
    return Accepted()


class ResetConfirmIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    token: Token
    new_password: NewPassword


async def _use_token(req: Req[Any], token: str, purpose: Literal["password_reset", "email_verification"]) -> str:
    """Consume a single-use token; the user it belongs to."""
    svc = req.services
    found = await queries.user_token_for_hash(req.db, token_hash=token_digest(token), purpose=purpose)
    now = svc.clock.now()
    if found is None or found.used_at is not None or found.expires_at <= now:
        raise InvalidToken("this code is unknown, used or expired")
    await _set_user_context(req, found.user_id)
    if await queries.use_user_token(req.db, id=found.token_id, now=now) != 1:
        raise InvalidToken("this code is unknown, used or expired")
    return found.user_id


@router.route("auth.password.reset_confirm", errors=[InvalidToken, PasswordTooCommon])
async def confirm_password_reset(req: AnonymousReq[ResetConfirmIn]) -> Empty:
    """Set a new password with a reset code; every session of the account and every other
    reset code end."""
    _check_new_password(req.body.new_password, "new_password")
    user_id = await _use_token(req, req.body.token, "password_reset")
    password_hash = await req.services.hasher.hash_async(req.body.new_password)
    await queries.set_password_hash(req.db, id=user_id, password_hash=password_hash)
    await queries.delete_open_user_tokens(req.db, user_id=user_id, purpose="password_reset")
    after = {"sessions_ended": await queries.delete_all_sessions(req.db, user_id=user_id)}
    await audit_event(req, "auth.password.reset", chain=ACCOUNT, target=user_id, user_id=user_id, after=after)
    return Empty()


class TokenIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    token: Token


@router.route("auth.email.verify", errors=[InvalidToken])
async def verify_email(req: AnonymousReq[TokenIn]) -> Empty:
    """Confirm an email address with the code sent at sign-up."""
    user_id = await _use_token(req, req.body.token, "email_verification")
    await queries.mark_email_verified(req.db, id=user_id, verified_at=req.services.clock.now())
    await audit_event(req, "auth.email.verify", chain=ACCOUNT, target=user_id, user_id=user_id)
    return Empty()

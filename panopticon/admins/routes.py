"""Administrator identity: enrolment (a one-time code from `just admin create` or `admins.invite`,
then a password and a TOTP secret confirmed with a first code), login with a password and a
mandatory second factor, logout, and the owner's management of administrators.

No enumeration at login: an unknown email, a disabled or unenrolled administrator, a wrong
password and a wrong second factor all get the same `invalid_credentials`, after the same one
password hash."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

import asyncpg
import msgspec

from foundation.crypto import token_digest
from foundation.errors import BlossomError, Conflict, NotFound
from foundation.ids import new_id
from foundation.logging import bind_context
from foundation.passwords import MAX_LENGTH, MIN_LENGTH, common_passwords, password_problem
from foundation.rpc import Empty
from foundation.rpc.errors import FieldError, ValidationFailed
from panopticon.admins import audit_hooks, queries, rate_limit, totp
from panopticon.admins.enrolment import EmailTaken, invite
from panopticon.admins.sessions import clear_cookie_header, cookie_header, create_session
from panopticon.rpc import AdminReq, AdminRole, AnonymousReq, router

_EMAIL_PART = r"[^@\s\x00-\x1f\x7f\x85\ufeff]+"  # as product's: the server and the schema agree
Email = Annotated[str, msgspec.Meta(pattern=rf"^{_EMAIL_PART}@{_EMAIL_PART}\.{_EMAIL_PART}$(?!\n)", max_length=320)]
Password = Annotated[str, msgspec.Meta(max_length=MAX_LENGTH)]
NewPassword = Annotated[str, msgspec.Meta(min_length=MIN_LENGTH, max_length=MAX_LENGTH)]
Code = Annotated[str, msgspec.Meta(min_length=16, max_length=200)]  # an enrolment code
TotpCode = Annotated[str, msgspec.Meta(pattern=r"^[0-9]{6}$")]
RecoveryCode = Annotated[str, msgspec.Meta(pattern=r"^[0-9A-Za-z]{4}(-?[0-9A-Za-z]{4}){3}$")]
AdminId = Annotated[str, msgspec.Meta(pattern=r"^adm_[0-9a-hjkmnp-tv-z]{26}$")]
EnrolmentState = Literal["invited", "pending_totp", "active"]
LAST_OWNER_RULE = "admins_keep_an_owner"  # the trigger of migration 0019
MAX_ADMINS_LISTED = 1000


class InvalidCredentials(BlossomError):
    """Wrong email, password or second factor (never says which)."""

    code = "invalid_credentials"
    status = 401


class SecondFactorRequired(BlossomError):
    """Send exactly one of `totp_code` and `recovery_code` (checked before anything else)."""

    code = "second_factor_required"
    status = 400


class InvalidEnrolmentCode(BlossomError):
    """The enrolment code is unknown, used or expired, or its administrator is disabled."""

    code = "invalid_enrolment_code"
    status = 400


class WrongTotpCode(BlossomError):
    """The first TOTP code does not match the secret just issued (check the device's clock)."""

    code = "wrong_totp_code"
    status = 400


class EnrolmentNotStarted(BlossomError):
    """Confirm comes after start: no password and secret set yet for this code."""

    code = "enrolment_not_started"
    status = 409


class PasswordTooCommon(BlossomError):
    """The new password is among the most common ones (a rule no schema can state)."""

    code = "password_too_common"
    status = 400

    class Fields(msgspec.Struct, frozen=True):
        field: str


class AdminNotFound(NotFound):
    code = "admin_not_found"


class AdminExists(Conflict):
    """An administrator with this email exists already."""

    code = "admin_exists"


class LastOwner(Conflict):
    """The last enrolled, enabled owner cannot be demoted or disabled."""

    code = "last_owner"


def _check_new_password(password: str, field: str) -> None:
    problem = password_problem(password)
    if problem is None:
        return
    if password.lower() in common_passwords():
        raise PasswordTooCommon(problem, field=field)
    raise ValidationFailed([FieldError(field, problem)])


def _user_agent(req: AnonymousReq[Any]) -> str:
    return req.headers.get(b"user-agent", b"").decode("utf-8", "replace")


# --- enrolment ------------------------------------------------------------------------------------


class EnrolStartIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    code: Code
    password: NewPassword


class EnrolStartOut(msgspec.Struct, frozen=True):
    """The TOTP secret for the authenticator app (the URI, usually shown as a QR code, and the
    secret itself for typing in); confirm with `auth.enrol.confirm` and its first code."""

    otpauth_uri: str
    secret: str


async def _enrolment(req: AnonymousReq[Any], code: str) -> queries.EnrolmentForTokenRow:
    await rate_limit.hit(req, rate_limit.ENROL_PER_ADDRESS, rate_limit.address_of(req))
    found = await queries.enrolment_for_token(req.db, token_hash=token_digest(code), now=req.services.clock.now())
    if found is None or found.disabled_at is not None or found.enrolment_state == "active":
        raise InvalidEnrolmentCode("this enrolment code is unknown, used or expired")
    return found


@router.route("auth.enrol.start", errors=[InvalidEnrolmentCode, PasswordTooCommon])
async def enrol_start(req: AnonymousReq[EnrolStartIn]) -> EnrolStartOut:
    """With an enrolment code: choose a password and receive a new TOTP secret (again on a retry,
    which replaces the one before, until the first code confirms it)."""
    _check_new_password(req.body.password, "password")
    svc = req.services
    enrolment = await _enrolment(req, req.body.code)
    secret = totp.new_secret()
    await queries.set_pending_totp(
        req.db,
        id=enrolment.admin_id,
        password_hash=await svc.hasher.hash_async(req.body.password),
        totp_secret_encrypted=totp.seal_secret(svc.totp_key, secret, admin_id=enrolment.admin_id),
    )
    return EnrolStartOut(otpauth_uri=totp.provisioning_uri(secret, enrolment.email), secret=secret)


class EnrolConfirmIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    code: Code
    totp_code: TotpCode


class EnrolConfirmOut(msgspec.Struct, frozen=True):
    """Single-use recovery codes, shown this once (only their hashes are kept): each stands in for
    a TOTP code at one login."""

    recovery_codes: list[str]


@router.route("auth.enrol.confirm", errors=[InvalidEnrolmentCode, EnrolmentNotStarted, WrongTotpCode])
async def enrol_confirm(req: AnonymousReq[EnrolConfirmIn]) -> EnrolConfirmOut:
    """Confirm the TOTP secret with its first code: the enrolment code is spent, the administrator
    may log in, and the recovery codes are returned."""
    svc = req.services
    now = svc.clock.now()
    enrolment = await _enrolment(req, req.body.code)
    state = await queries.get_totp_state(req.db, id=enrolment.admin_id)
    if state is None or state.enrolment_state != "pending_totp" or state.totp_secret_encrypted is None:
        raise EnrolmentNotStarted("choose a password first (auth.enrol.start)")
    secret = totp.unseal_secret(svc.totp_key, state.totp_secret_encrypted, admin_id=enrolment.admin_id)
    step = totp.matching_step(secret, req.body.totp_code, now)
    if step is None:
        raise WrongTotpCode("this code does not match; check the device's clock and try the next one")
    await queries.activate_admin(req.db, id=enrolment.admin_id, now=now, step=step)
    await queries.use_enrolment_token(req.db, id=enrolment.token_id, now=now)
    codes = totp.new_recovery_codes()
    await queries.delete_recovery_codes(req.db, admin_id=enrolment.admin_id)
    for code in codes:
        await queries.insert_recovery_code(
            req.db,
            id=new_id("adr"),
            admin_id=enrolment.admin_id,
            code_hash=totp.recovery_code_hash(svc.recovery_key, code),
            now=now,
        )
    await audit_hooks.record(
        req.db,
        action="admin.enrolled",
        admin_id=enrolment.admin_id,
        now=now,
        request_id=req.request_id,
        client=req.client,
    )
    return EnrolConfirmOut(recovery_codes=codes)


# --- login, logout --------------------------------------------------------------------------------


class LoginIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    email: Email
    password: Password
    totp_code: TotpCode | None = None
    recovery_code: RecoveryCode | None = None  # instead of a TOTP code; consumed


class AdminOut(msgspec.Struct, frozen=True):
    id: str
    email: str
    role: AdminRole
    enrolment_state: EnrolmentState
    enrolled_at: dt.datetime | None
    disabled_at: dt.datetime | None
    created_at: dt.datetime


def _admin_out(row: Any) -> AdminOut:
    return AdminOut(
        id=row.id,
        email=row.email,
        role=row.role,
        enrolment_state=row.enrolment_state,
        enrolled_at=row.enrolled_at,
        disabled_at=row.disabled_at,
        created_at=row.created_at,
    )


async def _second_factor_ok(req: AnonymousReq[LoginIn], account: queries.LoginLookupRow) -> bool:
    svc = req.services
    if req.body.recovery_code is not None:
        used = await queries.use_recovery_code(
            req.db,
            admin_id=account.id,
            code_hash=totp.recovery_code_hash(svc.recovery_key, req.body.recovery_code),
            now=svc.clock.now(),
        )
        return used == 1
    assert req.body.totp_code is not None  # one of the two: checked first
    if account.totp_secret_encrypted is None:
        return False
    secret = totp.unseal_secret(svc.totp_key, account.totp_secret_encrypted, admin_id=account.id)
    step = totp.matching_step(secret, req.body.totp_code, svc.clock.now())
    # Accepted once: a code of this step (or an earlier one) is refused from now on.
    return step is not None and await queries.accept_totp_step(req.db, id=account.id, step=step) == 1


@router.route("auth.login", errors=[InvalidCredentials, SecondFactorRequired])
async def login(req: AnonymousReq[LoginIn]) -> AdminOut:
    """Password and a second factor (a TOTP code, or one recovery code); starts a session and sets
    the cookie. The same answer and work for an unknown email as for a wrong password."""
    if (req.body.totp_code is None) == (req.body.recovery_code is None):
        raise SecondFactorRequired("send exactly one of totp_code and recovery_code")
    svc = req.services
    email = req.body.email.lower()
    await rate_limit.hit_login(req, email)
    account = await queries.login_lookup(req.db, email=email)
    ok, needs_rehash = await svc.hasher.verify_async(req.body.password, account.password_hash if account else None)
    if account is None or not ok or not await _second_factor_ok(req, account):
        # The hook will write this row in a transaction of its own: this one rolls back.
        await audit_hooks.record(
            None,
            action="admin.login_failed",
            admin_id=None,
            request_id=req.request_id,
            client=req.client,
            details={"email": email},
        )
        raise InvalidCredentials("wrong email, password or code")
    bind_context(admin_id=account.id)
    await rate_limit.login_succeeded(req.db, req, email)
    if needs_rehash:
        await queries.set_password_hash(
            req.db, id=account.id, password_hash=await svc.hasher.hash_async(req.body.password)
        )
    _, token = await create_session(
        req.db, svc.session_key, admin_id=account.id, user_agent=_user_agent(req), now=svc.clock.now()
    )
    req.set_cookie(cookie_header(token, secure=svc.secure_cookies))
    await audit_hooks.record(
        req.db,
        action="admin.login",
        now=req.services.clock.now(),
        admin_id=account.id,
        request_id=req.request_id,
        client=req.client,
        details={"second_factor": "recovery_code" if req.body.recovery_code else "totp"},
    )
    admin = await queries.get_admin(req.db, id=account.id)
    assert admin is not None
    return _admin_out(admin)


@router.route("auth.logout", role="viewer")
async def logout(req: AdminReq[Empty]) -> Empty:
    """End this session on the server and clear the cookie."""
    if req.principal.session_id:
        await queries.delete_session(req.db, id=req.principal.session_id)
    req.set_cookie(clear_cookie_header(secure=req.services.secure_cookies))
    return Empty()


@router.route("auth.me", role="viewer", read_only=True, errors=[AdminNotFound])
async def me(req: AdminReq[Empty]) -> AdminOut:
    """The signed-in administrator."""
    admin = await queries.get_admin(req.db, id=req.principal.admin_id)
    if admin is None:
        raise AdminNotFound("no such administrator")
    return _admin_out(admin)


# --- managing administrators (owners) ---------------------------------------------------------


class AdminsOut(msgspec.Struct, frozen=True):
    admins: list[AdminOut]


@router.route("admins.list", role="owner", read_only=True)
async def list_admins(req: AdminReq[Empty]) -> AdminsOut:
    """Every administrator, by email."""
    return AdminsOut([_admin_out(row) for row in await queries.list_admins(req.db, max_rows=MAX_ADMINS_LISTED)])


class InviteIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    email: Email
    role: AdminRole


class InviteOut(msgspec.Struct, frozen=True):
    """The new administrator and their one-time enrolment code (for `auth.enrol.start`), shown
    this once: hand it over out of band."""

    admin: AdminOut
    enrolment_code: str
    expires_at: dt.datetime


@router.route("admins.invite", role="owner", errors=[AdminExists])
async def invite_admin(req: AdminReq[InviteIn]) -> InviteOut:
    """Create an administrator with this role and an enrolment code (valid 24 hours)."""
    try:
        created, code, expires_at = await invite(
            req.db, email=req.body.email, role=req.body.role, clock=req.services.clock
        )
    except EmailTaken:
        raise AdminExists("an administrator with this email exists") from None
    admin = await queries.get_admin(req.db, id=created.id)
    assert admin is not None
    await audit_hooks.record(
        req.db,
        action="admin.invited",
        now=req.services.clock.now(),
        admin_id=req.principal.admin_id,
        target_admin_id=created.id,
        request_id=req.request_id,
        client=req.client,
        details={"after": {"role": req.body.role}},
    )
    return InviteOut(admin=_admin_out(admin), enrolment_code=code, expires_at=expires_at)


@contextlib.asynccontextmanager
async def _owner_rule() -> AsyncIterator[None]:
    """The database keeps an enrolled, enabled owner (migration 0019's trigger, race-safe); its
    refusal becomes LastOwner."""
    try:
        yield
    except asyncpg.CheckViolationError as error:
        if error.constraint_name == LAST_OWNER_RULE:
            raise LastOwner("the last owner cannot be demoted or disabled") from None
        raise


class SetRoleIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    admin_id: AdminId
    role: AdminRole


@router.route("admins.set_role", role="owner", errors=[AdminNotFound, LastOwner])
async def set_role(req: AdminReq[SetRoleIn]) -> AdminOut:
    """Give an administrator another role (effective at their next request)."""
    before = await queries.get_admin(req.db, id=req.body.admin_id)
    if before is None:
        raise AdminNotFound("no such administrator")
    async with _owner_rule():
        after = await queries.set_role(req.db, id=req.body.admin_id, role=req.body.role)
    assert after is not None
    await audit_hooks.record(
        req.db,
        action="admin.role_changed",
        now=req.services.clock.now(),
        admin_id=req.principal.admin_id,
        target_admin_id=after.id,
        request_id=req.request_id,
        client=req.client,
        details={"before": {"role": before.role}, "after": {"role": after.role}},
    )
    return _admin_out(after)


class AdminIdIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    admin_id: AdminId


@router.route("admins.disable", role="owner", errors=[AdminNotFound, LastOwner])
async def disable(req: AdminReq[AdminIdIn]) -> AdminOut:
    """Disable an administrator: they cannot log in, and their sessions end at once."""
    async with _owner_rule():
        after = await queries.disable_admin(req.db, id=req.body.admin_id, now=req.services.clock.now())
    if after is None:
        raise AdminNotFound("no such administrator")
    ended = await queries.delete_admin_sessions(req.db, admin_id=after.id)
    await audit_hooks.record(
        req.db,
        action="admin.disabled",
        now=req.services.clock.now(),
        admin_id=req.principal.admin_id,
        target_admin_id=after.id,
        request_id=req.request_id,
        client=req.client,
        details={"sessions_ended": ended},
    )
    return _admin_out(after)

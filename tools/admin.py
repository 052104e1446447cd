"""Administrators: `just admin create EMAIL [--role ROLE]`.

Creates an administrator (role `owner` unless told otherwise) and prints their one-time
enrolment code; there is no public sign-up, so the first administrator comes from here and the
next ones from an owner's `admins.invite`. Runs as panopticon's own database role, after
provisioning the roles and database (as `just psql` does); the schema must be migrated
(`just migrate`, or `just dev` once).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
from typing import get_args

import asyncpg

from database import audit, embedded
from database.pool import create_app_pool
from database.provision import provision
from database.target import resolve_target
from database.tx import transaction
from foundation.errors import ConfigurationError
from foundation.settings import Settings, load_settings
from foundation.time import Clock, system_clock
from panopticon.admins.enrolment import EmailTaken, invite
from panopticon.admins.queries import InsertAdminRow
from panopticon.rpc import AdminRole
from tools.cli import run


async def create_admin(
    settings: Settings, email: str, role: AdminRole, *, clock: Clock = system_clock
) -> tuple[InsertAdminRow, str, dt.datetime]:
    """(the administrator, their enrolment code, its expiry); ConfigurationError when the email
    is taken or the schema is not migrated."""
    target = resolve_target(settings)
    if target.embedded:
        provision(target)  # a fresh checkout has no roles or database yet
    pool = await create_app_pool(target.panopticon, min_size=0, max_size=1)
    try:
        async with transaction(pool) as conn:
            created = await invite(conn, email=email, role=role, clock=clock)
            # On the administrators' audit chain, in the same transaction: no administrator
            # acted (the actor is empty), a person at a shell did.
            await audit.record(
                conn,
                chain=audit.ADMIN,
                actor=audit.Actor(),
                action="admin.created",
                now=clock.now(),
                target=created[0].id,
                reason="just admin create",
                after={"email": created[0].email, "role": role},
            )
            return created
    except EmailTaken:
        raise ConfigurationError(f"an administrator with the email {email} exists already") from None
    except asyncpg.UndefinedTableError:
        raise ConfigurationError("the database has no admins table yet: run `just migrate` first") from None
    finally:
        await pool.close()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="just admin", description=(__doc__ or "").splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="create an administrator and print their enrolment code")
    create.add_argument("email")
    create.add_argument("--role", choices=get_args(AdminRole), default="owner")
    args = parser.parse_args(argv)
    if "@" not in args.email or len(args.email) > 320 or any(c.isspace() or ord(c) < 32 for c in args.email):
        parser.error(f"{args.email!r} is not an email address")
    settings = load_settings()
    with embedded.leave_as_found(settings.data_dir / "postgres"):  # stops the server only if it started it
        admin, code, expires_at = asyncio.run(create_admin(settings, args.email, args.role))
    url = f"http://localhost:{settings.panopticon_port}"
    print(f"created administrator {admin.id} ({admin.email}, {admin.role})")
    print(f"one-time enrolment code, valid until {expires_at:%Y-%m-%d %H:%M} UTC (hand it over privately):")
    print(f"  {code}")
    print("to enrol, open the web console's enrolment page (choose a password, add the TOTP secret to an")
    print("authenticator app, confirm a first code, keep the ten recovery codes it shows once):")
    print(f"  {url}/#/enrol/{code}")
    print("or by hand:")
    print(f'  POST {url}/rpc/auth.enrol.start   {{"code": "{code}", "password": "..."}}')
    print(f'  POST {url}/rpc/auth.enrol.confirm {{"code": "{code}", "totp_code": "123456"}}')
    return 0


if __name__ == "__main__":
    run(main)

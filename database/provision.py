"""Create what migrations cannot: the roles and the database. Idempotent, safe to run concurrently.

Runs as the administrator (superuser) over psycopg, synchronously, like the migrations.
"""

from __future__ import annotations

from typing import LiteralString

import psycopg
from psycopg import sql

from database.connect import unreachable
from database.target import (
    APP_ROLE,
    OUTBOX_ROLE,
    OWNER_ROLE,
    PANOPTICON_ROLE,
    PIPELINE_ROLE,
    DatabaseTarget,
    PgUrl,
)

MAINTENANCE_DATABASE = "postgres"

# The owner owns every table and runs migrations; it bypasses RLS so data migrations see every
# row. The application role owns nothing, cannot bypass RLS and cannot create anything.
ROLE_ATTRIBUTES: dict[str, LiteralString] = {
    OWNER_ROLE: "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION BYPASSRLS",
    APP_ROLE: "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS",
    OUTBOX_ROLE: "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS",
    # The Dagster pipeline: reads the columns analytics needs, writes only the analytics schema
    # (its grants and policies are in migration 0011). A member of no other role.
    PIPELINE_ROLE: "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS",
    # The admin app: its own tables only (administrators, their sessions; migration 0019), a
    # member of no other role, so none of the product's tables.
    PANOPTICON_ROLE: "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS",
}
# The outbox worker does what requests do (its handlers write tokens and queue mail, under RLS).
ROLE_MEMBERSHIPS = [(APP_ROLE, OUTBOX_ROLE)]


def admin_connect(url: PgUrl, *, autocommit: bool = True) -> psycopg.Connection:
    try:
        return psycopg.connect(url.render(), autocommit=autocommit, connect_timeout=10)
    except psycopg.OperationalError as exc:
        reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise unreachable(url, reason) from exc


def ensure_roles(conn: psycopg.Connection) -> None:
    for role, attributes in ROLE_ATTRIBUTES.items():
        # A concurrent creator (another test worker) wins the race harmlessly.
        conn.execute(
            sql.SQL("DO $$ BEGIN CREATE ROLE {role} {attrs}; EXCEPTION WHEN duplicate_object THEN NULL; END $$").format(
                role=sql.Identifier(role), attrs=sql.SQL(attributes)
            )
        )
        # Repair drift (someone granted SUPERUSER by hand): only when needed, since concurrent
        # ALTER ROLE on one role can fail with "tuple concurrently updated".
        row = conn.execute(
            "SELECT rolsuper OR rolcreatedb OR rolcreaterole OR NOT rolcanlogin OR rolbypassrls <> %s"
            " FROM pg_roles WHERE rolname = %s",
            (role == OWNER_ROLE, role),
        ).fetchone()
        if row and row[0]:
            conn.execute(
                sql.SQL("ALTER ROLE {role} {attrs}").format(role=sql.Identifier(role), attrs=sql.SQL(attributes))
            )


def ensure_memberships(conn: psycopg.Connection) -> None:
    for granted, member in ROLE_MEMBERSHIPS:
        is_member = conn.execute("SELECT pg_has_role(%s, %s, 'MEMBER')", (member, granted)).fetchone()
        if not (is_member and is_member[0]):
            conn.execute(
                sql.SQL(
                    "DO $$ BEGIN GRANT {granted} TO {member}; EXCEPTION WHEN unique_violation THEN NULL; END $$"
                ).format(granted=sql.Identifier(granted), member=sql.Identifier(member))
            )


def database_exists(conn: psycopg.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None


def ensure_database(conn: psycopg.Connection, name: str, *, template: str | None = None) -> bool:
    """Create database `name` owned by the owner role unless it exists; True when created."""
    if database_exists(conn, name):
        return False
    statement = sql.SQL("CREATE DATABASE {name} OWNER {owner}").format(
        name=sql.Identifier(name), owner=sql.Identifier(OWNER_ROLE)
    )
    if template:
        statement += sql.SQL(" TEMPLATE {template}").format(template=sql.Identifier(template))
    try:
        conn.execute(statement)
    except psycopg.errors.DuplicateDatabase:
        return False
    return True


def drop_database(conn: psycopg.Connection, name: str) -> None:
    conn.execute(sql.SQL("DROP DATABASE IF EXISTS {name} WITH (FORCE)").format(name=sql.Identifier(name)))


def provision(target: DatabaseTarget) -> None:
    """Roles and the target database; migrations come next (`database.migrate`)."""
    with admin_connect(target.admin.with_database(MAINTENANCE_DATABASE)) as conn:
        ensure_roles(conn)
        ensure_memberships(conn)
        ensure_database(conn, target.admin.database)

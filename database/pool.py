"""The application's connection pool, which refuses a role that could bypass row-level security."""

from __future__ import annotations

import asyncpg

from database.connect import PgConnection, create_pool
from database.connection_pool import ConnectionPool
from database.target import OWNER_ROLE, VERSION_TABLE, PgUrl
from foundation.errors import ConfigurationError

_ROLE_CHECK = """
SELECT r.rolname,
       r.rolsuper,
       r.rolbypassrls,
       EXISTS (SELECT 1 FROM pg_class c WHERE c.relowner = r.oid AND c.relkind IN ('r', 'p', 'v', 'm')
               AND c.relnamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace))
           AS owns_tables,
       EXISTS (SELECT 1 FROM pg_roles g WHERE g.oid <> r.oid
               AND (g.rolsuper OR g.rolbypassrls OR g.rolname = $1)
               AND pg_has_role(r.oid, g.oid, 'MEMBER'))
           AS inherits_bypass
FROM pg_roles r WHERE r.rolname = current_user
"""


class UnsafeApplicationRole(ConfigurationError):
    pass


async def check_app_role(conn: PgConnection) -> None:
    """Raise unless the connected role is subject to every RLS policy."""
    row = await conn.fetchrow(_ROLE_CHECK, OWNER_ROLE)
    assert row is not None
    reasons = [
        reason
        for reason, present in [
            ("is a superuser", row["rolsuper"]),
            ("has BYPASSRLS", row["rolbypassrls"]),
            ("owns tables", row["owns_tables"]),
            ("is a member of a role that owns tables or bypasses RLS", row["inherits_bypass"]),
        ]
        if present
    ]
    if reasons:
        raise UnsafeApplicationRole(
            f"refusing to serve requests as role {row['rolname']!r}: it {' and '.join(reasons)}, "
            "so row-level security would not isolate organizations. Use the application role (blossom_app)."
        )


async def create_app_pool(
    url: PgUrl, *, min_size: int = 1, max_size: int = 10, behind_pooler: bool = False
) -> ConnectionPool:
    """`behind_pooler`: a transaction-mode pooler (PgBouncer) is in between, so no prepared
    statement is kept across transactions (asyncpg's statement cache off)."""
    extra = {"statement_cache_size": 0} if behind_pooler else {}
    pool = await create_pool(url, min_size=min_size, max_size=max_size, **extra)
    try:
        async with pool.acquire() as conn:
            await check_app_role(conn)
    except BaseException:
        await pool.close()
        raise
    return pool


async def schema_version(conn: PgConnection) -> str | None:
    """The newest applied migration, or None before the first."""
    try:
        return await conn.fetchval(f"SELECT max(migration_id) FROM {VERSION_TABLE}")
    except asyncpg.UndefinedTableError:
        return None

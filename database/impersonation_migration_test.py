"""Migration 0021 rewrites the session lookup (it returns the impersonation's columns). Where
users have a `disabled_at` (migration 0020, support tools, merged in either order), the rewrite
keeps refusing a disabled user's sessions and marks them disabled as targets: 0021's DO block,
run again here in a transaction that adds the column and rolls back."""

from __future__ import annotations

import re

from database.migrate import MIGRATIONS_DIR
from database.testing.fixture import T


def _do_block() -> str:
    sql = (MIGRATIONS_DIR / "0021_impersonation.sql").read_text()
    match = re.search(r"^DO \$do\$.*?^\$do\$;", sql, re.S | re.M)
    assert match, "0021 defines the session lookup in a DO block"
    return match.group(0)


async def test_the_lookup_keeps_refusing_disabled_users_where_they_exist(t: T) -> None:
    user = await t.factory.user(email="someone@example.com")
    async with t.db.owner.acquire() as conn:
        tx = conn.transaction()
        await tx.start()
        try:
            await conn.execute("DROP FUNCTION app_session_for_token(bytea)")
            await conn.execute("DROP FUNCTION app_impersonation_target(text)")
            await conn.execute("ALTER TABLE users ADD COLUMN disabled_at timestamptz")
            await conn.execute(_do_block())
            lookup = await conn.fetchval("SELECT prosrc FROM pg_proc WHERE proname = 'app_session_for_token'")
            assert "u.disabled_at IS NULL" in lookup
            await conn.execute("UPDATE users SET disabled_at = now() WHERE id = $1", user.id)
            target = await conn.fetchrow("SELECT * FROM app_impersonation_target($1)", user.id)
            assert target is not None and target["disabled"] is True
        finally:
            await tx.rollback()
    lookup = await t.db.owner.fetchval("SELECT prosrc FROM pg_proc WHERE proname = 'app_session_for_token'")
    assert "impersonation_id" in lookup  # the real one, untouched


async def test_without_the_column_the_lookup_has_no_such_join(t: T) -> None:
    lookup = await t.db.owner.fetchval("SELECT prosrc FROM pg_proc WHERE proname = 'app_session_for_token'")
    has_column = await t.db.owner.fetchval(
        "SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = 'users'::regclass AND attname = 'disabled_at')"
    )
    assert ("u.disabled_at IS NULL" in lookup) == has_column

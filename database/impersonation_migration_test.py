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


async def _rerun(t: T, *, without_column: bool) -> tuple[str, bool]:
    """0021's DO block run again (without `users.disabled_at` if asked) in a transaction rolled
    back: (the lookup's source, whether a disabled user is reported disabled)."""
    user = await t.factory.user(email="someone@example.com")
    async with t.db.owner.acquire() as conn:
        tx = conn.transaction()
        await tx.start()
        try:
            await conn.execute("DROP FUNCTION app_session_for_token(bytea)")
            await conn.execute("DROP FUNCTION app_impersonation_target(text)")
            if without_column:
                await conn.execute("ALTER TABLE users DROP COLUMN disabled_at CASCADE")
            else:
                await conn.execute("UPDATE users SET disabled_at = now() WHERE id = $1", user.id)
            await conn.execute(_do_block())
            lookup = await conn.fetchval("SELECT prosrc FROM pg_proc WHERE proname = 'app_session_for_token'")
            target = await conn.fetchrow("SELECT * FROM app_impersonation_target($1)", user.id)
            assert target is not None
            return lookup, target["disabled"]
        finally:
            await tx.rollback()


async def test_the_lookup_keeps_refusing_disabled_users_where_they_exist(t: T) -> None:
    lookup, disabled = await _rerun(t, without_column=False)
    assert "u.disabled_at IS NULL" in lookup and disabled is True
    real = await t.db.owner.fetchval("SELECT prosrc FROM pg_proc WHERE proname = 'app_session_for_token'")
    assert "impersonation_id" in real and "u.disabled_at IS NULL" in real  # the migrated one, untouched


async def test_without_the_column_the_lookup_has_no_such_join(t: T) -> None:
    lookup, disabled = await _rerun(t, without_column=True)
    assert "u.disabled_at" not in lookup and disabled is False  # (a.disabled_at: the administrator's)

"""Row-level security keeps organizations apart, enforced by PostgreSQL itself."""

import asyncpg
import pytest

from database.testing.fixture import T


async def _world(t: T):
    org_a, org_b = await t.factory.org(name="A"), await t.factory.org(name="B")
    alice = await t.factory.user()
    note_a = await t.factory.note(org_a, body="a's secret", author=alice)
    note_b = await t.factory.note(org_b, body="b's secret")
    return org_a, org_b, alice, note_a, note_b


async def test_select_in_org_a_sees_only_org_a_rows(t: T) -> None:
    org_a, _, alice, note_a, note_b = await _world(t)
    async with t.db.tenant(user_id=alice.id, org_id=org_a.id) as conn:
        assert await conn.fetch("SELECT id FROM org_notes") == [(note_a.id,)]
        assert await conn.fetchval("SELECT count(*) FROM org_notes WHERE id = $1", note_b.id) == 0
        assert [r["id"] for r in await conn.fetch("SELECT id FROM orgs")] == [org_a.id]
    # The owner (who bypasses RLS) confirms both notes exist.
    assert await t.db.owner.fetchval("SELECT count(*) FROM org_notes") == 2


async def test_insert_naming_another_org_is_rejected(t: T) -> None:
    org_a, org_b, alice, *_ = await _world(t)
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="row-level security"):
        async with t.db.tenant(user_id=alice.id, org_id=org_a.id) as conn:
            await conn.execute("INSERT INTO org_notes (org_id, body) VALUES ($1, 'planted')", org_b.id)
    assert await t.db.owner.fetchval("SELECT count(*) FROM org_notes WHERE body = 'planted'") == 0


async def test_update_and_delete_cannot_reach_another_org(t: T) -> None:
    org_a, org_b, alice, _, note_b = await _world(t)
    async with t.db.tenant(user_id=alice.id, org_id=org_a.id) as conn:
        assert await conn.execute("UPDATE org_notes SET body = 'defaced' WHERE id = $1", note_b.id) == "UPDATE 0"
        assert await conn.execute("DELETE FROM org_notes WHERE id = $1", note_b.id) == "DELETE 0"
        assert await conn.execute("UPDATE orgs SET name = 'taken' WHERE id = $1", org_b.id) == "UPDATE 0"
    assert await t.db.owner.fetchval("SELECT body FROM org_notes WHERE id = $1", note_b.id) == "b's secret"
    assert await t.db.owner.fetchval("SELECT name FROM orgs WHERE id = $1", org_b.id) == "B"


async def test_update_cannot_move_a_row_into_another_org(t: T) -> None:
    org_a, org_b, alice, note_a, _ = await _world(t)
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="row-level security"):
        async with t.db.tenant(user_id=alice.id, org_id=org_a.id) as conn:
            await conn.execute("UPDATE org_notes SET org_id = $1 WHERE id = $2", org_b.id, note_a.id)
    assert await t.db.owner.fetchval("SELECT org_id FROM org_notes WHERE id = $1", note_a.id) == org_a.id


async def test_without_context_tenant_tables_show_nothing(t: T) -> None:
    await _world(t)
    async with t.db.app_transaction() as conn:
        for table in ("org_notes", "orgs", "users"):
            assert await conn.fetchval(f"SELECT count(*) FROM {table}") == 0, table
    async with t.db.tenant() as conn:
        assert await conn.fetchval("SELECT count(*) FROM org_notes") == 0
    # Outside any transaction, too (the app pool's connections carry no context).
    assert await t.db.app.fetchval("SELECT count(*) FROM org_notes") == 0


async def test_users_see_only_themselves(t: T) -> None:
    alice, bob = await t.factory.user(), await t.factory.user()
    async with t.db.tenant(user_id=alice.id) as conn:
        assert [r["id"] for r in await conn.fetch("SELECT id FROM users")] == [alice.id]
        assert await conn.execute("UPDATE users SET display_name = 'x' WHERE id = $1", bob.id) == "UPDATE 0"


async def test_the_app_role_cannot_turn_rls_off_or_change_the_schema(t: T) -> None:
    async with t.db.app.acquire() as conn:
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.execute("ALTER TABLE org_notes DISABLE ROW LEVEL SECURITY")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.execute("CREATE TABLE sneaky (id int)")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.execute("SET ROLE blossom_owner")

"""The generated shared queries, run as the application role through RLS."""

from database import queries
from database.testing.fixture import T


async def test_tenant_queries_see_and_change_only_their_org(t: T) -> None:
    org_a, org_b = await t.factory.org(), await t.factory.org()
    author = await t.factory.user()
    mine = await t.factory.note(org_a, body="mine", author=author)
    theirs = await t.factory.note(org_b, body="theirs")

    async with t.db.tenant(user_id=author.id, org_id=org_a.id) as conn:
        assert await queries.list_org_notes(conn, max_rows=10) == [mine]
        assert await queries.count_org_notes(conn) == queries.CountOrgNotesRow(notes=1)
        assert await queries.get_org(conn, id=org_b.id) is None
        assert await queries.delete_org_note(conn, id=theirs.id) == 0
        created = await queries.create_org_note(conn, org_id=org_a.id, author_id=author.id, body="new")
    assert created is not None
    assert created.org_id == org_a.id
    assert created.id.startswith("note_")
    assert await t.db.owner.fetchval("SELECT count(*) FROM org_notes") == 3


async def test_list_is_ordered_oldest_first_and_limited(t: T) -> None:
    org = await t.factory.org()
    notes = [await t.factory.note(org) for _ in range(3)]
    async with t.db.tenant(org_id=org.id) as conn:
        assert await queries.list_org_notes(conn, max_rows=2) == notes[:2]


async def test_org_defaults_fill_id_and_created_at(t: T) -> None:
    async with t.db.owner.acquire() as conn:
        org = await queries.create_org(conn, name="Defaults")
    assert org is not None
    assert org.id.startswith("org_")
    assert org.created_at.tzinfo is not None

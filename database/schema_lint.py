"""Rules every table must follow, checked against the live catalog of a migrated database.

Run by database/schema_lint_test.py; each rule returns human-readable problems, empty when clean.
"""

from __future__ import annotations

from database.connect import PgConnection

_TABLES = """
SELECT c.oid, c.relname FROM pg_class c
WHERE c.relnamespace = $1::regnamespace AND c.relkind IN ('r', 'p')
  AND c.relname NOT LIKE '\\_yoyo%' AND c.relname <> 'yoyo_lock'
ORDER BY c.relname
"""

_PRIMARY_KEYS = """
SELECT t.relname,
       array_agg(a.attname ORDER BY array_position(pk.conkey, a.attnum))
           FILTER (WHERE a.attnum = ANY (pk.conkey)) AS pk_columns,
       bool_and(a.atttypid = 'text'::regtype) FILTER (WHERE a.attnum = ANY (pk.conkey)) AS pk_is_text,
       EXISTS (SELECT 1 FROM pg_constraint ck JOIN pg_attribute ca ON ca.attrelid = t.oid AND ca.attname = 'id'
               WHERE ck.conrelid = t.oid AND ck.contype = 'c' AND ck.conkey = ARRAY[ca.attnum]
                 AND pg_get_constraintdef(ck.oid) ~ '~ ''\\^[a-z]+_') AS has_prefix_check
FROM pg_class t
LEFT JOIN pg_constraint pk ON pk.conrelid = t.oid AND pk.contype = 'p'
LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE t.oid = ANY ($1::oid[])
GROUP BY t.relname, t.oid, pk.conkey
"""

_NAIVE_TIMES = """
SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod) AS type
FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
WHERE c.oid = ANY ($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
  AND a.atttypid IN ('timestamp'::regtype, 'time'::regtype, 'timestamp[]'::regtype)
"""

_TENANT_TABLES = """
SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
       (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid) AS policies
FROM pg_class c
WHERE c.oid = ANY ($1::oid[])
  AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'org_id' AND NOT a.attisdropped)
"""

# A foreign key is served by an index whose leading columns are exactly the key's columns.
_UNINDEXED_FOREIGN_KEYS = """
SELECT c.relname, fk.conname
FROM pg_constraint fk JOIN pg_class c ON c.oid = fk.conrelid
WHERE fk.contype = 'f' AND c.oid = ANY ($1::oid[])
  AND NOT EXISTS (
      SELECT 1 FROM pg_index i
      WHERE i.indrelid = fk.conrelid
        AND (i.indkey::int2[])[0:cardinality(fk.conkey) - 1] @> fk.conkey
        AND (i.indkey::int2[])[0:cardinality(fk.conkey) - 1] <@ fk.conkey)
"""


async def lint_schema(conn: PgConnection, schema: str = "public") -> list[str]:
    tables = await conn.fetch(_TABLES, schema)
    oids = [t["oid"] for t in tables]
    problems: list[str] = []
    for row in await conn.fetch(_PRIMARY_KEYS, oids):
        # (org_id, id): a tenant table ready to be distributed by org_id (Citus wants the
        # distribution column in every primary key and unique constraint).
        if row["pk_columns"] not in (["id"], ["org_id", "id"]) or not row["pk_is_text"]:
            problems.append(f"{row['relname']}: primary key must be a text column `id` (or `org_id, id`)")
        elif not row["has_prefix_check"]:
            problems.append(f"{row['relname']}: `id` needs a CHECK on its prefix, such as id ~ '^abc_…'")
    for row in await conn.fetch(_NAIVE_TIMES, oids):
        problems.append(f"{row['relname']}.{row['attname']}: {row['type']} has no time zone; use timestamptz")
    for row in await conn.fetch(_TENANT_TABLES, oids):
        if not (row["relrowsecurity"] and row["relforcerowsecurity"]):
            problems.append(f"{row['relname']}: has org_id, so row-level security must be enabled and forced")
        if row["policies"] == 0:
            problems.append(f"{row['relname']}: has org_id but no row-level security policy")
    for row in await conn.fetch(_UNINDEXED_FOREIGN_KEYS, oids):
        problems.append(f"{row['relname']}: foreign key {row['conname']} has no index leading with its columns")
    return problems

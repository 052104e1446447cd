"""Rules every table must follow, checked against the live catalog of a migrated database.

Run by database/schema_lint_test.py; each rule returns human-readable problems, empty when clean.

Citus readiness: a tenant table (one with an `org_id` column) is one Citus would distribute by
`org_id`. Citus enforces a primary key or unique index only when it contains the distribution
column, and a foreign key between distributed tables only when it joins on that column, so every
tenant table's primary key is `(org_id, id)`, its unique indexes lead with `org_id`, and its
foreign keys to other tenant tables include `org_id` on both sides. `orgs` is the distribution
key's home: it has no `org_id`, its `id` is the key (Citus would distribute it by `id`, co-located
with the tenant tables), so its primary key stays `(id)` and a tenant table's foreign key to it
must be its own `org_id`. A unique index that must span every organization is listed in
`GLOBAL_UNIQUE` with the reason, which is also what would change for Citus (README, "Deployment").
"""

from __future__ import annotations

from database.connect import PgConnection

_TABLES = """
SELECT c.oid, c.relname FROM pg_class c
WHERE c.relnamespace = $1::regnamespace AND c.relkind IN ('r', 'p')
  AND c.relname NOT LIKE '\\_yoyo%' AND c.relname <> 'yoyo_lock'
ORDER BY c.relname
"""

# The key's columns in key order; whether `id` is text and has a CHECK of its own on its prefix.
_PRIMARY_KEYS = """
SELECT t.relname,
       (SELECT array_agg(a.attname::text ORDER BY k.position)
        FROM unnest(pk.conkey) WITH ORDINALITY AS k(attnum, position)
        JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum) AS pk_columns,
       coalesce(id.atttypid = 'text'::regtype, false) AS id_is_text,
       EXISTS (SELECT 1 FROM pg_constraint ck
               WHERE ck.conrelid = t.oid AND ck.contype = 'c' AND ck.conkey = ARRAY[id.attnum]
                 AND pg_get_constraintdef(ck.oid) ~ '~ ''\\^[a-z]+_') AS has_prefix_check,
       EXISTS (SELECT 1 FROM pg_attribute o
               WHERE o.attrelid = t.oid AND o.attname = 'org_id' AND NOT o.attisdropped) AS tenant
FROM pg_class t
LEFT JOIN pg_constraint pk ON pk.conrelid = t.oid AND pk.contype = 'p'
LEFT JOIN pg_attribute id ON id.attrelid = t.oid AND id.attname = 'id' AND NOT id.attisdropped
WHERE t.oid = ANY ($1::oid[])
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


# Unique indexes (constraints included, the primary key apart) of tenant tables not leading with org_id.
_UNIQUE_WITHOUT_ORG = """
SELECT c.relname, i.relname AS index_name
FROM pg_index x
JOIN pg_class c ON c.oid = x.indrelid
JOIN pg_class i ON i.oid = x.indexrelid
JOIN pg_attribute o ON o.attrelid = c.oid AND o.attname = 'org_id' AND NOT o.attisdropped
WHERE x.indisunique AND NOT x.indisprimary AND c.oid = ANY ($1::oid[]) AND x.indkey[0] <> o.attnum
"""

# Foreign keys from a tenant table to another tenant table, or to the home of the key, that do not
# pair the referencing org_id with the referenced org_id (or with the home's id).
_FOREIGN_KEYS_ACROSS_ORGS = """
SELECT c.relname, fk.conname
FROM pg_constraint fk
JOIN pg_class c ON c.oid = fk.conrelid
JOIN pg_attribute o ON o.attrelid = c.oid AND o.attname = 'org_id' AND NOT o.attisdropped
JOIN pg_attribute r ON r.attrelid = fk.confrelid AND NOT r.attisdropped
     AND r.attname = CASE WHEN fk.confrelid = to_regclass($2) THEN 'id' ELSE 'org_id' END
WHERE fk.contype = 'f' AND c.oid = ANY ($1::oid[])
  AND NOT EXISTS (SELECT 1 FROM unnest(fk.conkey, fk.confkey) AS k(col, ref)
                  WHERE k.col = o.attnum AND k.ref = r.attnum)
"""

# The organizations themselves: the distribution key's home (its id is every tenant row's org_id).
DISTRIBUTION_KEY_HOME = "public.orgs"

# Unique indexes of tenant tables that must hold across every organization, with the reason. Each
# is what Citus could not enforce on a table distributed by org_id (README, "Deployment").
GLOBAL_UNIQUE: dict[str, str] = {
    "workspace_handles_handle_key": (
        "a handle is a public name (the chat page's address) in one namespace shared by every"
        " organization; on Citus the claimed names move to a reference table keyed by handle"
    ),
}


async def lint_schema(conn: PgConnection, schema: str = "public") -> list[str]:
    tables = await conn.fetch(_TABLES, schema)
    oids = [t["oid"] for t in tables]
    problems: list[str] = []
    for row in await conn.fetch(_PRIMARY_KEYS, oids):
        if row["tenant"] and (row["pk_columns"] != ["org_id", "id"] or not row["id_is_text"]):
            problems.append(
                f"{row['relname']}: has org_id, so its primary key must be (org_id, id), id text"
                " (Citus distributes tenant tables by org_id)"
            )
        elif not row["tenant"] and (row["pk_columns"] != ["id"] or not row["id_is_text"]):
            problems.append(f"{row['relname']}: primary key must be a single text column `id`")
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
    for row in await conn.fetch(_UNIQUE_WITHOUT_ORG, oids):
        if row["index_name"] not in GLOBAL_UNIQUE:
            problems.append(
                f"{row['relname']}: unique index {row['index_name']} must lead with org_id"
                " (or be listed in GLOBAL_UNIQUE with its reason)"
            )
    for row in await conn.fetch(_FOREIGN_KEYS_ACROSS_ORGS, oids, DISTRIBUTION_KEY_HOME):
        problems.append(
            f"{row['relname']}: foreign key {row['conname']} must include org_id, paired with the"
            " referenced table's org_id (orgs: its id)"
        )
    return problems

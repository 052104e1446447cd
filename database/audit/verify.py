"""Recompute every chain's hashes, independently of the SQL that wrote them, and report the first
broken link of each: an edited row (its hash no longer matches its fields), a deleted or
reordered one (a gap in seq, or a prev_hash that is not the hash of the row before), a deleted
last row (the chain's head names a row that is gone), a head that is missing or disagrees.

The encoding is app_audit_hash's (migration 0018): prev_hash, then each field as its UTF-8
length (4 bytes, big-endian) and bytes, NULL as ff ff ff ff."""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterable

import msgspec

from database.audit import queries
from database.connect import DbConnection

GENESIS = bytes(32)
VERSION = "blossom-audit-v1"
PAGE = 1000

Row = queries.OrgAuditPageRow | queries.PlatformAuditPageRow


class Break(msgspec.Struct, frozen=True):
    """The first broken link of one chain."""

    chain: str
    seq: int  # where the chain breaks (the missing or damaged row's position)
    row_id: str | None  # the row found there, if any
    problem: str

    def __str__(self) -> str:
        where = f"seq {self.seq}" + (f" ({self.row_id})" if self.row_id else "")
        return f"{self.chain}: {where}: {self.problem}"


def _field(value: str | None) -> bytes:
    if value is None:
        return b"\xff\xff\xff\xff"
    data = value.encode()
    return struct.pack(">i", len(data)) + data


def row_hash(chain: str, row: Row, prev_hash: bytes) -> bytes:
    fields: Iterable[str | None] = (
        VERSION,
        chain,
        str(row.seq),
        row.id,
        str(row.at_micros),
        row.actor_user_id,
        row.actor_admin_id,
        row.acting_as_user_id,
        row.action,
        row.target,
        row.reason,
        row.request_id,
        row.client_address,
        row.before_text,
        row.after_text,
    )
    return hashlib.sha256(prev_hash + b"".join(_field(f) for f in fields)).digest()


def is_org_chain(chain: str) -> bool:
    return chain.startswith("org_")


async def _page(conn: DbConnection, chain: str, after_seq: int) -> list[Row]:
    if is_org_chain(chain):
        return list(await queries.org_audit_page(conn, org_id=chain, after_seq=after_seq, max_rows=PAGE))
    return list(await queries.platform_audit_page(conn, chain=chain, after_seq=after_seq, max_rows=PAGE))


async def verify_chain(conn: DbConnection, chain: str) -> tuple[int, Break | None]:
    """How many rows of `chain` check out, and its first broken link (None when intact). Reads
    a page at a time, so a long chain needs no more memory than a short one. Run it in one
    REPEATABLE READ transaction (as `verify_all`'s caller does) so writers cannot move it."""
    if is_org_chain(chain):
        head = await queries.org_audit_head(conn, org_id=chain)
    else:
        head = await queries.platform_audit_head(conn, chain=chain)
    seq, prev = 0, GENESIS
    while rows := await _page(conn, chain, seq):
        for row in rows:
            if row.seq != seq + 1:
                return seq, Break(chain, seq + 1, None, f"row missing: the chain goes from seq {seq} to {row.seq}")
            if row.prev_hash != prev:
                return seq, Break(chain, row.seq, row.id, "prev_hash is not the previous row's hash")
            if row_hash(chain, row, prev) != row.hash:
                return seq, Break(chain, row.seq, row.id, "edited: the hash does not match the row's fields")
            seq, prev = row.seq, row.hash
    if head is None:
        return seq, Break(chain, seq, None, "the chain has no head")
    if head.seq > seq:
        return seq, Break(chain, seq + 1, None, f"row missing: the head names seq {head.seq}, the last row is {seq}")
    if head.seq < seq or head.hash != prev:
        return seq, Break(chain, head.seq, None, "the head does not match the chain's last row")
    return seq, None


async def verify_all(conn: DbConnection) -> tuple[int, int, list[Break]]:
    """(chains, rows checked, broken links: at most one per chain)."""
    chains = [c.chain for c in await queries.list_audit_chains(conn)]
    rows, breaks = 0, []
    for chain in chains:
        checked, broken = await verify_chain(conn, chain)
        rows += checked
        if broken is not None:
            breaks.append(broken)
    return len(chains), rows, breaks

"""The system page: the schema version, the database's size and connections, the app's version."""

from __future__ import annotations

import importlib.metadata

import msgspec

from database.pool import schema_version
from foundation.rpc import Empty
from panopticon.rpc import AdminReq, router
from panopticon.system import queries


class RoleConnections(msgspec.Struct, frozen=True):
    role: str  # a database role, or "(background)" for PostgreSQL's own processes
    connections: int


class Connections(msgspec.Struct, frozen=True):
    total: int
    max: int  # the server's max_connections
    by_role: list[RoleConnections]


class StatusOut(msgspec.Struct, frozen=True):
    app_version: str
    environment: str
    schema_version: str | None  # the newest applied migration
    database_size_bytes: int
    connections: Connections


def app_version() -> str:
    try:
        return importlib.metadata.version("blossom")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


@router.route("system.status", read_only=True, role="viewer")
async def status(req: AdminReq[Empty]) -> StatusOut:
    """Schema version, database size and connection counts, and the app's version."""
    db = await queries.database_status(req.db)
    assert db is not None  # one row, always
    by_role = await queries.connections_by_role(req.db)
    return StatusOut(
        app_version=app_version(),
        environment=req.services.settings.environment,
        schema_version=await schema_version(await req.db.connection()),
        database_size_bytes=db.size_bytes,
        connections=Connections(
            total=db.connections,
            max=db.max_connections,
            by_role=[RoleConnections(role=r.role, connections=r.connections) for r in by_role],
        ),
    )

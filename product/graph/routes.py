"""The organization's graph: node types with a JSON Schema, nodes (JSON documents of a type) and
typed relationships between its nodes. README.md says which rule holds where."""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import time
from typing import Annotated, Any, Literal

import asyncpg
import msgspec

from foundation.errors import Conflict, NotFound
from foundation.rpc import Empty
from foundation.rpc.errors import FieldError
from product.graph import cursors, queries, schemas
from product.graph.cursors import InvalidCursor, PageSize, PageToken
from product.graph.schemas import DocumentTooLarge, InvalidSchema, SchemaViolation
from product.rpc import OrgReq, router

NodeTypeId = Annotated[str, msgspec.Meta(pattern=r"^nty_[0-9a-z]{26}$")]
NodeId = Annotated[str, msgspec.Meta(pattern=r"^nod_[0-9a-z]{26}$")]
RelationshipId = Annotated[str, msgspec.Meta(pattern=r"^rel_[0-9a-z]{26}$")]
TypeName = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
RelationshipType = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Description = Annotated[str, msgspec.Meta(max_length=2000)]
Document = dict[str, Any]
Direction = Literal["out", "in", "both"]
MAX_DEPTH = 10  # steps of a traversal
MAX_TRAVERSAL_RESULTS = 1000
MAX_TRAVERSAL_VISITS = 20_000  # (node, depth) pairs a traversal may visit before it stops
MAX_FILTER_BYTES = 4096
MAX_REVALIDATED = 10_000  # nodes a schema change re-checks; a larger type keeps its schema
MAX_REVALIDATION_CHECKS = 1_000_000  # keyword checks for all of them
MAX_REVALIDATION_SECONDS = 1.0  # and the time, on the event loop (yielding between nodes)
DEFAULT_PAGE = 50


class NodeTypeNotFound(NotFound):
    code = "node_type_not_found"


class NodeTypeNameTaken(Conflict):
    """Another node type of this organization has this name."""

    code = "node_type_name_taken"


class NodeTypeInUse(Conflict):
    """Nodes of this type exist: delete them first, or delete with `cascade`."""

    code = "node_type_in_use"


class NodesViolateSchema(Conflict):
    """A node of this type does not satisfy the new schema (the first one found is named)."""

    code = "nodes_violate_schema"

    class Fields(msgspec.Struct, frozen=True):
        node_id: str
        fields: list[FieldError]


class TooManyNodesToRevalidate(Conflict):
    """The type has more nodes than a schema change re-checks in one request."""

    code = "too_many_nodes_to_revalidate"

    class Fields(msgspec.Struct, frozen=True):
        limit: int


class NodeNotFound(NotFound):
    """No such node in this organization; `field` names the input that named it."""

    code = "node_not_found"

    class Fields(msgspec.Struct, frozen=True):
        field: str


class RelationshipNotFound(NotFound):
    code = "relationship_not_found"


@functools.cache
def _cursor_key(secret: bytes) -> bytes:
    return cursors.cursor_key(secret)


def _key(req: OrgReq[Any]) -> bytes:
    return _cursor_key(req.services.settings.signing_secret)


def _page(req: OrgReq[Any], listing: str, params: Any, token: str | None) -> str:
    return cursors.resume(_key(req), req.principal.org_id, listing, params, token)


def _next(req: OrgReq[Any], listing: str, params: Any, rows: list[Any], size: int, last: Any) -> str | None:
    """A token for the next page when this one is full (one more row than asked was read)."""
    if len(rows) <= size:
        return None
    return cursors.issue(_key(req), req.principal.org_id, listing, params, last(rows[size - 1]))


def _document(field: str, value: Any, limit: int = schemas.MAX_DOCUMENT_BYTES) -> Any:
    schemas.bounded(field, value, limit)
    return value


# --- node types ------------------------------------------------------------------------------------


class NodeTypeOut(msgspec.Struct, frozen=True):
    id: str
    name: str
    description: str
    schema: Document
    created_at: dt.datetime
    updated_at: dt.datetime


def _type_out(row: queries.GraphNodeType) -> NodeTypeOut:
    return NodeTypeOut(row.id, row.name, row.description, row.schema, row.created_at, row.updated_at)  # type: ignore[arg-type]


class CreateNodeTypeIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: TypeName
    description: Description = ""
    schema: Document = msgspec.field(default_factory=dict)  # {} accepts any document


@router.route("node_types.create", errors=[NodeTypeNameTaken, InvalidSchema, DocumentTooLarge], api_keys=True)
async def create_node_type(req: OrgReq[CreateNodeTypeIn]) -> NodeTypeOut:
    """Define a node type: a name unique in the organization and a JSON Schema (draft 2020-12)."""
    body = req.body
    schemas.check_schema(body.schema)
    row = await queries.insert_node_type(
        req.db,
        org_id=req.principal.org_id,
        name=body.name,
        description=body.description,
        schema=body.schema,
        now=req.services.clock.now(),
    )
    if row is None:
        raise NodeTypeNameTaken(f"a node type named {body.name!r} exists")
    return _type_out(row)


class NodeTypeIdIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    id: NodeTypeId


async def _node_type(req: OrgReq[Any], node_type_id: str) -> queries.GraphNodeType:
    row = await queries.get_node_type(req.db, org_id=req.principal.org_id, id=node_type_id)
    if row is None:
        raise NodeTypeNotFound("no such node type")
    return row


@router.route("node_types.get", errors=[NodeTypeNotFound], read_only=True, api_keys=True)
async def get_node_type(req: OrgReq[NodeTypeIdIn]) -> NodeTypeOut:
    """One node type."""
    return _type_out(await _node_type(req, req.body.id))


class UpdateNodeTypeIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    id: NodeTypeId
    name: TypeName | msgspec.UnsetType = msgspec.UNSET
    description: Description | msgspec.UnsetType = msgspec.UNSET
    schema: Document | msgspec.UnsetType = msgspec.UNSET


@router.route(
    "node_types.update",
    errors=[
        NodeTypeNotFound,
        NodeTypeNameTaken,
        InvalidSchema,
        DocumentTooLarge,
        NodesViolateSchema,
        TooManyNodesToRevalidate,
    ],
    api_keys=True,
)
async def update_node_type(req: OrgReq[UpdateNodeTypeIn]) -> NodeTypeOut:
    """Rename, redescribe or change the schema of a node type (absent fields stay). A new schema
    must hold for every existing node of the type; the type is locked while they are checked."""
    body = req.body
    org_id = req.principal.org_id
    if body.schema is not msgspec.UNSET:
        schemas.check_schema(body.schema)
    current = await queries.lock_node_type(req.db, org_id=org_id, id=body.id)
    if current is None:
        raise NodeTypeNotFound("no such node type")
    if body.schema is not msgspec.UNSET and body.schema != current.schema:
        await _revalidate(req, body.id, body.schema)
    if body.name is not msgspec.UNSET and body.name != current.name:
        taken = await queries.node_type_named(req.db, org_id=org_id, name=body.name)
        if taken is not None:
            raise NodeTypeNameTaken(f"a node type named {body.name!r} exists")
    try:
        row = await queries.update_node_type(
            req.db,
            org_id=org_id,
            id=body.id,
            name=None if body.name is msgspec.UNSET else body.name,
            description=None if body.description is msgspec.UNSET else body.description,
            schema=None if body.schema is msgspec.UNSET else body.schema,
            now=req.services.clock.now(),
        )
    except asyncpg.UniqueViolationError:  # renamed concurrently to the same name
        raise NodeTypeNameTaken(f"a node type named {body.name!r} exists") from None
    assert row is not None  # locked above
    return _type_out(row)


async def _revalidate(req: OrgReq[Any], node_type_id: str, schema: Document) -> None:
    after, seen, budget = "", 0, MAX_REVALIDATION_CHECKS
    until = time.perf_counter() + MAX_REVALIDATION_SECONDS  # a cost bound, not a measurement
    while True:
        rows = await queries.nodes_of_type_page(
            req.db, org_id=req.principal.org_id, node_type_id=node_type_id, after=after, max_rows=500
        )
        seen += len(rows)
        if seen > MAX_REVALIDATED:
            raise TooManyNodesToRevalidate(
                f"the type has more than {MAX_REVALIDATED} nodes: its schema cannot change", limit=MAX_REVALIDATED
            )
        for number, row in enumerate(rows):
            found = schemas.violations(schema, row.data, checks=min(budget, schemas.MAX_CHECKS), until=until)
            budget -= schemas.spent()
            if budget <= 0 or time.perf_counter() >= until:
                raise TooManyNodesToRevalidate(
                    "re-checking the type's nodes against the new schema takes too long", limit=MAX_REVALIDATED
                )
            if number % 50 == 49:
                await asyncio.sleep(0)  # let the worker's other requests run between nodes
            if found:
                raise NodesViolateSchema(
                    f"node {row.id} does not match the new schema: {found[0].path}: {found[0].message}",
                    node_id=row.id,
                    fields=[msgspec.to_builtins(f) for f in found],
                )
        if len(rows) < 500:
            return
        after = rows[-1].id


class DeleteNodeTypeIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    id: NodeTypeId
    cascade: bool = False  # also delete its nodes (and their relationships)


class NodeTypeDeleted(msgspec.Struct, frozen=True):
    nodes_deleted: int


@router.route("node_types.delete", errors=[NodeTypeNotFound, NodeTypeInUse], api_keys=True)
async def delete_node_type(req: OrgReq[DeleteNodeTypeIn]) -> NodeTypeDeleted:
    """Delete a node type: refused while it has nodes, unless `cascade` deletes them too."""
    org_id = req.principal.org_id
    # The lock waits for transactions inserting nodes of the type and makes later ones wait for
    # this one (their foreign key check then finds no type): no node outlives its type.
    if await queries.lock_node_type(req.db, org_id=org_id, id=req.body.id) is None:
        raise NodeTypeNotFound("no such node type")
    deleted = 0
    if req.body.cascade:
        deleted = await queries.delete_nodes_of_type(req.db, org_id=org_id, node_type_id=req.body.id)
    else:
        found = await queries.has_nodes_of_type(req.db, org_id=org_id, node_type_id=req.body.id)
        if found is not None and found.found:
            raise NodeTypeInUse("nodes of this type exist: delete them first, or delete with cascade")
    try:
        await queries.delete_node_type(req.db, org_id=org_id, id=req.body.id)
    except asyncpg.ForeignKeyViolationError:  # the backstop: a node of the type still exists
        raise NodeTypeInUse("nodes of this type exist: delete them first, or delete with cascade") from None
    return NodeTypeDeleted(nodes_deleted=deleted)


class ListNodeTypesIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    page_size: PageSize = DEFAULT_PAGE
    page_token: PageToken | None = None


class NodeTypesOut(msgspec.Struct, frozen=True):
    node_types: list[NodeTypeOut]
    next_page_token: str | None


@router.route("node_types.list", errors=[InvalidCursor], read_only=True, api_keys=True)
async def list_node_types(req: OrgReq[ListNodeTypesIn]) -> NodeTypesOut:
    """The organization's node types in creation order, a page at a time."""
    body = req.body
    after = _page(req, "node_types", None, body.page_token)
    rows = await queries.list_node_types(req.db, org_id=req.principal.org_id, after=after, max_rows=body.page_size + 1)
    token = _next(req, "node_types", None, rows, body.page_size, lambda r: r.id)
    return NodeTypesOut([_type_out(r) for r in rows[: body.page_size]], token)


# --- nodes -----------------------------------------------------------------------------------------


class NodeOut(msgspec.Struct, frozen=True):
    id: str
    node_type_id: str
    data: Document
    created_at: dt.datetime
    updated_at: dt.datetime


def _node_out(row: queries.GraphNode) -> NodeOut:
    return NodeOut(row.id, row.node_type_id, row.data, row.created_at, row.updated_at)  # type: ignore[arg-type]


class CreateNodeIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    node_type_id: NodeTypeId
    data: Document = msgspec.field(default_factory=dict)


@router.route("nodes.create", errors=[NodeTypeNotFound, SchemaViolation, DocumentTooLarge], api_keys=True)
async def create_node(req: OrgReq[CreateNodeIn]) -> NodeOut:
    """Add a node of a type; its data must satisfy the type's schema."""
    body = req.body
    data = _document("data", body.data)
    node_type = await _node_type(req, body.node_type_id)
    schemas.validate(node_type.schema, data)
    try:
        row = await queries.insert_node(
            req.db,
            org_id=req.principal.org_id,
            node_type_id=node_type.id,
            data=data,
            now=req.services.clock.now(),
        )
    except asyncpg.ForeignKeyViolationError:  # the type was deleted meanwhile
        raise NodeTypeNotFound("no such node type") from None
    assert row is not None
    return _node_out(row)


class NodeIdIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    id: NodeId


async def _node(req: OrgReq[Any], node_id: str, field: str = "id") -> queries.GraphNode:
    row = await queries.get_node(req.db, org_id=req.principal.org_id, id=node_id)
    if row is None:
        raise NodeNotFound("no such node", field=field)
    return row


@router.route("nodes.get", errors=[NodeNotFound], read_only=True, api_keys=True)
async def get_node(req: OrgReq[NodeIdIn]) -> NodeOut:
    """One node."""
    return _node_out(await _node(req, req.body.id))


class UpdateNodeIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    id: NodeId
    data: Document


async def _write_data(req: OrgReq[Any], node_id: str, change: Any) -> NodeOut:
    """Under the node's row lock: the new document from `change(old)`, validated, written."""
    org_id = req.principal.org_id
    locked = await queries.lock_node(req.db, org_id=org_id, id=node_id)
    if locked is None:
        raise NodeNotFound("no such node", field="id")
    data = _document("data", change(locked.data))
    schemas.validate(locked.schema, data)
    row = await queries.update_node_data(req.db, org_id=org_id, id=node_id, data=data, now=req.services.clock.now())
    assert row is not None
    return _node_out(row)


@router.route("nodes.update", errors=[NodeNotFound, SchemaViolation, DocumentTooLarge], api_keys=True)
async def update_node(req: OrgReq[UpdateNodeIn]) -> NodeOut:
    """Replace a node's whole document (validated against its type's schema)."""
    data = _document("data", req.body.data)
    return await _write_data(req, req.body.id, lambda _old: data)


class PatchNodeIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    id: NodeId
    patch: Document  # RFC 7396: null removes a member, an object merges, anything else replaces


@router.route("nodes.patch", errors=[NodeNotFound, SchemaViolation, DocumentTooLarge], api_keys=True)
async def patch_node(req: OrgReq[PatchNodeIn]) -> NodeOut:
    """Apply a JSON merge patch (RFC 7396) to a node's document; the result is validated."""
    patch = _document("patch", req.body.patch)
    return await _write_data(req, req.body.id, lambda old: schemas.merge_patch(old, patch))


@router.route("nodes.delete", errors=[NodeNotFound], api_keys=True)
async def delete_node(req: OrgReq[NodeIdIn]) -> Empty:
    """Delete a node and, in the same transaction, every relationship from or to it."""
    if not await queries.delete_node(req.db, org_id=req.principal.org_id, id=req.body.id):
        raise NodeNotFound("no such node", field="id")
    return Empty()


class ListNodesIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    node_type_id: NodeTypeId | None = None
    filter: Document | None = None  # only nodes whose data contains this object (`@>`)
    page_size: PageSize = DEFAULT_PAGE
    page_token: PageToken | None = None


class NodesOut(msgspec.Struct, frozen=True):
    nodes: list[NodeOut]
    next_page_token: str | None


@router.route("nodes.list", errors=[InvalidCursor, DocumentTooLarge], read_only=True, api_keys=True)
async def list_nodes(req: OrgReq[ListNodesIn]) -> NodesOut:
    """Nodes in creation (id) order, of one type or all, optionally only those whose data contains
    `filter`; a page at a time (keyset: pages stay consistent while nodes are added)."""
    body = req.body
    org_id = req.principal.org_id
    params = [body.node_type_id, body.filter]
    after = _page(req, "nodes", params, body.page_token)
    limit = body.page_size + 1
    if body.filter is not None:
        _document("filter", body.filter, MAX_FILTER_BYTES)
    if body.node_type_id is None and body.filter is None:
        rows = await queries.list_nodes(req.db, org_id=org_id, after=after, max_rows=limit)
    elif body.node_type_id is None:
        rows = await queries.list_nodes_containing(
            req.db, org_id=org_id, filter=body.filter, after=after, max_rows=limit
        )
    elif body.filter is None:
        rows = await queries.list_nodes_of_type(
            req.db, org_id=org_id, node_type_id=body.node_type_id, after=after, max_rows=limit
        )
    else:
        rows = await queries.list_nodes_of_type_containing(
            req.db, org_id=org_id, node_type_id=body.node_type_id, filter=body.filter, after=after, max_rows=limit
        )
    token = _next(req, "nodes", params, rows, body.page_size, lambda r: r.id)
    return NodesOut([_node_out(r) for r in rows[: body.page_size]], token)


# --- relationships ---------------------------------------------------------------------------------


class RelationshipOut(msgspec.Struct, frozen=True):
    id: str
    source_node_id: str
    target_node_id: str
    type: str
    data: Document | None
    created_at: dt.datetime
    updated_at: dt.datetime


def _rel_out(row: queries.GraphRelationship) -> RelationshipOut:
    return RelationshipOut(
        row.id,
        row.source_id,
        row.target_id,
        row.type,
        row.data,  # type: ignore[arg-type]
        row.created_at,
        row.updated_at,
    )


class CreateRelationshipIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    source_node_id: NodeId
    target_node_id: NodeId
    type: RelationshipType
    data: Document | None = None


@router.route("relationships.create", errors=[NodeNotFound, DocumentTooLarge], api_keys=True)
async def create_relationship(req: OrgReq[CreateRelationshipIn]) -> RelationshipOut:
    """Relate two nodes of this organization (a node of another is not found)."""
    body = req.body
    if body.data is not None:
        _document("data", body.data)
    await _node(req, body.source_node_id, "source_node_id")
    await _node(req, body.target_node_id, "target_node_id")
    try:
        row = await queries.insert_relationship(
            req.db,
            org_id=req.principal.org_id,
            source_id=body.source_node_id,
            target_id=body.target_node_id,
            type=body.type,
            data=body.data,
            now=req.services.clock.now(),
        )
    except asyncpg.ForeignKeyViolationError:  # a node deleted meanwhile
        raise NodeNotFound("no such node", field="source_node_id") from None
    assert row is not None
    return _rel_out(row)


class RelationshipIdIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    id: RelationshipId


@router.route("relationships.get", errors=[RelationshipNotFound], read_only=True, api_keys=True)
async def get_relationship(req: OrgReq[RelationshipIdIn]) -> RelationshipOut:
    """One relationship."""
    row = await queries.get_relationship(req.db, org_id=req.principal.org_id, id=req.body.id)
    if row is None:
        raise RelationshipNotFound("no such relationship")
    return _rel_out(row)


class UpdateRelationshipIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    id: RelationshipId
    type: RelationshipType | msgspec.UnsetType = msgspec.UNSET
    data: Document | msgspec.UnsetType | None = msgspec.UNSET  # null clears it


@router.route("relationships.update", errors=[RelationshipNotFound, DocumentTooLarge], api_keys=True)
async def update_relationship(req: OrgReq[UpdateRelationshipIn]) -> RelationshipOut:
    """Change a relationship's type or data (absent fields stay; data null clears it)."""
    body = req.body
    data = None if body.data is msgspec.UNSET else body.data
    if data is not None:
        _document("data", data)
    row = await queries.update_relationship(
        req.db,
        org_id=req.principal.org_id,
        id=body.id,
        type=None if body.type is msgspec.UNSET else body.type,
        set_data=body.data is not msgspec.UNSET,
        data=data,
        now=req.services.clock.now(),
    )
    if row is None:
        raise RelationshipNotFound("no such relationship")
    return _rel_out(row)


@router.route("relationships.delete", errors=[RelationshipNotFound], api_keys=True)
async def delete_relationship(req: OrgReq[RelationshipIdIn]) -> Empty:
    """Delete a relationship (its nodes stay)."""
    if not await queries.delete_relationship(req.db, org_id=req.principal.org_id, id=req.body.id):
        raise RelationshipNotFound("no such relationship")
    return Empty()


class ListRelationshipsIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    source_node_id: NodeId | None = None
    target_node_id: NodeId | None = None
    type: RelationshipType | None = None
    page_size: PageSize = DEFAULT_PAGE
    page_token: PageToken | None = None


class RelationshipsOut(msgspec.Struct, frozen=True):
    relationships: list[RelationshipOut]
    next_page_token: str | None


@router.route("relationships.list", errors=[InvalidCursor], read_only=True, api_keys=True)
async def list_relationships(req: OrgReq[ListRelationshipsIn]) -> RelationshipsOut:
    """Relationships from a node, to a node, of a type (any combination), in creation order, a
    page at a time."""
    body = req.body
    org_id = req.principal.org_id
    params = [body.source_node_id, body.target_node_id, body.type]
    after = _page(req, "relationships", params, body.page_token)
    limit = body.page_size + 1
    if body.source_node_id is not None:
        rows = await queries.list_relationships_from(
            req.db,
            org_id=org_id,
            source_id=body.source_node_id,
            target_id=body.target_node_id,
            type=body.type,
            after=after,
            max_rows=limit,
        )
    elif body.target_node_id is not None:
        rows = await queries.list_relationships_to(
            req.db, org_id=org_id, target_id=body.target_node_id, type=body.type, after=after, max_rows=limit
        )
    elif body.type is not None:
        rows = await queries.list_relationships_of_type(
            req.db, org_id=org_id, type=body.type, after=after, max_rows=limit
        )
    else:
        rows = await queries.list_relationships(req.db, org_id=org_id, after=after, max_rows=limit)
    token = _next(req, "relationships", params, rows, body.page_size, lambda r: r.id)
    return RelationshipsOut([_rel_out(r) for r in rows[: body.page_size]], token)


# --- walking the graph -----------------------------------------------------------------------------


class NeighboursIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    id: NodeId
    direction: Direction = "both"
    type: RelationshipType | None = None  # only relationships of this type
    page_size: PageSize = DEFAULT_PAGE
    page_token: PageToken | None = None


class Neighbour(msgspec.Struct, frozen=True):
    relationship: RelationshipOut
    node: NodeOut  # the node at the other end


class NeighboursOut(msgspec.Struct, frozen=True):
    neighbours: list[Neighbour]
    next_page_token: str | None


@router.route("nodes.neighbours", errors=[NodeNotFound, InvalidCursor], read_only=True, api_keys=True)
async def neighbours(req: OrgReq[NeighboursIn]) -> NeighboursOut:
    """A node's relationships (outgoing, incoming or both) with the node at their other end, in
    relationship creation order, a page at a time."""
    body = req.body
    params = [body.id, body.direction, body.type]
    after = _page(req, "neighbours", params, body.page_token)
    await _node(req, body.id)
    rows = await queries.neighbours(
        req.db,
        org_id=req.principal.org_id,
        node_id=body.id,
        outgoing=body.direction != "in",
        incoming=body.direction != "out",
        type=body.type,
        after=after,
        max_rows=body.page_size + 1,
    )
    token = _next(req, "neighbours", params, rows, body.page_size, lambda r: r.relationship_id)
    return NeighboursOut(
        [
            Neighbour(
                RelationshipOut(
                    r.relationship_id,
                    r.source_id,
                    r.target_id,
                    r.type,
                    r.relationship_data,  # type: ignore[arg-type]
                    r.relationship_created_at,
                    r.relationship_updated_at,
                ),
                NodeOut(r.node_id, r.node_type_id, r.node_data, r.node_created_at, r.node_updated_at),  # type: ignore[arg-type]
            )
            for r in rows[: body.page_size]
        ],
        token,
    )


class TraverseIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    id: NodeId
    max_depth: Annotated[int, msgspec.Meta(ge=1, le=MAX_DEPTH)] = 3
    direction: Direction = "out"
    type: RelationshipType | None = None  # follow only relationships of this type
    limit: Annotated[int, msgspec.Meta(ge=1, le=MAX_TRAVERSAL_RESULTS)] = 100


class Reached(msgspec.Struct, frozen=True):
    node: NodeOut
    depth: int  # the fewest steps from the start


class TraversalOut(msgspec.Struct, frozen=True):
    nodes: list[Reached]
    truncated: bool  # more nodes may be reachable than listed (the limit or the visit bound was hit)


@router.route("nodes.traverse", errors=[NodeNotFound], read_only=True, api_keys=True)
async def traverse(req: OrgReq[TraverseIn]) -> TraversalOut:
    """The nodes reachable from a node within `max_depth` steps (each once, nearest first; cycles
    are walked once), at most `limit` of them. The start node is not listed."""
    body = req.body
    await _node(req, body.id)
    rows = await queries.traverse(
        req.db,
        org_id=req.principal.org_id,
        start_id=body.id,
        outgoing=body.direction != "in",
        incoming=body.direction != "out",
        max_depth=body.max_depth,
        type=body.type,
        max_visits=MAX_TRAVERSAL_VISITS,
        max_rows=body.limit + 1,
    )
    truncated = len(rows) > body.limit or any(r.visits >= MAX_TRAVERSAL_VISITS for r in rows[:1])
    return TraversalOut(
        [
            Reached(NodeOut(r.id, r.node_type_id, r.data, r.created_at, r.updated_at), r.depth)  # type: ignore[arg-type]
            for r in rows[: body.limit]
        ],
        truncated,
    )

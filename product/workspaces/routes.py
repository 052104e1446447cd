"""The organization's assistant workspace (created on first use), its services and its
scheduling connectors. README.md says what holds which invariant."""

from __future__ import annotations

import datetime as dt
import functools
import re
import secrets
import unicodedata
import zoneinfo
from decimal import Decimal
from typing import Annotated, Any, Literal

import msgspec

from foundation.errors import BlossomError, Conflict, NotFound
from foundation.rpc import Empty
from product.orgs import queries as org_queries
from product.rpc import OrgReq, router
from product.workspaces import queries

HANDLE_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
Handle = Annotated[str, msgspec.Meta(pattern=HANDLE_PATTERN, min_length=3, max_length=40)]
DisplayName = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Timezone = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
KNOWLEDGE_BASE_LIMIT = 20_000  # characters; the database's CHECK says the same
KnowledgeBase = Annotated[str, msgspec.Meta(max_length=KNOWLEDGE_BASE_LIMIT)]
Tagline = Annotated[str, msgspec.Meta(max_length=200)]
Tone = Literal["professional", "friendly", "concise"]
REDIRECT_LIFETIME = dt.timedelta(days=30)
RESERVED_HANDLES = frozenset(
    {
        "about", "admin", "api", "app", "assets", "billing", "blog", "blossom", "chat", "dashboard", "docs",
        "help", "health", "login", "logout", "mail", "null", "privacy", "root", "rpc", "settings", "signup",
        "static", "status", "support", "system", "terms", "undefined", "www",
    }
)  # fmt: skip
ServiceId = Annotated[str, msgspec.Meta(pattern=r"^svc_[0-9a-z]{26}$")]
ConnectorId = Annotated[str, msgspec.Meta(pattern=r"^con_[0-9a-z]{26}$")]
ServiceName = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Description = Annotated[str, msgspec.Meta(max_length=2000)]
Minutes = Annotated[int, msgspec.Meta(ge=1, le=1440)]
Price = Annotated[str, msgspec.Meta(pattern=r"^[0-9]{1,10}(\.[0-9]{1,2})?$")]  # a decimal, as text
Currency = Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{3}$")]


class HandleTaken(Conflict):
    """Another workspace holds this handle (or still redirects from it)."""

    code = "handle_taken"


class HandleReserved(BlossomError):
    code = "handle_reserved"
    status = 400


class UnknownTimezone(BlossomError):
    """Not an IANA time zone name (such as Europe/Madrid)."""

    code = "unknown_timezone"
    status = 400


class ServiceNotFound(NotFound):
    code = "service_not_found"


class ConnectorNotFound(NotFound):
    code = "connector_not_found"


# --- workspace -------------------------------------------------------------------------------------


class WorkspaceOut(msgspec.Struct, frozen=True):
    id: str
    handle: str
    display_name: str
    tone: Tone
    timezone: str
    knowledge_base: str
    tagline: str
    redirects: list[str]  # old handles that still lead here (for 30 days after a change)
    created_at: dt.datetime
    updated_at: dt.datetime


@functools.cache
def _timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def valid_timezone(name: str) -> str:
    if name not in _timezones():
        raise UnknownTimezone(f"{name!r} is not an IANA time zone name")
    return name


def handle_base(name: str) -> str:
    """A handle from an organization's name: ASCII letters and digits joined by single hyphens,
    at most 33 characters (room for a suffix), at least 3."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name).strip("-")[:33].strip("-")
    if len(slug) < 3:
        slug = f"{slug}-assistant" if slug else "assistant"
    return slug


def _candidates(base: str) -> Any:
    if base not in RESERVED_HANDLES:
        yield base
    for n in range(2, 21):
        yield f"{base}-{n}"
    while True:  # a crowded name: random suffixes (never loops long)
        yield f"{base}-{secrets.token_hex(3)}"


async def ensure_workspace(req: OrgReq[Any]) -> queries.GetWorkspaceRow:
    """The organization's workspace, created on first use with a handle from its name. Two first
    uses of one organization meet at the unique org_id (the second waits, then reads the first's);
    two organizations whose names collide meet at the unique handle and the loser takes the next."""
    org_id = req.principal.org_id
    found = await queries.get_workspace(req.db, org_id=org_id)
    if found is not None:
        return found
    now = req.services.clock.now()
    org = await _org_name(req)
    created = await queries.insert_workspace(req.db, org_id=org_id, display_name=org, now=now)
    if created is not None:
        for handle in _candidates(handle_base(org)):
            await queries.release_expired_handle(req.db, handle=handle, now=now)
            if await queries.claim_handle(req.db, org_id=org_id, workspace_id=created.id, handle=handle, now=now):
                break
    workspace = await queries.get_workspace(req.db, org_id=org_id)
    assert workspace is not None
    return workspace


async def _org_name(req: OrgReq[Any]) -> str:
    org = await org_queries.get_org_name(req.db, id=req.principal.org_id)
    return org.name[:200] if org is not None else "assistant"


async def _out(req: OrgReq[Any], workspace: queries.GetWorkspaceRow) -> WorkspaceOut:
    redirects = await queries.list_redirects(req.db, workspace_id=workspace.id, now=req.services.clock.now())
    return WorkspaceOut(
        id=workspace.id,
        handle=workspace.handle,
        display_name=workspace.display_name,
        tone=workspace.tone,
        timezone=workspace.timezone,
        knowledge_base=workspace.knowledge_base,
        tagline=workspace.tagline,
        redirects=[r.handle for r in redirects],
        created_at=workspace.created_at,
        updated_at=workspace.updated_at,
    )


@router.route("workspaces.get_mine")
async def get_mine(req: OrgReq[Empty]) -> WorkspaceOut:
    """The active organization's assistant workspace, created on first use."""
    return await _out(req, await ensure_workspace(req))


class UpdateWorkspaceIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    handle: Handle | msgspec.UnsetType = msgspec.UNSET
    display_name: DisplayName | msgspec.UnsetType = msgspec.UNSET
    tone: Tone | msgspec.UnsetType = msgspec.UNSET
    timezone: Timezone | msgspec.UnsetType = msgspec.UNSET
    knowledge_base: KnowledgeBase | msgspec.UnsetType = msgspec.UNSET
    tagline: Tagline | msgspec.UnsetType = msgspec.UNSET


def _given(value: Any) -> Any:
    return None if value is msgspec.UNSET else value


@router.route("workspaces.update", errors=[HandleTaken, HandleReserved, UnknownTimezone])
async def update(req: OrgReq[UpdateWorkspaceIn]) -> WorkspaceOut:
    """Change the workspace; a new handle keeps the old one redirecting here for 30 days."""
    body = req.body
    await ensure_workspace(req)
    await queries.lock_workspace(req.db, org_id=req.principal.org_id)
    workspace = await queries.get_workspace(req.db, org_id=req.principal.org_id)  # as it is under the lock
    assert workspace is not None
    if body.timezone is not msgspec.UNSET:
        valid_timezone(body.timezone)
    now = req.services.clock.now()
    if body.handle is not msgspec.UNSET and body.handle != workspace.handle:
        await _change_handle(req, workspace, body.handle, now)
    await queries.update_workspace(
        req.db,
        id=workspace.id,
        display_name=_given(body.display_name),
        tone=_given(body.tone),
        timezone=_given(body.timezone),
        knowledge_base=_given(body.knowledge_base),
        tagline=_given(body.tagline),
        now=now,
    )
    updated = await queries.get_workspace(req.db, org_id=req.principal.org_id)
    assert updated is not None
    return await _out(req, updated)


async def _change_handle(req: OrgReq[Any], workspace: queries.GetWorkspaceRow, handle: str, now: dt.datetime) -> None:
    """Under the workspace's lock: the current handle becomes a redirect, the new one current
    (one of its own redirects is revived; anyone else's is refused by the unique index)."""
    if handle in RESERVED_HANDLES:
        raise HandleReserved(f"{handle!r} is reserved")
    await queries.retire_current_handle(req.db, workspace_id=workspace.id, expires_at=now + REDIRECT_LIFETIME)
    if await queries.revive_handle(req.db, workspace_id=workspace.id, handle=handle):
        return
    await queries.release_expired_handle(req.db, handle=handle, now=now)
    claimed = await queries.claim_handle(
        req.db, org_id=req.principal.org_id, workspace_id=workspace.id, handle=handle, now=now
    )
    if claimed is None:
        raise HandleTaken(f"the handle {handle!r} is taken")


# --- services --------------------------------------------------------------------------------------


class ServiceOut(msgspec.Struct, frozen=True):
    id: str
    name: str
    description: str
    duration_minutes: int
    price: Decimal
    currency: str
    active: bool
    display_order: int


class ServicesOut(msgspec.Struct, frozen=True):
    services: list[ServiceOut]


def service_out(s: queries.Service) -> ServiceOut:
    return ServiceOut(s.id, s.name, s.description, s.duration_minutes, s.price, s.currency, s.active, s.display_order)


@router.route("services.list", read_only=True)
async def list_services(req: OrgReq[Empty]) -> ServicesOut:
    """The workspace's services in display order."""
    rows = await queries.list_services(req.db, workspace_id=(await ensure_workspace(req)).id)
    return ServicesOut([service_out(s) for s in rows])


class CreateServiceIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: ServiceName
    duration_minutes: Minutes
    price: Price
    currency: Currency
    description: Description = ""
    active: bool = True


@router.route("services.create")
async def create_service(req: OrgReq[CreateServiceIn]) -> ServiceOut:
    """Add a service; it goes last in the display order."""
    body = req.body
    workspace = await ensure_workspace(req)
    await queries.lock_workspace(req.db, org_id=req.principal.org_id)  # display orders taken one at a time
    row = await queries.insert_service(
        req.db,
        org_id=req.principal.org_id,
        workspace_id=workspace.id,
        name=body.name,
        description=body.description,
        duration_minutes=body.duration_minutes,
        price=Decimal(body.price),
        currency=body.currency,
        active=body.active,
        now=req.services.clock.now(),
    )
    assert row is not None
    return service_out(row)


class UpdateServiceIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    id: ServiceId
    name: ServiceName | msgspec.UnsetType = msgspec.UNSET
    description: Description | msgspec.UnsetType = msgspec.UNSET
    duration_minutes: Minutes | msgspec.UnsetType = msgspec.UNSET
    price: Price | msgspec.UnsetType = msgspec.UNSET
    currency: Currency | msgspec.UnsetType = msgspec.UNSET
    active: bool | msgspec.UnsetType = msgspec.UNSET


@router.route("services.update", errors=[ServiceNotFound])
async def update_service(req: OrgReq[UpdateServiceIn]) -> ServiceOut:
    """Change some of a service's fields (absent ones stay)."""
    body = req.body
    workspace = await ensure_workspace(req)
    row = await queries.update_service(
        req.db,
        id=body.id,
        workspace_id=workspace.id,
        name=_given(body.name),
        description=_given(body.description),
        duration_minutes=_given(body.duration_minutes),
        price=None if body.price is msgspec.UNSET else Decimal(body.price),
        currency=_given(body.currency),
        active=_given(body.active),
    )
    if row is None:
        raise ServiceNotFound("no such service")
    return service_out(row)


class ReorderIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    ids: Annotated[list[ServiceId], msgspec.Meta(max_length=500)]


@router.route("services.reorder")
async def reorder_services(req: OrgReq[ReorderIn]) -> ServicesOut:
    """Put the listed services in this order (first listed first); unknown ids are ignored."""
    workspace = await ensure_workspace(req)
    await queries.lock_workspace(req.db, org_id=req.principal.org_id)
    await queries.set_service_order(req.db, workspace_id=workspace.id, ids=list(req.body.ids))
    return ServicesOut([service_out(s) for s in await queries.list_services(req.db, workspace_id=workspace.id)])


class ServiceIdIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    id: ServiceId


@router.route("services.delete", errors=[ServiceNotFound])
async def delete_service(req: OrgReq[ServiceIdIn]) -> Empty:
    """Remove a service."""
    workspace = await ensure_workspace(req)
    if not await queries.delete_service(req.db, id=req.body.id, workspace_id=workspace.id):
        raise ServiceNotFound("no such service")
    return Empty()


# --- scheduling connectors -------------------------------------------------------------------------


CALENDLY_URL = r"^https://(www\.)?calendly\.com/[A-Za-z0-9_\-]+(/[A-Za-z0-9_\-]+)?/?$"
SQUARE_URL = r"^https://(book\.squareup\.com|[a-z0-9-]+\.square\.site)/[A-Za-z0-9_\-/]*$"
AGENDAPRO_URL = r"^https://([a-z0-9-]+\.)?agendapro\.com/[A-Za-z0-9_\-/]*$"


class CalendlyConfig(msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag="calendly", tag_field="type"):
    scheduling_url: Annotated[
        str,
        msgspec.Meta(pattern=r"^https://(www\.)?calendly\.com/[A-Za-z0-9_\-]+(/[A-Za-z0-9_\-]+)?/?$", max_length=300),
    ]


class SquareConfig(msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag="square", tag_field="type"):
    booking_url: Annotated[
        str,
        msgspec.Meta(
            pattern=r"^https://(book\.squareup\.com|[a-z0-9-]+\.square\.site)/[A-Za-z0-9_\-/]*$", max_length=300
        ),
    ]
    location_id: Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9]{4,64}$")]


class AgendaproConfig(msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag="agendapro", tag_field="type"):
    booking_url: Annotated[
        str, msgspec.Meta(pattern=r"^https://([a-z0-9-]+\.)?agendapro\.com/[A-Za-z0-9_\-/]*$", max_length=300)
    ]


ConnectorConfig = CalendlyConfig | SquareConfig | AgendaproConfig


def booking_link(config: ConnectorConfig) -> str:
    return config.scheduling_url if isinstance(config, CalendlyConfig) else config.booking_url


class ConnectorOut(msgspec.Struct, frozen=True):
    id: str
    config: ConnectorConfig
    active: bool
    created_at: dt.datetime


class ConnectorsOut(msgspec.Struct, frozen=True):
    connectors: list[ConnectorOut]


def decode_config(value: Any) -> ConnectorConfig:
    return msgspec.convert(value, ConnectorConfig)  # type: ignore[arg-type]


def connector_out(c: queries.Connector) -> ConnectorOut:
    return ConnectorOut(c.id, decode_config(c.config), c.active, c.created_at)


@router.route("connectors.list", read_only=True)
async def list_connectors(req: OrgReq[Empty]) -> ConnectorsOut:
    """The workspace's scheduling connectors (at most one active)."""
    rows = await queries.list_connectors(req.db, workspace_id=(await ensure_workspace(req)).id)
    return ConnectorsOut([connector_out(c) for c in rows])


class CreateConnectorIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    config: ConnectorConfig


@router.route("connectors.create")
async def create_connector(req: OrgReq[CreateConnectorIn]) -> ConnectorOut:
    """Add a scheduling connector, inactive; its config is checked for its type."""
    workspace = await ensure_workspace(req)
    config = req.body.config
    row = await queries.insert_connector(
        req.db,
        org_id=req.principal.org_id,
        workspace_id=workspace.id,
        kind=config.__struct_config__.tag,  # type: ignore[arg-type]
        config=msgspec.to_builtins(config),
        now=req.services.clock.now(),
    )
    assert row is not None
    return connector_out(row)


class ConnectorIdIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    id: ConnectorId


@router.route("connectors.activate", errors=[ConnectorNotFound])
async def activate_connector(req: OrgReq[ConnectorIdIn]) -> ConnectorOut:
    """Make this connector the active one; the one active before is deactivated in the same step."""
    workspace = await ensure_workspace(req)
    # Activations of one workspace go one at a time; the partial unique index holds regardless.
    await queries.lock_workspace(req.db, org_id=req.principal.org_id)
    await queries.deactivate_connectors(req.db, workspace_id=workspace.id)
    row = await queries.activate_connector(req.db, id=req.body.id, workspace_id=workspace.id)
    if row is None:
        raise ConnectorNotFound("no such connector")
    return connector_out(row)


@router.route("connectors.deactivate", errors=[ConnectorNotFound])
async def deactivate_connector(req: OrgReq[ConnectorIdIn]) -> ConnectorOut:
    """Deactivate this connector (the assistant then offers no booking link)."""
    workspace = await ensure_workspace(req)
    row = await queries.deactivate_connector(req.db, id=req.body.id, workspace_id=workspace.id)
    if row is None:
        raise ConnectorNotFound("no such connector")
    return connector_out(row)


@router.route("connectors.delete", errors=[ConnectorNotFound])
async def delete_connector(req: OrgReq[ConnectorIdIn]) -> Empty:
    """Remove a connector."""
    workspace = await ensure_workspace(req)
    if not await queries.delete_connector(req.db, id=req.body.id, workspace_id=workspace.id):
        raise ConnectorNotFound("no such connector")
    return Empty()

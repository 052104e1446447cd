"""A router is typed by its app's services: a handler that expects other services is refused,
at registration and by the type checker, so `req.services` is what the handler says it is."""

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any, TypeVar

import httpx
import msgspec
import pytest

from foundation.rpc import AdminPrincipal, AdminReq, AnonymousReq, Empty, OrgPrincipal, Principal, Request, Router
from foundation.rpc.dispatch import RpcApp
from foundation.rpc.errors import InsufficientRole
from foundation.rpc.routes import RouteDeclarationError
from foundation.settings import REPO_ROOT

In = TypeVar("In")


class ShopServices:
    greeting = "hello"


class BiggerShopServices(ShopServices):
    pass


class OtherServices:
    pass


class Out(msgspec.Struct, frozen=True):
    text: str


ShopReq = Request[In, Principal, ShopServices]
OtherReq = Request[In, Principal, OtherServices]


def test_a_router_takes_handlers_of_its_own_services_or_any() -> None:
    router = Router("shop", services=ShopServices)

    @router.route("shop.hello")
    async def hello(req: ShopReq[Empty]) -> Out:
        return Out(text=req.services.greeting)

    @router.route("shop.generic")
    async def generic(req: Request[Empty, Principal, Any]) -> Out:
        return Out(text="any services will do")

    assert set(router.routes) == {"shop.hello", "shop.generic"}
    bigger = Router("bigger", services=BiggerShopServices)  # a subclass gives all a ShopReq reads

    @bigger.route("bigger.hello")
    async def bigger_hello(req: ShopReq[Empty]) -> Out:
        return Out(text=req.services.greeting)

    assert "bigger.hello" in bigger.routes


def test_a_handler_expecting_other_services_is_refused_at_registration() -> None:
    router = Router("shop", services=ShopServices)
    with pytest.raises(RouteDeclarationError, match="carries OtherServices, but shop serves ShopServices"):

        @router.route("shop.other")  # pyright: ignore[reportArgumentType]  # what this test is about
        async def other(req: OtherReq[Empty]) -> Out:
            return Out(text="")

    assert router.routes == {}


def test_including_keeps_the_services_of_the_including_router() -> None:
    router = Router("shop", services=ShopServices)
    extra = Router("extra")

    @extra.route("extra.ping")
    async def ping(req: Request[Empty, OrgPrincipal, Any]) -> Out:
        return Out(text="pong")

    combined = router.including(extra)
    assert combined.services is ShopServices and set(combined.routes) == {"extra.ping"}

    other = Router("other", services=OtherServices)

    @other.route("other.thing")
    async def thing(req: OtherReq[Empty]) -> Out:
        return Out(text="")

    with pytest.raises(RouteDeclarationError, match="carries OtherServices, but shop serves ShopServices"):
        router.including(other)  # its handler would be handed ShopServices


_MISTYPED = """
from typing import TypeVar
import msgspec
from foundation.rpc import Empty, Principal, Request, Router

In = TypeVar("In")

class ShopServices: ...
class OtherServices: ...

class Out(msgspec.Struct, frozen=True):
    text: str

router = Router("shop", services=ShopServices)

@router.route("shop.other")
async def other(req: Request[Empty, Principal, OtherServices]) -> Out:
    return Out(text="")
"""


@pytest.mark.skipif(shutil.which("pyright", path=str(Path(sys.executable).parent)) is None, reason="pyright missing")
def test_the_type_checker_refuses_a_handler_expecting_other_services(tmp_path: Path) -> None:
    source = tmp_path / "mistyped.py"
    source.write_text(textwrap.dedent(_MISTYPED))
    pyright = str(Path(sys.executable).parent / "pyright")
    result = subprocess.run(
        [pyright, "--pythonpath", sys.executable, str(source)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "reportArgumentType" in result.stdout and "OtherServices" in result.stdout, result.stdout


def test_an_idempotent_route_declares_the_reuse_error_and_a_stream_cannot_be_one() -> None:
    from collections.abc import AsyncIterator

    from foundation.rpc.idempotency import IdempotencyKeyReused
    from foundation.rpc.request import Req
    from foundation.rpc.routes import Empty, RouteDeclarationError, Router

    router = Router("test")

    @router.route("things.make", idempotent=True)
    async def make(req: Req[Empty]) -> Empty:
        return Empty()

    assert router.routes["things.make"].idempotent
    assert IdempotencyKeyReused in router.routes["things.make"].errors

    async def flow(req: Req[Empty]) -> AsyncIterator[Empty]:
        yield Empty()

    with pytest.raises(RouteDeclarationError, match="cannot be idempotent"):
        router.route("things.flow", idempotent=True)(flow)


LADDER = ("viewer", "support", "owner")


def test_a_router_with_roles_makes_every_admin_route_name_its_minimum() -> None:
    router = Router("admin", roles=LADDER)
    with pytest.raises(RouteDeclarationError, match="declare their minimum role"):

        @router.route("things.list")
        async def no_role(req: AdminReq[Empty]) -> Empty:
            return Empty()

    with pytest.raises(RouteDeclarationError, match="not one of admin's roles"):

        @router.route("things.list", role="god")
        async def unknown_role(req: AdminReq[Empty]) -> Empty:
            return Empty()

    with pytest.raises(RouteDeclarationError, match="only administrators' routes"):

        @router.route("things.login", role="viewer")
        async def public(req: AnonymousReq[Empty]) -> Empty:
            return Empty()

    @router.route("things.manage", role="support")
    async def manage(req: AdminReq[Empty]) -> Empty:
        return Empty()

    spec = router.routes["things.manage"]
    assert spec.allowed_roles == {"support", "owner"}
    assert InsufficientRole in spec.errors  # declared for the route: in its contract
    with pytest.raises(RouteDeclarationError, match="not one of"):
        Router("plain").route("x.y", role="viewer")


async def test_a_role_below_the_minimum_is_refused_before_the_body_is_read() -> None:
    router = Router("admin", roles=LADDER)

    class In(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
        n: int

    @router.route("things.manage", role="support")
    async def manage(req: AdminReq[In]) -> Out:
        return Out(text=f"{req.principal.role} {req.body.n}")

    async def as_role(headers: dict[bytes, bytes], lease: object) -> AdminPrincipal:
        return AdminPrincipal(admin_id="adm_1", role=headers[b"x-role"].decode())

    app = RpcApp(router, fallback=None, authenticate=as_role)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
        viewer = await client.post("/rpc/things.manage", content=b"{not json", headers={"x-role": "viewer"})
        owner = await client.post("/rpc/things.manage", json={"n": 1}, headers={"x-role": "owner"})
    assert viewer.status_code == 403
    assert viewer.json()["error"] == {
        "code": "insufficient_role",
        "message": "this route needs the support role or above",
        "required_role": "support",
    }
    assert owner.json() == {"text": "owner 1"}

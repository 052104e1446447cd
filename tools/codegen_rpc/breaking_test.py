"""The breaking-change check, on real git repositories built in tmp_path: every kind of break is
reported with its exact line and fails; additive changes pass; a route may go only once it was
deprecated; CI's rule walks each step since the baseline and honours the Breaking-Change trailer."""

from __future__ import annotations

import copy
import json
import subprocess
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec
import pytest

import tools.codegen_rpc.__main__ as cli
from foundation.errors import Conflict
from foundation.rpc import Req, Router
from foundation.rpc.routes import Empty
from tools.codegen_rpc.breaking import breaking_changes
from tools.codegen_rpc.contract import build_contract
from tools.codegen_rpc.history import BASELINE_FILE, check_history, check_ref
from tools.codegen_rpc.model import AppRoutes

Contract = dict[str, Any]


# --- a small app whose generated contract every case starts from ----------------------------


class Point(msgspec.Struct, frozen=True):
    x: int
    y: int


class Circle(msgspec.Struct, frozen=True, tag="circle"):
    radius: float


class Square(msgspec.Struct, frozen=True, tag="square"):
    side: float


class Item(msgspec.Struct, frozen=True):
    name: str
    kind: Literal["a", "b"]
    point: Point
    shape: Circle | Square
    note: str | None = None


class CreateIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(max_length=100)]
    kind: Literal["a", "b"] = "a"
    nickname: str | None = None


class ItemsOut(msgspec.Struct, frozen=True):
    items: list[Item]
    total: int


class Full(Conflict):
    code = "full"

    class Fields(msgspec.Struct, frozen=True):
        capacity: int


def _router(*, deprecate_delete: bool = False) -> Router:
    router = Router("shop")

    @router.route("items.create", auth="user", errors=[Full])
    async def create(req: Req[CreateIn]) -> Item:
        raise NotImplementedError

    @router.route("items.list", auth="user", read_only=True)
    async def list_items(req: Req[Empty]) -> ItemsOut:
        raise NotImplementedError

    @router.route("items.delete", auth="user", deprecated=deprecate_delete)
    async def delete(req: Req[Empty]) -> Empty:
        raise NotImplementedError

    @router.route("items.watch", auth="user")
    async def watch(req: Req[Empty]) -> AsyncIterator[Point]:
        raise NotImplementedError
        yield

    return router


def base_contract(*, deprecate_delete: bool = False) -> Contract:
    router = _router(deprecate_delete=deprecate_delete)
    return build_contract(AppRoutes("product", sorted(router.routes.values(), key=lambda r: r.name)))


def route(contract: Contract, name: str) -> dict[str, Any]:
    return next(r for r in contract["routes"] if r["name"] == name)


# --- git in tmp_path -----------------------------------------------------------------------------


def git(root: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@blossom.invalid", "-c", "commit.gpgsign=false", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def write(root: Path, contract: Contract | None, app: str = "product") -> None:
    path = root / app / "contract.json"
    if contract is None:
        path.unlink()
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(contract, indent=2) + "\n")


def commit(root: Path, message: str) -> str:
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", message)
    return git(root, "rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    git(tmp_path, "init", "-q", "-b", "main")
    write(tmp_path, base_contract())
    commit(tmp_path, "the base contract")
    return tmp_path


def step(repo: Path, change: Callable[[Contract], object], message: str = "a change") -> str:
    contract = json.loads((repo / "product" / "contract.json").read_text())
    change(contract)
    write(repo, contract)
    return commit(repo, message)


# --- each kind of breaking change -------------------------------------------------------------


def _remove_route(c: Contract) -> None:
    c["routes"] = [r for r in c["routes"] if r["name"] != "items.delete"]


def _input_field_removed(c: Contract) -> None:
    del c["schemas"]["CreateIn"]["properties"]["nickname"]


def _output_field_removed(c: Contract) -> None:
    del c["schemas"]["ItemsOut"]["properties"]["total"]
    c["schemas"]["ItemsOut"]["required"].remove("total")


def _nested_field_retyped(c: Contract) -> None:
    c["schemas"]["Point"]["properties"]["x"] = {"type": "string"}


def _new_required_input(c: Contract) -> None:
    c["schemas"]["CreateIn"]["properties"]["owner"] = {"type": "string"}
    c["schemas"]["CreateIn"]["required"].append("owner")


def _optional_input_required(c: Contract) -> None:
    c["schemas"]["CreateIn"]["required"].append("kind")


def _output_optional(c: Contract) -> None:
    c["schemas"]["Item"]["required"].remove("name")


def _output_nullable(c: Contract) -> None:
    c["schemas"]["Item"]["properties"]["name"] = {"anyOf": [{"type": "string"}, {"type": "null"}]}


def _input_enum_lost(c: Contract) -> None:
    c["schemas"]["CreateIn"]["properties"]["kind"]["enum"] = ["a"]


def _output_enum_gained(c: Contract) -> None:
    c["schemas"]["Item"]["properties"]["kind"]["enum"] = ["a", "b", "c"]


def _output_variant_gained(c: Contract) -> None:
    c["schemas"]["Triangle"] = {
        "type": "object",
        "properties": {"type": {"enum": ["triangle"]}},
        "required": ["type"],
    }
    shape = c["schemas"]["Item"]["properties"]["shape"]
    shape["anyOf"].append({"$ref": "#/components/schemas/Triangle"})
    shape["discriminator"]["mapping"]["triangle"] = "#/components/schemas/Triangle"


def _input_null_lost(c: Contract) -> None:
    c["schemas"]["CreateIn"]["properties"]["nickname"] = {"type": "string"}


def _input_bound_tightened(c: Contract) -> None:
    c["schemas"]["CreateIn"]["properties"]["name"]["maxLength"] = 50


def _error_removed(c: Contract) -> None:
    route(c, "items.create")["errors"] = [e for e in route(c, "items.create")["errors"] if e["code"] != "full"]


def _error_field_removed(c: Contract) -> None:
    del c["schemas"]["FullFields"]["properties"]["capacity"]


def _stricter_auth_and_no_get(c: Contract) -> None:
    route(c, "items.list").update(auth="organization", methods=["POST"])


def _stream_event_retyped(c: Contract) -> None:
    route(c, "items.watch")["output"] = {"$ref": "#/components/schemas/Empty"}


def _jsonrpc_narrowed(c: Contract) -> None:
    c["jsonrpc"]["methods"].remove("items.list")
    c["jsonrpc"]["max_batch"] = 10
    c["jsonrpc"]["codes"]["by_status"]["404"] = -32099


def _jsonrpc_removed(c: Contract) -> None:
    del c["jsonrpc"]


BREAKING: dict[str, tuple[Callable[[Contract], object], list[str]]] = {
    "jsonrpc narrowed": (
        _jsonrpc_narrowed,
        [
            "product jsonrpc: max_batch lowered 50 -> 10",
            "product jsonrpc: methods.items.list: no longer callable",
            "product jsonrpc: codes.by_status.404: changed -32001 -> -32099",
        ],
    ),
    "jsonrpc removed": (_jsonrpc_removed, ["product jsonrpc: the endpoint removed"]),
    "route removed": (_remove_route, ["product items.delete: route removed without being deprecated first"]),
    "input field removed": (_input_field_removed, ["product items.create: input.nickname: field removed"]),
    "output field removed": (_output_field_removed, ["product items.list: output.total: field removed"]),
    "nested field retyped": (
        _nested_field_retyped,
        [
            "product items.create: output.point.x: retyped integer -> string",
            "product items.list: output.items[].point.x: retyped integer -> string",
            "product items.watch: output.x: retyped integer -> string",
        ],
    ),
    "new required input field": (_new_required_input, ["product items.create: input.owner: new required field"]),
    "optional input field required": (_optional_input_required, ["product items.create: input.kind: became required"]),
    "output field optional": (
        _output_optional,
        [
            "product items.create: output.name: became optional",
            "product items.list: output.items[].name: became optional",
        ],
    ),
    "output field nullable": (
        _output_nullable,
        [
            "product items.create: output.name: became nullable",
            "product items.list: output.items[].name: became nullable",
        ],
    ),
    "input enum value lost": (_input_enum_lost, ['product items.create: input.kind: enum value "b" removed']),
    "output enum value gained": (
        _output_enum_gained,
        [
            'product items.create: output.kind: enum value "c" added',
            'product items.list: output.items[].kind: enum value "c" added',
        ],
    ),
    "output union variant gained": (
        _output_variant_gained,
        [
            'product items.create: output.shape: variant "triangle" added',
            'product items.list: output.items[].shape: variant "triangle" added',
        ],
    ),
    "input null no longer accepted": (
        _input_null_lost,
        ["product items.create: input.nickname: no longer accepts null"],
    ),
    "input bound tightened": (
        _input_bound_tightened,
        ["product items.create: input.name: maxLength tightened 100 -> 50"],
    ),
    "error code removed": (_error_removed, ["product items.create: errors.full: error removed"]),
    "error field removed": (_error_field_removed, ["product items.create: errors.full.capacity: field removed"]),
    "stricter auth, GET removed": (
        _stricter_auth_and_no_get,
        ["product items.list: auth: changed user -> organization", "product items.list: methods: GET removed"],
    ),
    "stream event retyped": (
        _stream_event_retyped,
        ["product items.watch: output.x: field removed", "product items.watch: output.y: field removed"],
    ),
}


@pytest.mark.parametrize("case", BREAKING)
def test_a_breaking_change_is_reported_and_fails(repo: Path, case: str, capsys: pytest.CaptureFixture[str]) -> None:
    change, expected = BREAKING[case]
    step(repo, change)
    assert check_ref(repo, "HEAD~1") == 1
    assert capsys.readouterr().out.splitlines() == expected


def test_fewer_api_keys_and_a_lost_alias_are_breaking(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def open_to_keys(c: Contract) -> None:
        route(c, "items.list")["api_keys"] = True
        route(c, "items.create")["api_keys"] = "personal"
        c["jsonrpc"]["aliases"] = {"list_items": "items.list"}

    def narrowed(c: Contract) -> None:
        route(c, "items.list")["api_keys"] = "personal"
        del route(c, "items.create")["api_keys"]
        del c["jsonrpc"]["aliases"]

    step(repo, open_to_keys)
    assert check_ref(repo, "HEAD~1") == 0
    capsys.readouterr()
    step(repo, narrowed)
    assert check_ref(repo, "HEAD~1") == 1
    assert capsys.readouterr().out.splitlines() == [
        'product items.create: api_keys: changed "personal" -> null',
        'product items.list: api_keys: changed true -> "personal"',
        "product jsonrpc: aliases.list_items: no longer callable",
    ]


# --- additive changes pass ---------------------------------------------------------------------


def _new_route(c: Contract) -> None:
    c["routes"].append({**copy.deepcopy(route(c, "items.delete")), "name": "items.archive"})


def _new_optional_input(c: Contract) -> None:
    c["schemas"]["CreateIn"]["properties"]["color"] = {"type": "string", "default": "red"}


def _new_output_field(c: Contract) -> None:
    c["schemas"]["Item"]["properties"]["created_at"] = {"type": "string", "format": "date-time"}
    c["schemas"]["Item"]["required"].append("created_at")


def _new_error(c: Contract) -> None:
    route(c, "items.delete")["errors"].insert(0, {"code": "gone", "status": 410, "common": False, "fields": None})


def _input_enum_gained(c: Contract) -> None:
    c["schemas"]["CreateIn"]["properties"]["kind"]["enum"] = ["a", "b", "c"]


def _output_narrowed(c: Contract) -> None:
    c["schemas"]["Item"]["properties"]["note"] = {"type": "string"}  # no longer null
    c["schemas"]["Item"]["required"].append("note")  # now always there
    c["schemas"]["Item"]["properties"]["kind"]["enum"] = ["a"]


def _input_widened(c: Contract) -> None:
    c["schemas"]["CreateIn"]["properties"]["name"]["maxLength"] = 200
    c["schemas"]["CreateIn"]["required"] = []
    c["schemas"]["CreateIn"]["properties"]["kind"] = {"type": "string"}


def _output_widened(c: Contract) -> None:
    c["schemas"]["Point"]["properties"]["x"] = {"type": "number"}


def _type_renamed(c: Contract) -> None:
    c["schemas"]["Spot"] = c["schemas"].pop("Point")
    c["schemas"]["Item"]["properties"]["point"] = {"$ref": "#/components/schemas/Spot"}
    route(c, "items.watch")["output"] = {"$ref": "#/components/schemas/Spot"}


ADDITIVE: dict[str, Callable[[Contract], object]] = {
    "new route": _new_route,
    "new optional input field": _new_optional_input,
    "new output field": _new_output_field,
    "new error code": _new_error,
    "input enum value gained": _input_enum_gained,
    "output narrowed": _output_narrowed,
    "input widened": _input_widened,
    "type renamed": _type_renamed,
}


@pytest.mark.parametrize("case", ADDITIVE)
def test_an_additive_change_passes(repo: Path, case: str, capsys: pytest.CaptureFixture[str]) -> None:
    step(repo, ADDITIVE[case])
    assert check_ref(repo, "HEAD~1") == 0
    assert capsys.readouterr().out == "no breaking changes\n"


def test_integer_to_number_widens_an_output(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    step(repo, _output_widened)
    assert check_ref(repo, "HEAD~1") == 1
    assert capsys.readouterr().out.splitlines() == [
        "product items.create: output.point.x: retyped integer -> number",
        "product items.list: output.items[].point.x: retyped integer -> number",
        "product items.watch: output.x: retyped integer -> number",
    ]


def test_the_working_tree_is_compared_and_an_unchanged_contract_passes(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert check_ref(repo, "HEAD") == 0
    contract = json.loads((repo / "product" / "contract.json").read_text())
    _remove_route(contract)
    write(repo, contract)  # not committed
    assert check_ref(repo, "HEAD") == 1
    assert capsys.readouterr().out.splitlines() == [
        "no breaking changes",
        "product items.delete: route removed without being deprecated first",
    ]


def test_an_app_absent_at_the_ref_has_nothing_to_compare(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo, {"app": "panopticon", "routes": [], "schemas": {}}, app="panopticon")
    commit(repo, "a new app")
    assert check_ref(repo, "HEAD~1") == 0
    write(repo, None)  # and a contract gone from the working tree takes its routes with it
    assert check_ref(repo, "HEAD") == 1
    assert "product items.create: route removed without being deprecated first" in capsys.readouterr().out


def test_an_unknown_ref_is_an_error(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert check_ref(repo, "no-such-ref") == 1
    assert capsys.readouterr().err == "error: 'no-such-ref' names no commit here\n"


def test_the_command_line_runs_the_check_on_the_repository(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli, "REPO_ROOT", repo)
    step(repo, _input_field_removed)
    assert cli.main(["--breaking", "HEAD~1"]) == 1
    assert capsys.readouterr().out == "product items.create: input.nickname: field removed\n"


# --- deprecation -------------------------------------------------------------------------------


def test_a_route_deprecated_at_the_ref_may_be_removed(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo, base_contract(deprecate_delete=True))
    commit(repo, "deprecate items.delete")
    assert route(base_contract(deprecate_delete=True), "items.delete")["deprecated"] is True
    step(repo, _remove_route, "remove items.delete")
    assert check_ref(repo, "HEAD~1") == 0
    assert capsys.readouterr().out == "no breaking changes\n"


def test_deprecating_and_removing_in_one_step_is_breaking(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo, base_contract(deprecate_delete=True))
    commit(repo, "deprecate items.delete")
    step(repo, _remove_route, "remove items.delete")
    assert check_ref(repo, "HEAD~2") == 1  # at HEAD~2 it was not yet deprecated
    assert capsys.readouterr().out == "product items.delete: route removed without being deprecated first\n"


def test_deprecating_is_not_breaking(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo, base_contract(deprecate_delete=True))
    commit(repo, "deprecate items.delete")
    assert check_ref(repo, "HEAD~1") == 0


# --- CI: every step since the baseline ---------------------------------------------------------


def set_baseline(repo: Path, commit_id: str) -> None:
    (repo / BASELINE_FILE).parent.mkdir(exist_ok=True)
    (repo / BASELINE_FILE).write_text(f"# the history check starts after this commit\n{commit_id}\n")
    commit(repo, "record the contract baseline")


def test_history_passes_when_every_step_is_additive(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    baseline = git(repo, "rev-parse", "HEAD")
    set_baseline(repo, baseline)
    step(repo, _new_route)
    commit(repo, "no contract change")
    step(repo, _new_output_field)
    assert check_history(repo) == 0
    assert capsys.readouterr().out == f"no breaking changes (2 contract change(s) since the baseline {baseline[:12]})\n"


def test_history_fails_on_a_breaking_step_even_if_a_later_one_restores_it(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    set_baseline(repo, git(repo, "rev-parse", "HEAD"))
    broke = step(repo, _input_field_removed)
    write(repo, base_contract())
    commit(repo, "put it back")  # HEAD equals the baseline again, but one step broke clients
    assert check_history(repo) == 1
    captured = capsys.readouterr()
    assert captured.out == f"{broke[:12]} product items.create: input.nickname: field removed\n"
    assert "Breaking-Change: <reason>" in captured.err


def test_history_accepts_a_step_with_the_breaking_change_trailer(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    baseline = git(repo, "rev-parse", "HEAD")
    set_baseline(repo, baseline)
    accepted = step(repo, _remove_route, "Remove items.delete now\n\nBreaking-Change: the mobile app never shipped it")
    assert check_history(repo) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"{accepted[:12]} accepted (Breaking-Change: the mobile app never shipped it): "
        "product items.delete: route removed without being deprecated first",
        f"no breaking changes beyond the accepted ones (1 contract change(s) since the baseline {baseline[:12]})",
    ]
    broke = step(repo, _input_field_removed, "the trailer covers one step only")
    assert check_history(repo) == 1
    assert (
        capsys.readouterr().out.splitlines()[-1] == f"{broke[:12]} product items.create: input.nickname: field removed"
    )


@pytest.mark.parametrize("trailer", ["\n\nBreaking-Change: agreed with the frontend team", ""])
def test_history_checks_a_merged_branch_as_one_step_with_the_trailers_of_its_commits(
    repo: Path, trailer: str, capsys: pytest.CaptureFixture[str]
) -> None:
    set_baseline(repo, git(repo, "rev-parse", "HEAD"))
    git(repo, "checkout", "-q", "-b", "topic")
    step(repo, _remove_route, "Remove items.delete" + trailer)
    step(repo, _new_optional_input, "and something else")
    git(repo, "checkout", "-q", "main")
    step(repo, _new_route, "meanwhile on main")
    git(repo, "merge", "-q", "--no-ff", "-m", "Merge topic", "topic")
    merge = git(repo, "rev-parse", "HEAD")[:12]
    removed = "product items.delete: route removed without being deprecated first"
    if trailer:
        assert check_history(repo) == 0
        assert capsys.readouterr().out.splitlines()[0] == (
            f"{merge} accepted (Breaking-Change: agreed with the frontend team): {removed}"
        )
    else:
        assert check_history(repo) == 1
        assert capsys.readouterr().out == f"{merge} {removed}\n"


def test_history_ignores_steps_before_the_baseline(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    step(repo, _input_field_removed, "an old break, before the check existed")
    set_baseline(repo, git(repo, "rev-parse", "HEAD"))
    assert check_history(repo) == 0
    assert capsys.readouterr().out.startswith("no breaking changes (0 contract change(s)")


def test_history_needs_its_baseline_in_heads_history(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert check_history(repo) == 1
    assert (
        capsys.readouterr().err
        == f"error: {BASELINE_FILE} is missing: it names the commit the history check starts from\n"
    )
    set_baseline(repo, "0" * 40)  # unknown here, as in a shallow clone
    assert check_history(repo) == 1
    assert capsys.readouterr().err == (
        f"error: {BASELINE_FILE}: {'0' * 40} is not a commit in HEAD's history "
        "(a shallow clone? the check needs full history)\n"
    )
    git(repo, "checkout", "-q", "-b", "elsewhere")
    elsewhere = commit(repo, "a commit main never sees")
    git(repo, "checkout", "-q", "main")
    set_baseline(repo, elsewhere)
    assert check_history(repo) == 1
    assert f"{elsewhere} is not a commit in HEAD's history" in capsys.readouterr().err


class Node(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    label: str
    children: list[Node] = []


def test_a_recursive_type_is_compared_without_recursing_forever(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    router = Router("tree")

    @router.route("tree.get", auth="user")
    async def get(req: Req[Node]) -> Node:
        return req.body

    git(tmp_path, "init", "-q")
    contract = build_contract(AppRoutes("product", list(router.routes.values())))
    write(tmp_path, contract)
    commit(tmp_path, "a tree")
    del contract["schemas"]["Node"]["properties"]["label"]
    write(tmp_path, contract)
    assert check_ref(tmp_path, "HEAD") == 1
    # reported where the type is first reached; inside itself (children[]) it is the same change
    assert capsys.readouterr().out.splitlines() == [
        "product tree.get: input.label: field removed",
        "product tree.get: output.label: field removed",
    ]


def test_raising_a_routes_minimum_role_is_breaking_and_lowering_it_is_not() -> None:
    def contract(role: str | None) -> Contract:
        c = base_contract()
        c["roles"] = ["viewer", "support", "owner"]
        entry = route(c, "items.list")
        entry["auth"] = "admin"
        if role is not None:
            entry["role"] = role
        return c

    assert breaking_changes("panopticon", contract("support"), contract("owner")) == [
        "panopticon items.list: role: minimum role raised support -> owner"
    ]
    assert breaking_changes("panopticon", contract("owner"), contract("viewer")) == []
    assert breaking_changes("panopticon", contract(None), contract("viewer")) == []  # the lowest: any admin
    assert breaking_changes("panopticon", contract(None), contract("support")) != []

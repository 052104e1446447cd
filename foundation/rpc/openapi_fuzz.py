"""Schemathesis over an app's committed OpenAPI document, in process, for the test suite.

Each operation gets a bounded, derandomized Hypothesis run of schema-valid (positive) and
schema-invalid (negative) requests, sent over ASGI to the real app with httpx, and every response
is checked:

- `not_a_server_error`: no 5xx;
- `status_code_conformance`, `content_type_conformance`, `response_schema_conformance`: the
  status is one the document lists for the operation, and the body matches what it says for it
  (error envelopes included);
- `negative_data_rejection`: a request the schema forbids gets a 4xx;
- `positive_data_accepted` (ours, instead of schemathesis's status-based
  `positive_data_acceptance`): a request the schema allows is never refused as such, that is with
  one of `REFUSALS` (`invalid_input`, a wrong method or media type, ...). Every other outcome is an
  answer about the world, not about the request's shape, and is fine: a token that names nothing
  is a well-formed string and gets the route's declared `invalid_token` (a 400, like
  `invalid_input`, which is why this check reads the error code rather than the status), a random
  id gets `not_found`, and so do `unauthenticated`, `forbidden`, conflicts and rate limits.

Schemathesis's pytest integration runs synchronous tests in a loop of its own, but the apps'
pools live on the suite's event loop; so Hypothesis runs in a worker thread and each request is
sent on the test's loop (`asyncio.run_coroutine_threadsafe`).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import httpx
import hypothesis
import schemathesis
from hypothesis import HealthCheck, Phase
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from foundation.rpc.jsonrpc import PATH as JSONRPC_PATH

MAX_EXAMPLES = 20  # per operation, positive and negative together
SEED = 20240601  # fixed: the same requests on every run (with derandomize, it only names the run)
# Error codes that refuse a request for its shape or framing, never for what it names.
REFUSALS = frozenset(
    {"invalid_input", "method_not_allowed", "no_such_route", "payload_too_large", "unsupported_media_type"}
)
REQUEST_TIMEOUT_SECONDS = 30.0

Headers = Callable[[], Coroutine[Any, Any, dict[str, str]]]


def load(document: Path) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_dict(json.loads(document.read_text()))


def operations(document: Path) -> list[str]:
    """`METHOD /path` of every operation that answers with JSON; streams (text/event-stream) are
    left out: httpx's ASGI transport reads a response to its end, and a stream may last minutes.
    So is `/jsonrpc`: it refuses with a 200 (the JSON-RPC rule), which `negative_data_rejection`
    cannot read, and its routes are each fuzzed here at /rpc/ (the registry-driven suites run
    them through /jsonrpc too)."""
    raw = json.loads(document.read_text())
    found = []
    for path, item in raw["paths"].items():
        if path == JSONRPC_PATH:
            continue
        for method, operation in item.items():
            if "application/json" in operation["responses"]["200"]["content"]:
                found.append(f"{method.upper()} {path}")
    return found


def positive_data_accepted(ctx: Any, response: schemathesis.Response, case: schemathesis.Case) -> bool | None:
    """A request the schema allows is not refused for its shape (module docstring)."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code < 400:
        return None
    try:
        code = json.loads(response.content)["error"]["code"]
    except (ValueError, KeyError, TypeError):
        code = None  # not an envelope: response_schema_conformance reports it
    if code in REFUSALS:
        raise AssertionError(
            f"a request the schema allows was refused: {response.status_code} {code}: {response.text[:500]}"
        )
    return None


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
    positive_data_accepted,
]


async def _send(http: httpx.AsyncClient, kwargs: dict[str, Any]) -> httpx.Response:
    content = kwargs.get("data")
    if "json" in kwargs:
        content = json.dumps(kwargs["json"]).encode()
    return await http.request(
        kwargs["method"],
        kwargs["url"],
        params=kwargs.get("params") or None,
        headers=kwargs.get("headers"),
        content=content,
    )


async def fuzz(
    schema: schemathesis.BaseSchema,
    label: str,
    http: httpx.AsyncClient,
    headers: Headers,
    *,
    max_examples: int = MAX_EXAMPLES,
) -> None:
    """Run the checks over `max_examples` requests to one operation (`POST /rpc/auth.signup`);
    `headers()` gives the authentication for each request. A failure raises with Hypothesis's
    smallest failing example."""
    method, path = label.split(" ", 1)
    operation = schema[path][method]
    loop = asyncio.get_running_loop()
    base_url = str(http.base_url).rstrip("/")

    def on_loop(coroutine: Coroutine[Any, Any, Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, loop).result(REQUEST_TIMEOUT_SECONDS)

    strategy = st.one_of(
        operation.as_strategy(generation_mode=schemathesis.GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=schemathesis.GenerationMode.NEGATIVE),
    )

    @hypothesis.settings(
        max_examples=max_examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        # The app is slow next to Hypothesis's expectations (a database per request), and the
        # fixtures are per test on purpose (one app for all examples).
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.function_scoped_fixture,
            HealthCheck.filter_too_much,
            HealthCheck.data_too_large,
        ],
        print_blob=False,
    )
    @hypothesis.seed(SEED)
    @hypothesis.given(case=strategy)
    def check(case: schemathesis.Case) -> None:
        extra = on_loop(headers())
        kwargs = case.as_transport_kwargs(base_url=base_url, headers=extra)
        response = on_loop(_send(http, kwargs))
        case.validate_response(response, checks=CHECKS, headers=kwargs["headers"])

    await asyncio.to_thread(check)

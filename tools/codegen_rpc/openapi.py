"""OpenAPI 3.1 from the contract: the same source as the TypeScript client.

The document states what the server enforces, so that a request valid by the document is one the
server accepts (`foundation.rpc.openapi_fuzz` checks this): beyond the contract's types it adds
the dispatcher's own rules, which hold for every route and so are not part of each type:

- text never holds the NUL character (PostgreSQL cannot store it; `foundation.rpc.validation`),
  so every free-form string, and every key of a string-keyed map, has a pattern that excludes it;
  a free-form JSON object (`dict[str, Any]`, such as a graph node's data) holds `JsonValue`s:
  any JSON without a NUL in its text or its keys, however deep;
- a decimal is a plain numeral (`format: decimal` is not a JSON Schema format tools know);
- a read-only route's GET takes its input as JSON in the `input` query parameter;
- every error status a route can answer with is described, each with the envelope of exactly the
  codes it sends at that status (`error.code`, `error.message` and the code's own fields);
- `POST /jsonrpc` takes one request object or a batch, each object naming one method (a route
  that does not stream) with that route's input as its `params`; its answers follow the
  JSON-RPC 2.0 status rule (200 with a body, errors included; 204 for notifications only).
"""

from __future__ import annotations

import copy
from typing import Any

ENVELOPE = "ErrorEnvelope"
SECURITY_SCHEMES = {
    "session": {"type": "apiKey", "in": "cookie", "name": "blossom_session", "description": "the session cookie"},
    "apiKey": {
        "type": "http",
        "scheme": "bearer",
        "description": (
            "`Authorization: Bearer bk_...`: an organization's API key or a personal access token, on the"
            ' operations that state this scheme (x-blossom-api-keys: true, or "personal" for personal'
            " tokens only); a read key calls only the operations that also answer GET"
        ),
    },
}
SCHEMAS = "#/components/schemas/"
NO_NUL = "^[^\\u0000]*$"
DECIMAL = "^-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?$"


def _with_server_rules(node: Any) -> Any:
    """A copy of a JSON Schema with the dispatcher's text rules stated (module docstring)."""
    if isinstance(node, list):
        return [_with_server_rules(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _with_server_rules(value) for key, value in node.items()}
    if out.get("type") == "string" and "pattern" not in out and "enum" not in out:
        if out.get("format") == "decimal":
            out["pattern"] = DECIMAL
        elif "format" not in out:  # dates, times and uuids cannot hold a NUL
            out["pattern"] = NO_NUL
    if out.get("type") == "object" and "additionalProperties" in out and "properties" not in out:
        out["propertyNames"] = {"pattern": NO_NUL}
    if out.get("type") == "object" and not {"properties", "additionalProperties", "patternProperties"} & set(out):
        out["propertyNames"] = {"pattern": NO_NUL}  # free-form JSON: values of any kind
        out["additionalProperties"] = {"$ref": SCHEMAS + JSON_VALUE}
    return out


JSON_VALUE = "JsonValue"
_JSON_VALUE_SCHEMA = {
    "description": "any JSON value; text and keys never hold the NUL character",
    "anyOf": [
        {"type": "null"},
        {"type": "boolean"},
        {"type": "number"},
        {"type": "string", "pattern": NO_NUL},
        {"type": "array", "items": {"$ref": SCHEMAS + JSON_VALUE}},
        {
            "type": "object",
            "propertyNames": {"pattern": NO_NUL},
            "additionalProperties": {"$ref": SCHEMAS + JSON_VALUE},
        },
    ],
}


def _envelope(code: str, fields: str | None) -> dict[str, Any]:
    error: dict[str, Any] = {
        "type": "object",
        "required": ["code", "message"],
        "properties": {"code": {"const": code}, "message": {"type": "string"}},
    }
    if fields is not None:
        error["allOf"] = [{"$ref": SCHEMAS + fields}]
    return {"type": "object", "required": ["error"], "properties": {"error": error}}


def _error_responses(route: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    for status in sorted({e["status"] for e in route["errors"]}):
        errors = sorted((e for e in route["errors"] if e["status"] == status), key=lambda e: e["code"])
        refs = []
        for error in errors:
            name = f"{ENVELOPE}.{error['code']}"
            schemas.setdefault(name, _envelope(error["code"], error["fields"]))
            refs.append({"$ref": SCHEMAS + name})
        responses[str(status)] = {
            "description": ", ".join(e["code"] for e in errors),
            "content": {"application/json": {"schema": refs[0] if len(refs) == 1 else {"anyOf": refs}}},
        }
    return responses


def _requires_input(schema: dict[str, Any], schemas: dict[str, Any]) -> bool:
    ref = schema.get("$ref", "")
    target = schemas.get(ref.removeprefix(SCHEMAS), {}) if ref.startswith(SCHEMAS) else schema
    return bool(target.get("required"))


def build_openapi(contract: dict[str, Any]) -> dict[str, Any]:
    schemas = _with_server_rules(copy.deepcopy(contract["schemas"]))
    if any(JSON_VALUE in str(schema) for schema in schemas.values()):
        schemas[JSON_VALUE] = copy.deepcopy(_JSON_VALUE_SCHEMA)
    schemas[ENVELOPE] = {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "additionalProperties": True,
                "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
            }
        },
    }
    paths: dict[str, Any] = {}
    for route in contract["routes"]:
        success_media = "text/event-stream" if route["streaming"] else "application/json"
        responses: dict[str, Any] = {
            "200": {
                "description": "a stream of Server-Sent Events, one JSON value each" if route["streaming"] else "OK",
                "content": {success_media: {"schema": route["output"]}},
            },
            **_error_responses(route, schemas),
        }
        operation = {
            "operationId": route["name"],
            "summary": route["summary"].splitlines()[0] if route["summary"] else route["name"],
            "description": route["summary"],
            "tags": [route["name"].split(".")[0]],
            "x-blossom-auth": route["auth"],
            "requestBody": {"required": True, "content": {"application/json": {"schema": route["input"]}}},
            "responses": responses,
        }
        if route.get("deprecated"):
            operation["deprecated"] = True
        if route.get("api_keys"):  # a session cookie, or an API key (bearer)
            operation["x-blossom-api-keys"] = route["api_keys"]
            operation["security"] = [{"session": []}, {"apiKey": []}]
        if route.get("role"):
            operation["x-blossom-role"] = route["role"]
        item: dict[str, Any] = {"post": operation}
        if "GET" in route["methods"]:
            get = {k: v for k, v in operation.items() if k != "requestBody"}
            get["operationId"] = route["name"] + ".get"
            get["parameters"] = [
                {
                    "name": "input",
                    "in": "query",
                    # Absent means `{}`: needed only when the input has required fields.
                    "required": _requires_input(route["input"], schemas),
                    "description": "the input as JSON",
                    "content": {"application/json": {"schema": route["input"]}},
                }
            ]
            item["get"] = get
        paths[route["path"]] = item
    if contract.get("jsonrpc"):
        paths[contract["jsonrpc"]["path"]] = _jsonrpc_path(contract, schemas)
    return {
        "openapi": "3.1.0",
        "info": {"title": f"Blossom {contract['app']} API", "version": "0"},
        "paths": paths,
        "components": {"schemas": dict(sorted(schemas.items())), "securitySchemes": SECURITY_SCHEMES},
    }


def _jsonrpc_path(contract: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    entry = contract["jsonrpc"]
    inputs = {route["name"]: route["input"] for route in contract["routes"]}
    request_id = {"type": ["string", "number", "null"], "description": "echoed; absent: a notification"}
    calls = []
    for method in entry["methods"]:
        name = f"JsonRpcCall.{method}"
        schemas[name] = {
            "type": "object",
            "required": ["jsonrpc", "method"],
            "additionalProperties": False,
            "properties": {
                "jsonrpc": {"const": "2.0"},
                "method": {"const": method},
                "params": inputs[method],
                "id": request_id,
            },
        }
        calls.append({"$ref": SCHEMAS + name})
    schemas["JsonRpcRequest"] = {"oneOf": calls} if calls else {"not": {}}
    schemas["JsonRpcResponse"] = {
        "oneOf": [
            {
                "type": "object",
                "required": ["jsonrpc", "result", "id"],
                "properties": {"jsonrpc": {"const": "2.0"}, "result": {}, "id": request_id},
            },
            {
                "type": "object",
                "required": ["jsonrpc", "error", "id"],
                "properties": {
                    "jsonrpc": {"const": "2.0"},
                    "id": request_id,
                    "error": {
                        "type": "object",
                        "required": ["code", "message"],
                        "properties": {
                            "code": {"type": "integer", "description": _codes_description(entry["codes"])},
                            "message": {"type": "string"},
                            "data": {
                                "type": "object",
                                "description": "`code`: our error code (as on /rpc/), and its fields",
                                "properties": {"code": {"type": "string"}},
                            },
                        },
                    },
                },
            },
        ]
    }
    one = {"$ref": SCHEMAS + "JsonRpcRequest"}
    answer = {"$ref": SCHEMAS + "JsonRpcResponse"}
    batch = {"type": "array", "minItems": 1, "maxItems": entry["max_batch"]}
    return {
        "post": {
            "operationId": "jsonrpc",
            "summary": "JSON-RPC 2.0: every route that does not stream, the method being its name",
            "description": (
                "One request object, or a batch of up to "
                f"{entry['max_batch']}, answered as an array. Each call runs as a POST to /rpc/<method> would: "
                "its own authentication, auth level, CSRF check, transaction, timeout and rate limits."
                + _aliases_description(entry.get("aliases", {}))
            ),
            "tags": ["jsonrpc"],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {"oneOf": [one, {**batch, "items": one}]}}},
            },
            "responses": {
                "200": {
                    "description": "the answers (errors included), one object or an array for a batch",
                    "content": {
                        "application/json": {"schema": {"oneOf": [answer, {"type": "array", "items": answer}]}}
                    },
                },
                "204": {"description": "only notifications were sent: nothing to answer"},
                "405": {"description": "not a POST", "content": {"application/json": {"schema": answer}}},
            },
        }
    }


def _aliases_description(aliases: dict[str, str]) -> str:
    if not aliases:
        return ""
    served = ", ".join(f"{name} ({route})" for name, route in aliases.items())
    return f" Also methods of another service's clients, each served by a route (its params adapted): {served}."


def _codes_description(codes: dict[str, Any]) -> str:
    protocol = ", ".join(f"{code} {name}" for name, code in codes.items() if name != "by_status")
    by_status = ", ".join(f"{code} for {status}" for status, code in codes["by_status"].items())
    return f"{protocol}; a route's errors by HTTP status: {by_status}"

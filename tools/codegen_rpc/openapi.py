"""OpenAPI 3.1 from the contract: the same source as the TypeScript client."""

from __future__ import annotations

from typing import Any

ENVELOPE = "ErrorEnvelope"


def build_openapi(contract: dict[str, Any]) -> dict[str, Any]:
    schemas = dict(contract["schemas"])
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
        }
        for status in sorted({e["status"] for e in route["errors"]}):
            codes = ", ".join(sorted(e["code"] for e in route["errors"] if e["status"] == status))
            responses[str(status)] = {
                "description": codes,
                "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ENVELOPE}"}}},
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
        item: dict[str, Any] = {"post": operation}
        if "GET" in route["methods"]:
            get = {k: v for k, v in operation.items() if k != "requestBody"}
            get["operationId"] = route["name"] + ".get"
            get["parameters"] = [
                {
                    "name": "input",
                    "in": "query",
                    "required": False,
                    "description": "the input as JSON",
                    "schema": {"type": "string"},
                }
            ]
            item["get"] = get
        paths[route["path"]] = item
    return {
        "openapi": "3.1.0",
        "info": {"title": f"Blossom {contract['app']} API", "version": "0"},
        "paths": paths,
        "components": {"schemas": schemas},
    }

"""JSON-RPC 2.0 framing for `POST /jsonrpc`: reading request objects and batches, writing
responses, and the fixed mapping of our errors onto JSON-RPC error codes. The dispatcher
(`dispatch.py`) runs each call through the same per-call steps as `/rpc/<route>`.

A request object is decoded in one pass into `Call`, whose `params` and `id` stay raw JSON: the
params are then decoded by the route's own decoder (exactly as a `/rpc/` body), and the id is
echoed byte for byte. Only when that pass fails is the input looked at again, to tell a parse
error from an invalid request.

Error codes (`code_of`): the specification's own for the protocol's errors, and one fixed code
per HTTP status for the application's (`data.code` is always our error code):

    -32700 parse error       invalid JSON, invalid UTF-8, nesting too deep
    -32600 invalid request   not a request object, empty batch, batch over MAX_BATCH calls, body
                             over the limit (413), not JSON (415)
    -32601 method not found  no such route (`no_such_route`), or a streaming route
    -32602 invalid params    `invalid_input` (`data.fields`, `data.omitted`), params by position
    -32603 internal error    `internal` (`data.request_id`, nothing else)
    -32001 404  -32002 401  -32003 403  -32004 409  -32005 429  -32006 503  -32007 504
    -32008 400 (a route's own bad-input errors, such as `invalid_token`)
    -32000 any other status a declared error has
"""

from __future__ import annotations

from typing import Any, Literal

import msgspec

from foundation.errors import BlossomError
from foundation.rpc.errors import ValidationFailed

PATH = "/jsonrpc"
MAX_BATCH = 50  # calls in one batch

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
APPLICATION_ERROR = -32000  # a declared error whose status has no code of its own
# One code per HTTP status of a declared error; 413 and 415 refuse the request's framing.
CODE_OF_STATUS = {
    400: -32008,
    401: -32002,
    403: -32003,
    404: -32001,
    409: -32004,
    413: INVALID_REQUEST,
    415: INVALID_REQUEST,
    429: -32005,
    503: -32006,
    504: -32007,
}

_NO_VALUE = msgspec.Raw(b"")  # `params` or `id` absent (an absent id makes a notification)
_NULL = b"null"
_ID_START = frozenset(b'"-0123456789')  # a string or a number


class Call(msgspec.Struct, forbid_unknown_fields=True):
    """One request object. `params` and `id` stay raw JSON (decoded by the route; echoed)."""

    jsonrpc: Literal["2.0"]
    method: str
    params: msgspec.Raw = _NO_VALUE
    id: msgspec.Raw = _NO_VALUE


_call_decoder = msgspec.json.Decoder(Call)
_batch_decoder = msgspec.json.Decoder(list[msgspec.Raw])
_members_decoder = msgspec.json.Decoder(dict[str, msgspec.Raw])
_encode = msgspec.json.Encoder().encode


class Refusal(Exception):
    """A request (or one object of a batch) refused before any route runs: its error response."""

    def __init__(self, code: int, message: str, data: dict[str, Any] | None = None, request_id: bytes = _NULL) -> None:
        super().__init__(message)
        self.response = error_response(request_id, code, message, data)


def parse_error(message: str) -> Refusal:
    return Refusal(PARSE_ERROR, f"Parse error: {message}")


def check_text(raw: bytes) -> None:
    """Invalid UTF-8 is a parse error (msgspec checks it only in the strings it decodes)."""
    if not raw.isascii():
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            raise parse_error("the body is not valid UTF-8") from None


def read_batch(raw: bytes) -> list[msgspec.Raw] | None:
    """The batch's objects (raw) when the body is an array, else None (a single request)."""
    if raw.lstrip()[:1] != b"[":
        return None
    try:
        items = _batch_decoder.decode(raw)
    except msgspec.DecodeError as exc:
        raise parse_error(str(exc)) from None
    except RecursionError:
        raise parse_error("nested too deeply") from None
    if not items:
        raise Refusal(INVALID_REQUEST, "Invalid Request: an empty batch")
    if len(items) > MAX_BATCH:
        raise Refusal(
            INVALID_REQUEST,
            f"Invalid Request: a batch of {len(items)} calls is over the limit of {MAX_BATCH}",
            {"code": "batch_too_large", "limit": MAX_BATCH},
        )
    return items


def read_call(raw: bytes | msgspec.Raw) -> tuple[Call, bytes | None]:
    """One request object and its id's bytes (None: a notification), or the Refusal to answer
    it with. `params` is checked by the route's decoder (every input is a Struct, so anything but
    an object fails there, and `params_refusal` then says why)."""
    try:
        call = _call_decoder.decode(raw)
    except (msgspec.ValidationError, msgspec.DecodeError, RecursionError) as exc:
        raise _refusal(raw, exc) from None
    if not call.id:
        return call, None
    request_id = bytes(call.id)
    if request_id[0] not in _ID_START and request_id != _NULL:
        raise Refusal(INVALID_REQUEST, "Invalid Request: `id` must be a string, a number or null")
    return call, request_id


def params_refusal(params: bytes, request_id: bytes | None) -> Refusal | None:
    """When the route refused `params` because they are not an object: what to answer instead."""
    if params[:1] == b"[":
        return Refusal(
            INVALID_PARAMS,
            "Invalid params: by-position params are not supported; send an object of named params",
            {"code": "invalid_input", "fields": [{"path": "", "message": "Expected `object`, got `array`"}]},
            request_id or _NULL,
        )
    if params[:1] != b"{":
        return Refusal(INVALID_REQUEST, "Invalid Request: `params` must be an object", request_id=request_id or _NULL)
    return None


def _usable_id(raw: msgspec.Raw) -> bool:
    """A string, a number or null (the raw bytes of a valid JSON value: its first byte says)."""
    return memoryview(raw)[0] in _ID_START or bytes(raw) == _NULL


def _refusal(raw: bytes | msgspec.Raw, exc: Exception) -> Refusal:
    if isinstance(exc, RecursionError):
        return parse_error("nested too deeply")
    if isinstance(exc, msgspec.DecodeError) and not isinstance(exc, msgspec.ValidationError):
        return parse_error(str(exc))
    # Valid JSON, not a valid request object: echo its id when it has a usable one.
    request_id = _NULL
    try:
        members = _members_decoder.decode(raw)
    except (msgspec.ValidationError, msgspec.DecodeError):
        members = {}
    found = members.get("id")
    if found is not None and found and _usable_id(found):
        request_id = bytes(found)
    message = str(exc).replace("`$.", "`")
    return Refusal(INVALID_REQUEST, f"Invalid Request: {message}", request_id=request_id)


def code_of(error: BlossomError) -> int:
    if isinstance(error, ValidationFailed):
        return INVALID_PARAMS
    return CODE_OF_STATUS.get(error.status, APPLICATION_ERROR)


def result_response(request_id: bytes, result: bytes) -> bytes:
    return b'{"jsonrpc":"2.0","result":' + result + b',"id":' + request_id + b"}"


def error_response(
    request_id: bytes | msgspec.Raw, code: int, message: str, data: dict[str, Any] | None = None
) -> bytes:
    error: dict[str, Any] = {"code": code, "message": message}
    if data is not None:
        error["data"] = data
    return b'{"jsonrpc":"2.0","error":' + _encode(error) + b',"id":' + bytes(request_id) + b"}"


def application_error(request_id: bytes | msgspec.Raw, error: BlossomError) -> bytes:
    """A declared error: the mapped code, its message, and our code and fields in `data`."""
    return error_response(request_id, code_of(error), error.message, {"code": error.code, **error.fields})


def not_run(raw: bytes | msgspec.Raw, limit: int) -> bytes | None:
    """The answer to a batch call left unrun because the batch's answers passed `limit` bytes
    (None for a notification, which nothing answers)."""
    try:
        _, request_id = read_call(raw)
    except Refusal as refusal:
        return refusal.response
    if request_id is None:
        return None
    return error_response(
        request_id,
        APPLICATION_ERROR,
        f"not run: the batch's answers passed {limit} bytes; send the rest in another request",
        {"code": "batch_response_too_large", "limit": limit},
    )


def internal_error(request_id: bytes | msgspec.Raw, log_id: str) -> bytes:
    return error_response(request_id, INTERNAL_ERROR, "Internal error", {"code": "internal", "request_id": log_id})

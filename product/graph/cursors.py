"""Page tokens for keyset pagination: the last id of a page, bound to the list it came from (the
organization, the route and its filters) and signed with an HMAC, so a token that was tampered
with, forged, or taken from another list is a clear `invalid_cursor`, never a 500 or a page of
something else. Tokens carry no secret: the id they hold is the caller's own."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from typing import Annotated, Any

import msgspec

from foundation.crypto import purpose_key
from foundation.errors import BlossomError

PageToken = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_\-]+$")]
PageSize = Annotated[int, msgspec.Meta(ge=1, le=200)]
_TAG_BYTES = 16


class InvalidCursor(BlossomError):
    """The page token was not issued by this server for this list (same filters, same
    organization): start again without one."""

    code = "invalid_cursor"
    status = 400


def cursor_key(secret: bytes) -> bytes:
    return purpose_key(secret, "graph page token")


def _scope(org_id: str, listing: str, params: Any) -> bytes:
    return hashlib.sha256(msgspec.json.encode([org_id, listing, params], order="sorted")).digest()


def _tag(key: bytes, scope: bytes, last_id: bytes) -> bytes:
    return hmac.new(key, scope + b"\x00" + last_id, hashlib.sha256).digest()[:_TAG_BYTES]


def issue(key: bytes, org_id: str, listing: str, params: Any, last_id: str) -> str:
    """A page token resuming `listing` (with `params`) after `last_id`."""
    raw = last_id.encode()
    token = _tag(key, _scope(org_id, listing, params), raw) + raw
    return base64.urlsafe_b64encode(token).rstrip(b"=").decode()


def resume(key: bytes, org_id: str, listing: str, params: Any, token: str | None) -> str:
    """The id to resume after ("" for the first page); InvalidCursor when the token is not ours."""
    if token is None:
        return ""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        raise InvalidCursor("the page token is malformed") from None
    tag, last_id = raw[:_TAG_BYTES], raw[_TAG_BYTES:]
    if len(tag) < _TAG_BYTES or not hmac.compare_digest(tag, _tag(key, _scope(org_id, listing, params), last_id)):
        raise InvalidCursor("the page token is not valid for this list")
    return last_id.decode()

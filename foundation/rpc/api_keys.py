"""What an API key may call. A call authenticated with a key (`principal.api_key`, set by the
app's authentication hook from `Authorization: Bearer bk_...`) reaches only routes declared
`api_keys=True` (or `api_keys="personal"`: personal access tokens only, not an organization's
keys), and a read-scope key only those that are also `read_only=True`. The dispatcher
asks after the auth level (`check_key`), so a cookie's call pays one attribute read for it.

Bearer calls carry no cookie-borne authority, so the CSRF origin check does not apply to them
(the principal's `via_cookie` is False); a browser cannot send an Authorization header to
another origin without a CORS preflight, which allows none.
"""

from __future__ import annotations

from foundation.errors import Forbidden
from foundation.rpc.principal import Principal
from foundation.rpc.routes import RouteSpec

BEARER = b"bearer "  # the scheme, compared lower-case (RFC 9110: case-insensitive)
# Every key and personal access token starts with it, so secret scanners spot a leaked one.
TOKEN_PREFIX = "bk_"  # noqa: S105 (a prefix, not a secret)


def bearer_token(authorization: bytes | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header (None without one). Anything that
    is not printable ASCII comes back as it is, for the hook to refuse as an unknown key."""
    if not authorization or authorization[:7].lower() != BEARER:
        return None
    return authorization[7:].strip().decode("latin-1")


def check_key(route: RouteSpec, principal: Principal) -> None:
    key = principal.api_key
    if key is None:
        return
    if not route.api_keys:
        raise Forbidden(f"{route.name} cannot be called with an API key; sign in")
    if route.api_keys == "personal" and not key.personal:
        raise Forbidden(f"{route.name} needs a personal access token, not an organization's API key")
    if key.scope == "read" and not route.read_only:
        raise Forbidden(f"{route.name} writes, and this API key may only read")

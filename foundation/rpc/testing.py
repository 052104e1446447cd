"""A stand-in authentication hook for tests, until the product's sessions exist.

`X-Test-Principal: user=usr_…; org=org_…; role=owner` (or `admin=adm_…; role=viewer`)
authenticates as that principal (role defaults to member, an administrator's to owner).
Apps install it only when BLOSSOM_ENV=test: never in development or production.
"""

from __future__ import annotations

from foundation.rpc.dispatch import Authenticate, anonymous
from foundation.rpc.principal import ANONYMOUS, AdminPrincipal, OrgPrincipal, Principal, UserPrincipal

HEADER = b"x-test-principal"


async def header_principal(headers: dict[bytes, bytes], lease: object = None) -> Principal:
    raw = headers.get(HEADER)
    if not raw:
        return ANONYMOUS
    parts = dict(part.strip().split("=", 1) for part in raw.decode().split(";") if "=" in part)
    if "admin" in parts:
        return AdminPrincipal(admin_id=parts["admin"], role=parts.get("role", "owner"))
    user_id, org_id, via_cookie = parts.get("user"), parts.get("org"), parts.get("cookie") == "1"
    if user_id is None:
        return ANONYMOUS
    if org_id is None:
        return UserPrincipal(user_id=user_id, via_cookie=via_cookie)
    return OrgPrincipal(user_id=user_id, org_id=org_id, role=parts.get("role", "member"), via_cookie=via_cookie)


def fallback_authenticator(environment: str) -> Authenticate:
    """Who a caller without credentials of the app's own is: the test header in test mode (never
    honoured elsewhere), else nobody."""
    return header_principal if environment == "test" else anonymous

"""A stand-in authentication hook for tests, until the product's sessions exist.

`X-Test-Principal: user=usr_…; org=org_…` (or `admin=adm_…`) authenticates as that principal.
Apps install it only when BLOSSOM_ENV=test: never in development or production.
"""

from __future__ import annotations

from foundation.rpc.principal import ANONYMOUS, Principal

HEADER = b"x-test-principal"


async def header_principal(headers: dict[bytes, bytes], lease: object = None) -> Principal:
    raw = headers.get(HEADER)
    if not raw:
        return ANONYMOUS
    parts = dict(part.strip().split("=", 1) for part in raw.decode().split(";") if "=" in part)
    if "admin" in parts:
        return Principal("admin", user_id=parts["admin"])
    return Principal("user", user_id=parts.get("user"), org_id=parts.get("org"), via_cookie=parts.get("cookie") == "1")

"""Small, boring cryptographic helpers: random tokens and their stored digests."""

from __future__ import annotations

import hashlib
import hmac
import secrets

TOKEN_BYTES = 32  # 256 bits


def new_token() -> str:
    """A URL-safe random token with 256 bits of entropy, from `secrets`."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_digest(token: str) -> bytes:
    """What we store instead of a token: its SHA-256. Tokens are high-entropy, so no salt is needed."""
    return hashlib.sha256(token.encode()).digest()


def same_bytes(a: bytes, b: bytes) -> bool:
    """Constant-time comparison, for secrets and digests."""
    return hmac.compare_digest(a, b)

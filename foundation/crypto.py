"""Small, boring cryptographic helpers: random tokens and their stored digests, and authenticated
encryption for the few secrets the server must read back."""

from __future__ import annotations

import base64
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


# A signed token: the random part, then a truncated HMAC of it. The server tells a forged or
# random token from one it issued without a database round trip.
_RANDOM_CHARS = 43  # 32 bytes in URL-safe base64, unpadded
_TAG_BYTES = 16
SIGNED_TOKEN_LENGTH = _RANDOM_CHARS + 22


def purpose_key(secret: bytes, purpose: str) -> bytes:
    """A key for one purpose, derived from the app's secret (keys are never shared across uses)."""
    return hmac.new(secret, purpose.encode(), hashlib.sha256).digest()


def _tag(key: bytes, random_part: str) -> str:
    digest = hmac.digest(key, random_part.encode(), "sha256")[:_TAG_BYTES]  # one-shot, in C: every signed cookie
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def new_signed_token(key: bytes) -> str:
    """A random token (256 bits, from `secrets`) carrying a 128-bit HMAC tag under `key`."""
    random_part = secrets.token_urlsafe(TOKEN_BYTES)
    return random_part + _tag(key, random_part)


def signed_by(key: bytes, token: str) -> bool:
    """Whether `token` was made by `new_signed_token(key)` (constant time in the tag)."""
    if len(token) != SIGNED_TOKEN_LENGTH:
        return False
    return hmac.compare_digest(_tag(key, token[:_RANDOM_CHARS]), token[_RANDOM_CHARS:])


# Secrets the server must read back (an administrator's TOTP secret): AES-256-GCM, a random
# 96-bit nonce per message, and the row they belong to as associated data, so a ciphertext
# copied to another row fails to open.
_NONCE_BYTES = 12


class SealedBoxError(ValueError):
    """The ciphertext was not sealed under this key for this context (or was altered)."""


def seal(key: bytes, plaintext: bytes, *, context: str) -> bytes:
    """nonce || ciphertext || tag. `key` is 32 bytes (`purpose_key(secret, purpose)`)."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # loaded on first use

    nonce = secrets.token_bytes(_NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, context.encode())


def unseal(key: bytes, sealed: bytes, *, context: str) -> bytes:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        return AESGCM(key).decrypt(sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:], context.encode())
    except (InvalidTag, ValueError):
        raise SealedBoxError("cannot open: another key, another context, or altered") from None

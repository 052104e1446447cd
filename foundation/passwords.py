"""Password hashing: PBKDF2-HMAC-SHA256, 600,000 iterations, a per-password salt, and a versioned
format (`pbkdf2_sha256$<iterations>$<salt>$<hash>`) so the cost can be raised later and old hashes
upgraded at the next login. Hashing is CPU-bound: the async functions run it off the event loop,
on a pool that leaves one core free for serving requests.

`PasswordHasher.calls` counts the hash computations, so tests can prove that a login with an
unknown email does exactly the same work as one with a known email.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import hashlib
import hmac
import os
import secrets
from concurrent.futures import ThreadPoolExecutor
from importlib import resources

ALGORITHM = "pbkdf2_sha256"
ITERATIONS = 600_000
MIN_LENGTH = 8
MAX_LENGTH = 1024
_SALT_BYTES = 16


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4))


def _hashing_threads() -> int:
    """Leave a core for serving requests: hashing may use all cores but one."""
    return max(1, (os.cpu_count() or 2) - 1)


class PasswordHasher:
    def __init__(self, iterations: int = ITERATIONS) -> None:
        self.iterations = iterations
        self.calls = 0
        # Its own bounded pool: a burst of logins queues here instead of taking every core.
        self._executor = ThreadPoolExecutor(max_workers=_hashing_threads(), thread_name_prefix="password-hash")
        # Verified against when the account does not exist, so that path costs the same full
        # hash. Random salt and digest in the real format: nothing to compute at construction,
        # and no password can match it.
        self._dummy = (
            f"{ALGORITHM}${iterations}${_b64(secrets.token_bytes(_SALT_BYTES))}${_b64(secrets.token_bytes(32))}"
        )

    def _hash(self, password: str, salt: bytes, iterations: int) -> str:
        self.calls += 1
        digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
        return f"{ALGORITHM}${iterations}${_b64(salt)}${_b64(digest)}"

    def hash(self, password: str) -> str:
        return self._hash(password, secrets.token_bytes(_SALT_BYTES), self.iterations)

    def verify(self, password: str, encoded: str | None) -> tuple[bool, bool]:
        """(matches, needs rehash). `encoded` None (no such account) still costs one full hash."""
        try:
            algorithm, iterations_text, salt_text, _ = (encoded or self._dummy).split("$")
            iterations = int(iterations_text)
            if algorithm != ALGORITHM:
                raise ValueError(algorithm)
        except ValueError:
            algorithm, iterations_text, salt_text, _ = self._dummy.split("$")
            iterations, encoded = int(iterations_text), None
        candidate = self._hash(password, _unb64(salt_text), iterations)
        matches = encoded is not None and hmac.compare_digest(candidate, encoded)
        return matches, matches and iterations < self.iterations

    async def hash_async(self, password: str) -> str:
        return await asyncio.get_running_loop().run_in_executor(self._executor, self.hash, password)

    async def verify_async(self, password: str, encoded: str | None) -> tuple[bool, bool]:
        return await asyncio.get_running_loop().run_in_executor(self._executor, self.verify, password, encoded)


@functools.cache
def common_passwords() -> frozenset[str]:
    """The bundled list, read on first use (not at import)."""
    text = resources.files("foundation").joinpath("common_passwords.txt").read_text()
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def password_problem(password: str) -> str | None:
    """Why a new password is refused, or None."""
    if len(password) < MIN_LENGTH:
        return f"use at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"use at most {MAX_LENGTH} characters"
    if password.lower() in common_passwords():
        return "this password is among the most common ones; choose another"
    return None

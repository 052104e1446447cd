"""What panopticon's handlers need besides the request, reached as `req.services` (typed by the
aliases in panopticon/rpc.py). The database is not among them: handlers reach it only through
`req.db`, the request's one connection."""

from __future__ import annotations

from dataclasses import dataclass

from foundation.crypto import purpose_key
from foundation.passwords import PasswordHasher
from foundation.settings import Settings
from foundation.time import Clock, system_clock


@dataclass
class PanopticonServices:
    settings: Settings
    clock: Clock
    hasher: PasswordHasher

    @property
    def session_key(self) -> bytes:
        return session_key(self.settings)

    @property
    def totp_key(self) -> bytes:
        """Encrypts administrators' TOTP secrets (AES-256-GCM; from BLOSSOM_ENCRYPTION_KEY)."""
        return purpose_key(self.settings.encryption_secret, "admin totp secret")

    @property
    def recovery_key(self) -> bytes:
        """Keys the stored hashes of recovery codes, so a copy of the table alone cannot test guesses."""
        return purpose_key(self.settings.encryption_secret, "admin recovery code")

    @property
    def secure_cookies(self) -> bool:
        return self.settings.secure_cookies


def session_key(settings: Settings) -> bytes:
    """Signs admin session tokens: derived from BLOSSOM_SECRET_KEY for this purpose alone, so a
    product session token is never signed by it (and is refused without a database lookup)."""
    return purpose_key(settings.signing_secret, "panopticon session token")


def build_services(
    settings: Settings, *, clock: Clock = system_clock, hasher: PasswordHasher | None = None
) -> PanopticonServices:
    services = PanopticonServices(settings, clock, hasher or PasswordHasher())
    services.totp_key  # noqa: B018 (production without BLOSSOM_ENCRYPTION_KEY stops here, at start)
    return services

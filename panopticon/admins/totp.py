"""The second factor: TOTP (RFC 6238: 30-second steps, six digits, SHA-1, as authenticator apps
expect) via pyotp, and single-use recovery codes.

The TOTP secret is stored sealed (AES-256-GCM under the app's encryption key, bound to the
administrator's id). A code is accepted within one step either side of now (clock drift), and
only once: the step it matched is recorded, and a code of that step or an earlier one is refused
after (`AcceptTotpStep`, an atomic conditional UPDATE, so two requests racing with the same code
cannot both pass). Recovery codes are 80 random bits each, stored as an HMAC under a server key
(a copy of the table alone cannot test guesses), consumed by an atomic UPDATE.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

import pyotp
from pyotp.exceptions import OTPVerificationError
from pyotp.totp import TOTP

from foundation.crypto import seal, unseal

ISSUER = "Blossom Panopticon"
VALID_WINDOW = 1  # steps either side of now
RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford's base32: no i, l, o, u


def new_secret() -> str:
    return pyotp.random_base32()  # 160 bits, from `secrets`


def seal_secret(key: bytes, secret: str, *, admin_id: str) -> bytes:
    return seal(key, secret.encode(), context=f"admin totp:{admin_id}")


def unseal_secret(key: bytes, sealed: bytes, *, admin_id: str) -> str:
    return unseal(key, sealed, context=f"admin totp:{admin_id}").decode()


def provisioning_uri(secret: str, email: str) -> str:
    """The otpauth:// URI an authenticator app reads (usually as a QR code)."""
    return TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def matching_step(secret: str, code: str, now: dt.datetime) -> int | None:
    """The time step `code` is valid for, within the window around `now`; None if none."""
    try:
        return TOTP(secret).verify_and_get_timecode(code, for_time=now, valid_window=VALID_WINDOW)
    except OTPVerificationError:
        return None


def new_recovery_codes() -> list[str]:
    """Ten codes such as `4k7q-z2mn-8hrc-0p3w` (80 bits each), shown to the administrator once."""
    codes = []
    for _ in range(RECOVERY_CODES):
        chars = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(16))
        codes.append("-".join(chars[i : i + 4] for i in range(0, 16, 4)))
    return codes


def recovery_code_hash(key: bytes, code: str) -> bytes:
    """What is stored: an HMAC of the code as typed, case and hyphens aside."""
    normalized = code.strip().lower().replace("-", "").replace(" ", "")
    return hmac.new(key, normalized.encode(), hashlib.sha256).digest()

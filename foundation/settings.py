"""Typed settings from the environment.

`load_settings()` validates everything at once and raises one `ConfigurationError` that names
every missing or invalid variable, instead of failing on the first.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Literal

import msgspec
from msgspec import Meta, field

from foundation.errors import ConfigurationError
from foundation.settings_reader import Secret, min_length, read_settings

REPO_ROOT = Path(__file__).resolve().parent.parent

Environment = Literal["development", "test", "production"]
_ORIGIN = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?")
_DEVELOPMENT_SECRET = b"blossom development and test only: never used in production"
_DEVELOPMENT_ENCRYPTION_SECRET = b"blossom development and test encryption only: never in production"


Port = Annotated[int, Meta(ge=1, le=65535)]


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    # Read from the environment by foundation.settings_reader: each field's variable is its name
    # upper-cased or the field's `name` (they match case-insensitively).

    environment: Environment = field(default="development", name="BLOSSOM_ENV")
    log_format: Literal["console", "json"] | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # An administrative (superuser) connection: creates roles and databases, runs migrations via
    # the owner role. Unset: an embedded PostgreSQL in `data_dir` is started and used.
    database_url: str | None = None
    # How the apps connect. Unset: DATABASE_URL with the user replaced by the application role.
    app_database_url: str | None = None
    # How panopticon (the admin app) connects. Unset: the application's URL with the user replaced
    # by panopticon's role (blossom_panopticon).
    panopticon_database_url: str | None = None
    data_dir: Path = field(default=REPO_ROOT / ".blossom", name="BLOSSOM_DATA_DIR")
    # Connections each app process keeps to PostgreSQL (the most requests that can be in the
    # database at once; others wait for a connection).
    database_pool_size: Annotated[int, Meta(ge=1, le=500)] = 10
    # What stands between the apps and PostgreSQL. `transaction`: a pooler in transaction mode
    # (PgBouncer `pool_mode = transaction`), which may hand each transaction another server
    # connection, so the apps keep no prepared-statement cache (asyncpg's documented setting for
    # poolers). The tenant context is transaction-local either way.
    database_pooler: Literal["none", "transaction"] = "none"
    # Session cookies without the Secure flag, which a browser or an HTTP client only sends over
    # https. Unset: without it in development (`just dev` serves plain http on localhost), with it
    # in test and production. Refused in production. Read `secure_cookies`, not this.
    insecure_cookies: bool | None = field(default=None, name="BLOSSOM_INSECURE_COOKIES")
    # Load tests only: no login/sign-up/reset rate limits. Refused in production.
    disable_rate_limits: bool = field(default=False, name="BLOSSOM_DISABLE_RATE_LIMITS")
    # Record outgoing mail as JSON lines in this file (tests read it) instead of logging it.
    # Development and tests only.
    mail_outbox: Path | None = field(default=None, name="BLOSSOM_MAIL_OUTBOX")
    # Mail goes out through this SMTP server (required in production; in development, set it to
    # send real mail instead of logging it). Port unset: 465 with SMTP_SECURITY=tls, else 587
    # (25 with none). starttls: upgrade a plain connection (refused if the server cannot); tls:
    # TLS from the first byte; none: plain text, for a relay on the same host only.
    smtp_host: Annotated[str, Meta(min_length=1)] | None = None
    smtp_port: Port | None = None
    smtp_security: Literal["starttls", "tls", "none"] = "starttls"
    smtp_username: str | None = None
    smtp_password: Secret | None = None
    smtp_timeout_seconds: Annotated[float, Meta(gt=0, le=300)] = 30.0
    # The From of every message (required in production).
    mail_from: Annotated[str, Meta(min_length=3)] | None = None
    # Signs session tokens (and other server-made tokens), so a forged or random cookie is refused
    # without a database round trip. Required in production (at least 32 characters, e.g.
    # `python -c "import secrets; print(secrets.token_urlsafe(32))"`); development and tests use a
    # fixed, public key.
    secret_key: Secret | None = field(default=None, name="BLOSSOM_SECRET_KEY")
    # Encrypts secrets stored in the database (administrators' TOTP secrets: AES-256-GCM under a
    # key derived from this). Panopticon refuses to start in production without it (at least 32
    # characters, kept apart from BLOSSOM_SECRET_KEY); development and tests use a fixed, public
    # key. Changing it makes every stored TOTP secret unreadable (administrators enrol again).
    encryption_key: Secret | None = field(default=None, name="BLOSSOM_ENCRYPTION_KEY")
    # Origins of frontends served from another host that may call the apps with credentials,
    # comma-separated (`https://app.example.com,http://localhost:5173`): CORS headers for them,
    # and the CSRF check accepts them. Empty: same origin only. Never `*`.
    cors_allowed_origins: str = ""
    # Reverse proxies in front of the apps, comma-separated IP addresses: from them the client's
    # address is read from X-Forwarded-For (rate limits key on it). Unset: the peer's address.
    trusted_proxies: str = ""
    # `just serve` (the production command): worker processes, the address to listen on
    # (0.0.0.0 to accept connections from a load balancer on another host), and how long
    # requests in flight may take to finish after SIGTERM before their worker is killed. Each
    # worker holds up to DATABASE_POOL_SIZE + 2 (outbox) connections to PostgreSQL or the pooler.
    serve_workers: Annotated[int, Meta(ge=1, le=256)] = field(default_factory=lambda: _usable_cpus())
    serve_host: Annotated[str, Meta(min_length=1)] = "127.0.0.1"
    serve_grace_seconds: Annotated[int, Meta(ge=1, le=600)] = 30
    product_port: Port = 8000
    panopticon_port: Port = 8001

    @property
    def proxies(self) -> frozenset[str]:
        """Each in its canonical form (and an IPv4 one also IPv4-mapped), as servers report peers."""
        found: set[str] = set()
        for text in filter(None, (a.strip() for a in self.trusted_proxies.split(","))):
            address = ipaddress.ip_address(text)
            found.add(str(address))
            if address.version == 4:
                found.add(f"::ffff:{address}")
        return frozenset(found)

    @property
    def allowed_origins(self) -> tuple[str, ...]:
        return tuple(o.strip() for o in self.cors_allowed_origins.split(",") if o.strip())

    def __post_init__(self) -> None:
        # Rules across variables (read_settings reports the ValueError as the settings' problem).
        if self.environment == "production" and self.database_url is None and self.app_database_url is None:
            raise ValueError("production needs DATABASE_URL or APP_DATABASE_URL (no embedded PostgreSQL)")
        if self.environment == "production" and self.disable_rate_limits:
            raise ValueError("BLOSSOM_DISABLE_RATE_LIMITS is for load tests, never production")
        if self.environment == "production" and self.secret_key is None:
            raise ValueError("production needs BLOSSOM_SECRET_KEY (at least 32 random characters)")
        if self.environment == "production" and self.insecure_cookies:
            raise ValueError("BLOSSOM_INSECURE_COOKIES is for plain-http development, never production")
        if self.environment == "production" and self.smtp_host is None:
            raise ValueError("production needs SMTP_HOST (the mail server that sends verification and reset codes)")
        if self.environment == "production" and self.mail_from is None:
            raise ValueError("production needs MAIL_FROM (the sender address of every message)")
        if self.environment == "production" and self.mail_outbox is not None:
            raise ValueError("BLOSSOM_MAIL_OUTBOX writes codes to a file: development and tests only, never production")
        if (self.smtp_username is None) != (self.smtp_password is None):
            raise ValueError("SMTP_USERNAME and SMTP_PASSWORD go together: set both or neither")

    @property
    def sender(self) -> str:
        return self.mail_from or "Blossom <no-reply@blossom.invalid>"

    @property
    def signing_secret(self) -> bytes:
        if self.secret_key is not None:
            return self.secret_key.get_secret_value().encode()
        return _DEVELOPMENT_SECRET

    @property
    def encryption_secret(self) -> bytes:
        """What keys for data encrypted at rest derive from (`foundation.crypto.seal`). Production
        without BLOSSOM_ENCRYPTION_KEY has none (ConfigurationError): never the public one."""
        if self.encryption_key is not None:
            return self.encryption_key.get_secret_value().encode()
        if self.environment == "production":
            raise ConfigurationError("production needs BLOSSOM_ENCRYPTION_KEY (at least 32 random characters)")
        return _DEVELOPMENT_ENCRYPTION_SECRET

    @property
    def secure_cookies(self) -> bool:
        """Whether session cookies carry the Secure flag."""
        if self.insecure_cookies is None:
            return self.environment != "development"
        return not self.insecure_cookies

    @property
    def resolved_log_format(self) -> Literal["console", "json"]:
        if self.log_format is not None:
            return self.log_format
        return "json" if self.environment == "production" else "console"


def _usable_cpus() -> int:
    """The CPUs this process may run on (its affinity, which containers narrow), not the host's."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _postgres_url(value: str | None) -> None:
    if value is not None and not value.startswith(("postgresql://", "postgres://")):
        raise ValueError("must be a postgresql:// URL")


def _origins(value: str) -> None:
    for origin in filter(None, (o.strip() for o in value.split(","))):
        if not _ORIGIN.fullmatch(origin):
            raise ValueError(f"{origin!r} is not an origin such as https://app.example.com (no path, no *)")


def _proxies(value: str) -> None:
    for address in filter(None, (a.strip() for a in value.split(","))):
        try:
            ipaddress.ip_address(address)
        except ValueError:
            raise ValueError(f"{address!r} is not an IP address") from None


_CHECKS = {
    "database_url": _postgres_url,
    "app_database_url": _postgres_url,
    "panopticon_database_url": _postgres_url,
    "cors_allowed_origins": _origins,
    "trusted_proxies": _proxies,
    "secret_key": min_length(32),
    "encryption_key": min_length(32),
}


def load_serving_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Settings for a server (`*/asgi.py`), which must be told where it runs: a deploy that forgot
    BLOSSOM_ENV would otherwise serve as development (demo routes, cookies without Secure, the
    public signing key). Developer commands keep development as their default; `just dev` sets it."""
    source = os.environ if environ is None else environ
    if not any(name.upper() == "BLOSSOM_ENV" for name in source):
        raise ConfigurationError(
            "BLOSSOM_ENV is not set: a server must be told where it runs (production, development or test)"
        )
    return load_settings(environ)


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read settings from `environ` (default: the process environment)."""
    return read_settings(Settings, os.environ if environ is None else environ, _CHECKS)

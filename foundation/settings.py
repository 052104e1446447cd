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
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator, model_validator

from foundation.errors import ConfigurationError

REPO_ROOT = Path(__file__).resolve().parent.parent

Environment = Literal["development", "test", "production"]
_ORIGIN = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?")
_DEVELOPMENT_SECRET = b"blossom development and test only: never used in production"
_DEVELOPMENT_ENCRYPTION_SECRET = b"blossom development and test encryption only: never in production"


class Settings(BaseModel):
    # A plain model over the environment (variable names upper-cased: they match case-insensitively).
    # Not pydantic-settings, whose import alone cost a serving worker a fifth of its start-up.
    model_config = ConfigDict(extra="ignore", frozen=True)

    environment: Environment = Field("development", validation_alias="BLOSSOM_ENV")
    log_format: Literal["console", "json"] | None = Field(None, validation_alias="LOG_FORMAT")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field("INFO", validation_alias="LOG_LEVEL")
    # An administrative (superuser) connection: creates roles and databases, runs migrations via
    # the owner role. Unset: an embedded PostgreSQL in `data_dir` is started and used.
    database_url: str | None = Field(None, validation_alias="DATABASE_URL")
    # How the apps connect. Unset: DATABASE_URL with the user replaced by the application role.
    app_database_url: str | None = Field(None, validation_alias="APP_DATABASE_URL")
    # How panopticon (the admin app) connects. Unset: the application's URL with the user replaced
    # by panopticon's role (blossom_panopticon).
    panopticon_database_url: str | None = Field(None, validation_alias="PANOPTICON_DATABASE_URL")
    data_dir: Path = Field(REPO_ROOT / ".blossom", validation_alias="BLOSSOM_DATA_DIR")
    # Connections each app process keeps to PostgreSQL (the most requests that can be in the
    # database at once; others wait for a connection).
    database_pool_size: int = Field(10, ge=1, le=500, validation_alias="DATABASE_POOL_SIZE")
    # What stands between the apps and PostgreSQL. `transaction`: a pooler in transaction mode
    # (PgBouncer `pool_mode = transaction`), which may hand each transaction another server
    # connection, so the apps keep no prepared-statement cache (asyncpg's documented setting for
    # poolers). The tenant context is transaction-local either way.
    database_pooler: Literal["none", "transaction"] = Field("none", validation_alias="DATABASE_POOLER")
    # Session cookies without the Secure flag, which a browser or an HTTP client only sends over
    # https. Unset: without it in development (`just dev` serves plain http on localhost), with it
    # in test and production. Refused in production. Read `secure_cookies`, not this.
    insecure_cookies: bool | None = Field(None, validation_alias="BLOSSOM_INSECURE_COOKIES")
    # Load tests only: no login/sign-up/reset rate limits. Refused in production.
    disable_rate_limits: bool = Field(False, validation_alias="BLOSSOM_DISABLE_RATE_LIMITS")
    # Record outgoing mail as JSON lines in this file (tests read it) instead of logging it.
    # Development and tests only.
    mail_outbox: Path | None = Field(None, validation_alias="BLOSSOM_MAIL_OUTBOX")
    # Mail goes out through this SMTP server (required in production; in development, set it to
    # send real mail instead of logging it). Port unset: 465 with SMTP_SECURITY=tls, else 587
    # (25 with none). starttls: upgrade a plain connection (refused if the server cannot); tls:
    # TLS from the first byte; none: plain text, for a relay on the same host only.
    smtp_host: str | None = Field(None, validation_alias="SMTP_HOST", min_length=1)
    smtp_port: int | None = Field(None, ge=1, le=65535, validation_alias="SMTP_PORT")
    smtp_security: Literal["starttls", "tls", "none"] = Field("starttls", validation_alias="SMTP_SECURITY")
    smtp_username: str | None = Field(None, validation_alias="SMTP_USERNAME")
    smtp_password: SecretStr | None = Field(None, validation_alias="SMTP_PASSWORD")
    smtp_timeout_seconds: float = Field(30.0, gt=0, le=300, validation_alias="SMTP_TIMEOUT_SECONDS")
    # The From of every message (required in production).
    mail_from: str | None = Field(None, validation_alias="MAIL_FROM", min_length=3)
    # Signs session tokens (and other server-made tokens), so a forged or random cookie is refused
    # without a database round trip. Required in production (at least 32 characters, e.g.
    # `python -c "import secrets; print(secrets.token_urlsafe(32))"`); development and tests use a
    # fixed, public key.
    secret_key: SecretStr | None = Field(None, validation_alias="BLOSSOM_SECRET_KEY", min_length=32)
    # Encrypts secrets stored in the database (administrators' TOTP secrets: AES-256-GCM under a
    # key derived from this). Panopticon refuses to start in production without it (at least 32
    # characters, kept apart from BLOSSOM_SECRET_KEY); development and tests use a fixed, public
    # key. Changing it makes every stored TOTP secret unreadable (administrators enrol again).
    encryption_key: SecretStr | None = Field(None, validation_alias="BLOSSOM_ENCRYPTION_KEY", min_length=32)
    # Origins of frontends served from another host that may call the apps with credentials,
    # comma-separated (`https://app.example.com,http://localhost:5173`): CORS headers for them,
    # and the CSRF check accepts them. Empty: same origin only. Never `*`.
    cors_allowed_origins: str = Field("", validation_alias="CORS_ALLOWED_ORIGINS")
    # Reverse proxies in front of the apps, comma-separated IP addresses: from them the client's
    # address is read from X-Forwarded-For (rate limits key on it). Unset: the peer's address.
    trusted_proxies: str = Field("", validation_alias="TRUSTED_PROXIES")
    # `just serve` (the production command): worker processes, the address to listen on
    # (0.0.0.0 to accept connections from a load balancer on another host), and how long
    # requests in flight may take to finish after SIGTERM before their worker is killed. Each
    # worker holds up to DATABASE_POOL_SIZE + 2 (outbox) connections to PostgreSQL or the pooler.
    serve_workers: int = Field(default_factory=lambda: _usable_cpus(), ge=1, le=256, validation_alias="SERVE_WORKERS")
    serve_host: str = Field("127.0.0.1", validation_alias="SERVE_HOST", min_length=1)
    serve_grace_seconds: int = Field(30, ge=1, le=600, validation_alias="SERVE_GRACE_SECONDS")
    product_port: int = Field(8000, ge=1, le=65535, validation_alias="PRODUCT_PORT")
    panopticon_port: int = Field(8001, ge=1, le=65535, validation_alias="PANOPTICON_PORT")

    @field_validator("database_url", "app_database_url", "panopticon_database_url")
    @classmethod
    def _postgres_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("postgresql://", "postgres://")):
            raise ValueError("must be a postgresql:// URL")
        return value

    @field_validator("cors_allowed_origins")
    @classmethod
    def _origins(cls, value: str) -> str:
        for origin in filter(None, (o.strip() for o in value.split(","))):
            if not _ORIGIN.fullmatch(origin):
                raise ValueError(f"{origin!r} is not an origin such as https://app.example.com (no path, no *)")
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies(cls, value: str) -> str:
        for address in filter(None, (a.strip() for a in value.split(","))):
            try:
                ipaddress.ip_address(address)
            except ValueError:
                raise ValueError(f"{address!r} is not an IP address") from None
        return value

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

    @model_validator(mode="after")
    def _production_needs_a_server(self) -> Self:
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
        return self

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


def _variable_name(loc: tuple[int | str, ...]) -> str:
    if not loc:
        return "settings"
    field = Settings.model_fields.get(str(loc[0]))
    alias = field.validation_alias if field is not None else None
    return str(alias) if isinstance(alias, str) else str(loc[0]).upper()


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
    try:
        source = os.environ if environ is None else environ
        return Settings.model_validate({k.upper(): v for k, v in source.items()})
    except ValidationError as exc:
        problems = [f"{_variable_name(e['loc'])}: {e['msg']}" for e in exc.errors()]
        raise ConfigurationError("invalid settings: " + "; ".join(problems)) from None

"""Which PostgreSQL server and database to use, and the URL for each role.

`DATABASE_URL` unset: the embedded server in the settings' data folder, database `blossom`.
`DATABASE_URL` set: that server and database. Either way these roles connect:
the administrator (the URL's own user: creates roles and databases), the owner (owns every
table, runs migrations) and the application role (serves requests, subject to RLS), besides the
outbox worker's, the pipeline's and panopticon's roles, which log in like the application role.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from foundation.settings import Settings

OWNER_ROLE = "blossom_owner"
APP_ROLE = "blossom_app"
# The outbox worker's role: the application role's privileges (it is a member) plus, alone, the
# functions that claim and complete outbox rows, whose payloads hold one-time codes.
OUTBOX_ROLE = "blossom_outbox"
# The Dagster pipeline's role: reads what analytics needs from every organization, writes only
# the analytics schema (migration 0011).
PIPELINE_ROLE = "blossom_pipeline"
# The admin app's role: its own tables (administrators, their sessions) and, later, what support
# tools read across organizations through functions or policies of its own (migration 0019).
PANOPTICON_ROLE = "blossom_panopticon"
DEFAULT_DATABASE = "blossom"
# yoyo's table of applied migrations (the schema version health reports). Named here, not in
# database/migrate.py, so a serving worker never imports yoyo, sqlparse or psycopg for one name.
VERSION_TABLE = "_yoyo_migration"


@dataclass(frozen=True)
class PgUrl:
    """A parsed postgresql:// URL that can be re-pointed at another user or database."""

    user: str | None
    password: str | None
    host: str | None  # a hostname, or a socket directory (from ?host=)
    port: int | None
    database: str
    query: tuple[tuple[str, str], ...] = ()

    @classmethod
    def parse(cls, url: str) -> PgUrl:
        parts = urlsplit(url)
        query = dict(parse_qsl(parts.query))
        host = parts.hostname or query.pop("host", None)
        port = parts.port or (int(query.pop("port")) if "port" in query else None)
        return cls(
            user=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            host=host,
            port=port,
            database=unquote(parts.path.lstrip("/")) or DEFAULT_DATABASE,
            query=tuple(query.items()),
        )

    def with_user(self, user: str) -> PgUrl:
        # Another role's password is never the administrator's: drop it (libpq then uses
        # PGPASSWORD, ~/.pgpass or trust).
        return replace(self, user=user, password=None)

    def without_password(self) -> PgUrl:
        return replace(self, password=None)

    def with_database(self, database: str) -> PgUrl:
        return replace(self, database=database)

    @property
    def is_socket(self) -> bool:
        return self.host is not None and self.host.startswith("/")

    @property
    def where(self) -> str:
        """Where the server is, for error messages: `host:port` or the socket directory."""
        if self.is_socket:
            return f"socket {self.host}"
        return f"{self.host or 'localhost'}:{self.port or 5432}"

    def render(self, scheme: str = "postgresql") -> str:
        auth = quote(self.user or "", safe="")
        if self.password is not None:
            auth += ":" + quote(self.password, safe="")
        query = list(self.query)
        netloc = f"{auth}@" if auth else ""
        if self.is_socket:
            query = [("host", self.host or ""), *(([("port", str(self.port))]) if self.port else []), *query]
        else:
            netloc += (self.host or "") + (f":{self.port}" if self.port else "")
        return urlunsplit((scheme, netloc, "/" + quote(self.database, safe=""), urlencode(query), ""))

    def __str__(self) -> str:
        return self.render()


@dataclass(frozen=True)
class DatabaseTarget:
    admin: PgUrl
    owner: PgUrl
    app: PgUrl
    embedded: bool
    panopticon_url: PgUrl | None = None  # PANOPTICON_DATABASE_URL, when set

    @property
    def outbox(self) -> PgUrl:
        """The outbox worker's URL: the application's, as the outbox role (which logs in the same
        way: trust, or its own ~/.pgpass line)."""
        return self.app.with_user(OUTBOX_ROLE)

    @property
    def pipeline(self) -> PgUrl:
        """The Dagster pipeline's URL: the application's, as the pipeline role (trust, or its own
        ~/.pgpass line)."""
        return self.app.with_user(PIPELINE_ROLE)

    @property
    def panopticon(self) -> PgUrl:
        """The admin app's URL: the application's, as panopticon's role (trust, or its own
        ~/.pgpass line), unless PANOPTICON_DATABASE_URL names one (`panopticon_url`)."""
        return self.panopticon_url or self.app.with_user(PANOPTICON_ROLE)

    def for_database(self, database: str) -> DatabaseTarget:
        return DatabaseTarget(
            admin=self.admin.with_database(database),
            owner=self.owner.with_database(database),
            app=self.app.with_database(database),
            embedded=self.embedded,
            panopticon_url=self.panopticon_url.with_database(database) if self.panopticon_url else None,
        )


def target_from_admin_url(
    admin: PgUrl, *, embedded: bool, app_url: str | None = None, panopticon_url: str | None = None
) -> DatabaseTarget:
    return DatabaseTarget(
        admin=admin,
        owner=admin.with_user(OWNER_ROLE),
        app=PgUrl.parse(app_url) if app_url else admin.with_user(APP_ROLE),
        embedded=embedded,
        panopticon_url=PgUrl.parse(panopticon_url) if panopticon_url else None,
    )


def resolve_target(settings: Settings, *, start_embedded: bool = True) -> DatabaseTarget:
    """The configured target; starts the embedded server when no DATABASE_URL is set."""
    if settings.database_url is not None:
        return target_from_admin_url(
            PgUrl.parse(settings.database_url),
            embedded=False,
            app_url=settings.app_database_url,
            panopticon_url=settings.panopticon_database_url,
        )
    from database import embedded

    data_dir = settings.data_dir / "postgres"
    server = (
        embedded.ensure_running(data_dir)
        if start_embedded
        else embedded.EmbeddedServer(data_dir=data_dir, socket_dir=embedded.socket_dir_for(data_dir))
    )
    admin = PgUrl.parse(server.url(DEFAULT_DATABASE))
    return target_from_admin_url(
        admin, embedded=True, app_url=settings.app_database_url, panopticon_url=settings.panopticon_database_url
    )

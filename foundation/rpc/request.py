"""What a handler receives: `Request` (the validated body, the narrowed principal, the app's
services) and `req.db`, the request's one transaction, opened on first use and finished by the
dispatcher; beneath it the `Lease` on one pooled connection that authentication and `req.db`
share, and `RequestDatabase`, what the dispatcher needs of the app's database.

A handler that never touches the database never opens a transaction. The app supplies the
opener (for product: a tenant transaction with the principal's user and org).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from foundation.rpc.principal import AdminPrincipal, AnonymousPrincipal, OrgPrincipal, Principal, SignedIn

if TYPE_CHECKING:
    from foundation.errors import Unavailable

In = TypeVar("In")
P = TypeVar("P", covariant=True)  # an OrgReq may go where a Req is expected
S = TypeVar("S", covariant=True)  # the app's services (product: ProductServices)


class NoDatabase(RuntimeError):
    pass


class RequestDb:
    """`streaming`: the request is a stream, which holds no transaction between its events; it
    uses short ones (`transaction()`) and has no request-long one."""

    __slots__ = ("_after_commit", "_conn", "_context", "_on_open", "_opener", "_streaming")

    def __init__(
        self, opener: Callable[[], AbstractAsyncContextManager[Any]] | None, *, streaming: bool = False
    ) -> None:
        self._opener = opener
        self._context: AbstractAsyncContextManager[Any] | None = None
        self._conn: Any = None
        self._streaming = streaming
        self._after_commit: list[Callable[[], object]] | None = None
        self._on_open: Callable[[Any], Awaitable[None]] | None = None

    def on_open(self, callback: Callable[[Any], Awaitable[None]]) -> None:
        """Run `callback(conn)` first thing in the request's transaction, when it opens (the
        idempotency guard claims its key there)."""
        self._on_open = callback

    @property
    def opened(self) -> bool:
        return self._context is not None

    @property
    def pending(self) -> bool:
        """Whether `finish` has anything to do (a transaction to end, callbacks to run)."""
        return self._context is not None or self._after_commit is not None

    def transaction(self) -> AbstractAsyncContextManager[Any]:
        """`async with req.db.transaction() as conn:` a short transaction of its own, with the
        request's tenant context, committed when the block ends (rolled back if it raises). For
        streams, and for what must stay committed even if the request fails (a rate-limit hit).
        It runs on the request's one connection, so never while the request's transaction is open."""
        if self._opener is None:
            raise NoDatabase("this app serves no database")
        if self._context is not None:
            raise RuntimeError(
                "req.db.transaction() runs on the request's one connection: use it before the request's "
                "transaction begins (a second connection could deadlock the pool)"
            )
        return self._opener()

    async def connection(self) -> Any:
        if self._conn is None:
            if self._opener is None:
                raise NoDatabase("this app serves no database")
            if self._streaming:
                raise RuntimeError("a stream holds no transaction: use `async with req.db.transaction() as conn`")
            self._context = self._opener()
            self._conn = await self._context.__aenter__()
            if self._on_open is not None:
                await self._on_open(self._conn)
        return self._conn

    async def fetch(self, query: str, *args: Any, timeout: float | None = None) -> list[Any]:
        return await (await self.connection()).fetch(query, *args, timeout=timeout)

    async def fetchrow(self, query: str, *args: Any, timeout: float | None = None) -> Any:
        return await (await self.connection()).fetchrow(query, *args, timeout=timeout)

    async def fetchval(self, query: str, *args: Any, column: int = 0, timeout: float | None = None) -> Any:
        return await (await self.connection()).fetchval(query, *args, column=column, timeout=timeout)

    async def execute(self, query: str, *args: Any, timeout: float | None = None) -> str:
        return await (await self.connection()).execute(query, *args, timeout=timeout)

    def after_commit(self, callback: Callable[[], object]) -> None:
        """Call `callback()` once the request has committed; never if it rolls back (wake the
        outbox worker for a row this request wrote). Keep it quick: it runs before the response."""
        if self._after_commit is None:
            self._after_commit = []
        self._after_commit.append(callback)

    async def finish(self, error: BaseException | None) -> None:
        """Commit (no error) or roll back; a no-op when the transaction was never opened. After a
        commit (or a clean end without a transaction) the `after_commit` callbacks run."""
        context, self._context, self._conn = self._context, None, None
        callbacks, self._after_commit = self._after_commit, None
        if context is not None:
            if error is None:
                await context.__aexit__(None, None, None)
            else:
                await context.__aexit__(type(error), error, error.__traceback__)
        if error is None and callbacks:
            for callback in callbacks:
                callback()


class UnusedTransaction(Exception):
    """Why a transaction authentication began and no `req.db` continued is rolled back."""


class Lease:
    """One pooled connection for the whole request: acquired on first use (by authentication or
    by `req.db`), released by the dispatcher when the request ends. Sharing it saves a pool
    round trip on every authenticated request that touches the database.

    Authentication may begin the request's transaction itself, when the check of the caller and
    the tenant context travel in one round trip (`hold_begun`): the request's first transaction
    with that context continues it (`take_begun`), and the release rolls it back if none did."""

    __slots__ = ("_acquire", "_begun", "_conn", "_context", "held")

    def __init__(self, acquire: Callable[[], AbstractAsyncContextManager[Any]]) -> None:
        self._acquire = acquire
        self._context: AbstractAsyncContextManager[Any] | None = None
        self._conn: Any = None
        self._begun: tuple[object, AbstractAsyncContextManager[Any]] | None = None
        # Whether `release` has anything to give back (a connection, or a transaction begun on
        # it). An attribute, not a property: the dispatcher reads it on every request.
        self.held = False

    def hold_begun(self, context: object, transaction: AbstractAsyncContextManager[Any]) -> None:
        """`transaction` is open on the connection, with the tenant `context` (user id, org id)."""
        self._begun = (context, transaction)
        self.held = True

    def take_begun(self, context: object) -> AbstractAsyncContextManager[Any] | None:
        """The transaction authentication began, if its tenant context is `context` (once)."""
        begun = self._begun
        if begun is None or begun[0] != context:
            return None
        self._begun = None
        self.held = self._context is not None
        return begun[1]

    async def connection(self) -> Any:
        if self._conn is None:
            self._context = self._acquire()
            self.held = True  # before the wait: a cancelled acquire is still released
            self._conn = await self._context.__aenter__()
        return self._conn

    async def release(self) -> None:
        begun, self._begun = self._begun, None
        context, self._context, self._conn = self._context, None, None
        self.held = False
        try:
            if begun is not None:  # nothing ran in it: rolled back (a failure terminates the connection)
                await begun[1].__aexit__(UnusedTransaction, UnusedTransaction(), None)
        finally:  # even when the rollback is cut short (a cancelled request): the pool terminates it
            if context is not None:
                await context.__aexit__(None, None, None)


class RequestDatabase(Protocol):
    """The database as the dispatcher sees it (`database.app_database.AppDatabase` in the apps)."""

    def lease(self) -> Lease:
        """The request's one pooled connection, not yet acquired."""
        ...

    def transaction(self, principal: Principal, lease: Lease | None) -> AbstractAsyncContextManager[Any]:
        """A transaction with the principal's tenant context: on the lease's connection, or (no
        lease: a stream's short step) on one of the pool's for the block's length."""
        ...

    def unavailable(self, error: Exception) -> Unavailable | None:
        """The 503 to answer when `error` means the database is out of reach, else None."""
        ...


class Request(Generic[In, P, S]):
    """What a handler receives: the validated body, who is calling (narrowed by the route's auth
    level), and the request's transaction. Handlers name it through the aliases below."""

    __slots__ = ("body", "client", "db", "headers", "principal", "request_id", "response_headers", "services")

    def __init__(
        self,
        body: In,
        principal: P,
        db: RequestDb,
        request_id: str,
        services: S = None,  # type: ignore[assignment]  # apps without services pass none
        client: str = "",
        headers: dict[bytes, bytes] | None = None,
    ) -> None:
        self.body = body
        self.principal = principal
        self.db = db
        self.request_id = request_id
        self.services = services  # the app's own services (clock, mailer, …): typed by its aliases
        self.client = client  # the client's address, for rate limits
        self.headers = headers if headers is not None else {}  # lower-case names, raw bytes
        self.response_headers: list[tuple[bytes, bytes]] = []  # sent with a successful response

    def set_cookie(self, header_value: str) -> None:
        self.response_headers.append((b"set-cookie", header_value.encode()))


# For apps without services of their own; an app with some declares the same four with its type
# (product/rpc.py), so that `req.services` is typed in its handlers.
Req = Request[In, Principal, Any]
AnonymousReq = Request[In, AnonymousPrincipal, Any]  # public; the caller is never looked up
UserReq = Request[In, SignedIn, Any]
OrgReq = Request[In, OrgPrincipal, Any]
AdminReq = Request[In, AdminPrincipal, Any]

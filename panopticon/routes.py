"""Every panopticon feature's routes, imported so they register on `panopticon.rpc.router`."""

import panopticon.admins.routes
import panopticon.impersonation.routes
import panopticon.system.routes  # noqa: F401
from panopticon.rpc import router

__all__ = ["router"]

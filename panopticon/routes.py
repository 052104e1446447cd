"""Every panopticon feature's routes, imported so they register on `panopticon.rpc.router`."""

import panopticon.admins.routes
import panopticon.audit.routes
import panopticon.impersonation.routes
import panopticon.orgs.routes
import panopticon.search.routes
import panopticon.system.routes
import panopticon.system.status
import panopticon.users.routes  # noqa: F401
from panopticon.rpc import router

__all__ = ["router"]

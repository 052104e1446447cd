"""Every panopticon feature's routes, imported so they register on `panopticon.rpc.router`."""

import panopticon.system.routes  # noqa: F401
from panopticon.rpc import router

__all__ = ["router"]

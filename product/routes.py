"""Every product feature's routes, imported so they register on `product.rpc.router`."""

import product.accounts.impersonation
import product.accounts.routes
import product.api_keys.routes
import product.chat.routes
import product.conversations.routes
import product.graph.routes
import product.orgs.routes
import product.reference_api.methods
import product.tenancy.routes
import product.workspaces.routes  # noqa: F401
from product.rpc import router

__all__ = ["router"]

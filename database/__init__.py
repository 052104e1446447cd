"""The database layer: servers, roles, migrations, pools and tenant-scoped transactions.

Layer rule: database imports only foundation.
"""

"""The customer-facing app. Features live in folders (routes, queries, tests and a README each)."""

# Blossom's front door. `uv run just` puts the project's tools (and `just` itself) on PATH.

set shell := ["bash", "-euo", "pipefail", "-c"]

py := "uv run python"

# List every recipe with a one-line description
help:
    @just --list --unsorted

# Serve product (:8000) and panopticon (:8001) with reload, on the embedded PostgreSQL unless DATABASE_URL is set
dev *args:
    {{py}} -m tools.dev {{args}}

# The production server: SERVE_WORKERS Granian workers, no reload, JSON logs, graceful stop on SIGTERM (BLOSSOM_ENV required)
serve *args:
    {{py}} -m tools.serve {{args}}

# Run the whole suite in parallel, TypeScript client included (embedded PostgreSQL; TEST_DATABASE_URL for another server)
test *args:
    {{py}} -m pytest -n auto {{args}}

# Administrators: `just admin create EMAIL [--role viewer|support|operator|owner]` prints a one-time enrolment code
admin *args:
    {{py}} -m tools.admin {{args}}

# Lint: ruff, formatting, pyright, layer rules (import-linter), generated files up to date
lint:
    uv run ruff check .
    uv run ruff format --check .
    uv run pyright
    uv run lint-imports
    {{py}} -m tools.db schema --check
    {{py}} -m tools.codegen_db --check
    {{py}} -m tools.codegen_rpc --check
    {{py}} -m tools.web --check

# Format the code and apply safe lint fixes
fmt:
    uv run ruff format .
    uv run ruff check --fix .

# Rebuild the web console (panopticon/web/src -> panopticon/web/static, committed; needs Node 20+): panopticon/web/README.md
web:
    {{py}} -m tools.web

# Create roles and the database if needed, apply migrations, refresh database/schema.sql
migrate:
    {{py}} -m tools.db migrate

# Create the next migration file, chained to the newest: just new-migration add_invoices
new-migration +name:
    {{py}} -m tools.db new-migration {{name}}

# psql on the development database (--as owner|app|admin, default owner; other arguments go to psql)
psql *args:
    {{py}} -m tools.db psql {{args}}

# Stop the embedded PostgreSQL servers (development and test)
db-stop:
    {{py}} -m tools.db stop

# Generate a typed queries.py beside every queries.sql (sqlc checks the SQL); --check fails when stale
codegen-db *args:
    {{py}} -m tools.codegen_db {{args}}

# Generate each app's contract.json, openapi.json and TypeScript client from its routes; --check fails when stale; --breaking REF lists what would break clients built at REF
codegen-rpc *args:
    {{py}} -m tools.codegen_rpc {{args}}

# The audit log: `just audit verify` recomputes every chain's hashes and exits 1 on a broken link
audit *args:
    {{py}} -m tools.audit {{args}}

# Print the public API of foundation and database (or of the packages named)
list-symbols *packages:
    {{py}} -m tools.list_symbols {{packages}}

# Run the benchmarks (all, or the suites named: database, queries, rpc, product, lifecycle, pieces, external, serving, scaleout, pipeline, assistant, audit, graph, panopticon) and print their figures
bench *suites:
    {{py}} -m tools.bench {{suites}}

# The soak: 10 minutes (--duration SECONDS) of loopback load through two servers and PgBouncer, a PostgreSQL restart midway; checks every answer for tenant leaks, 5xx and growth
soak *args:
    {{py}} -m tools.soak {{args}}

# Serve the Dagster code location (pipeline/) in the Dagster UI, on the development database (storage in .blossom/dagster)
pipeline:
    {{py}} -m tools.pipeline ui

# Materialize assets headlessly on the development database (all, or those named; --partition DAY, --from DAY --to DAY)
materialize *args:
    {{py}} -m tools.pipeline materialize {{args}}

"""`just codegen-db`: SQL files in, typed asyncpg query modules out (sqlc parses and checks the SQL)."""

"""The Dagster code location for data jobs. It reads the database through database/, never an app."""

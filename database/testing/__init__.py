"""The database test harness: a migrated template database built once per migration set, one
database per test worker cloned from it, and a cheap reset between tests."""

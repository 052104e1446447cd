"""Root conftest: the `t` fixture and the test database lifecycle come from database.testing."""

pytest_plugins = ["database.testing.plugin"]

import subprocess
import sys

from foundation.settings import REPO_ROOT
from tools.list_symbols import symbols


def test_lists_public_functions_with_signature_and_summary() -> None:
    lines = list(symbols("foundation"))
    new_id = next(line for line in lines if line.startswith("foundation.ids.new_id("))
    assert "(prefix: str, *, clock: Clock=system_clock) -> str" in new_id
    assert new_id.endswith("A new id for `prefix` (`usr`, `org`, …) stamped with `clock`'s current time.")
    assert "foundation.ids.ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'" in lines
    assert any(line.startswith("foundation.testing.clock.ManualClock") for line in lines)


def test_hides_private_names_and_tests() -> None:
    lines = list(symbols("foundation"))
    assert not any("._" in line.split("(")[0].split(" ")[0] for line in lines)
    assert not any("_test." in line for line in lines)


def test_async_functions_read_as_declared() -> None:
    # The command a person runs, in a real process.
    result = subprocess.run(
        [sys.executable, "-m", "tools.list_symbols", "database"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    lines = result.stdout.splitlines()
    assert any(
        line.startswith("async database.connect.create_pool(url: PgUrl, *, min_size: int=1") for line in lines
    ), lines
    assert not any("async (" in line for line in lines)
    assert any(line.startswith("database.connect.DbConnection(Protocol)") for line in lines)

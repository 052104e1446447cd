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

import pytest

from foundation.passwords import ITERATIONS, PasswordHasher, password_problem


@pytest.fixture(scope="module")
def hasher() -> PasswordHasher:
    return PasswordHasher(iterations=1000)  # the format and logic; the real cost is measured in bench


def test_hash_is_versioned_salted_and_verifies(hasher: PasswordHasher) -> None:
    first, second = hasher.hash("a long passphrase"), hasher.hash("a long passphrase")
    assert first.startswith("pbkdf2_sha256$1000$")
    assert first != second  # per-password salt
    assert hasher.verify("a long passphrase", first) == (True, False)
    assert hasher.verify("wrong passphrase", first) == (False, False)


def test_old_parameters_ask_for_a_rehash() -> None:
    old = PasswordHasher(iterations=500).hash("a long passphrase")
    assert PasswordHasher(iterations=1000).verify("a long passphrase", old) == (True, True)


def test_an_unknown_account_costs_exactly_one_hash_like_a_known_one(hasher: PasswordHasher) -> None:
    stored = hasher.hash("a long passphrase")
    hasher.calls = 0
    hasher.verify("a long passphrase", stored)
    known = hasher.calls
    hasher.calls = 0
    assert hasher.verify("a long passphrase", None) == (False, False)
    assert hasher.calls == known == 1


def test_garbage_in_the_stored_hash_still_costs_a_hash_and_fails(hasher: PasswordHasher) -> None:
    hasher.calls = 0
    assert hasher.verify("x" * 10, "not-a-hash") == (False, False)
    assert hasher.calls == 1


def test_the_default_cost_is_600000_iterations() -> None:
    assert ITERATIONS == 600_000


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short", "at least 8"),
        ("x" * 1025, "at most 1024"),
        ("Password123", "most common"),
        ("qwertyuiop", "most common"),
    ],
)
def test_weak_passwords_are_refused(password: str, problem: str) -> None:
    assert problem in (password_problem(password) or "")


def test_a_reasonable_password_is_accepted() -> None:
    assert password_problem("violet tractor sings") is None

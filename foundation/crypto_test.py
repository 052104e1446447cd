import hashlib

from foundation.crypto import new_signed_token, new_token, purpose_key, same_bytes, signed_by, token_digest


def test_tokens_carry_256_bits_and_never_repeat() -> None:
    tokens = {new_token() for _ in range(1000)}
    assert len(tokens) == 1000
    assert all(len(t) >= 43 for t in tokens)  # 32 bytes in URL-safe base64


def test_only_the_sha256_digest_is_stored() -> None:
    token = new_token()
    assert token_digest(token) == hashlib.sha256(token.encode()).digest()
    assert same_bytes(token_digest(token), token_digest(token))
    assert not same_bytes(token_digest(token), token_digest(new_token()))


def test_a_signed_token_is_told_from_a_forged_or_random_one_without_a_lookup() -> None:
    key = purpose_key(b"secret" * 8, "session")
    token = new_signed_token(key)
    assert signed_by(key, token)
    assert not signed_by(purpose_key(b"secret" * 8, "other purpose"), token)
    assert not signed_by(key, new_token())
    assert not signed_by(key, token[:-1] + ("A" if token[-1] != "A" else "B"))
    other_first = "x" if token[0] != "x" else "y"  # (a fixed "x" was the same token 1 time in 64)
    assert not signed_by(key, other_first + token[1:])  # the random part is covered by the tag
    assert not signed_by(key, "")

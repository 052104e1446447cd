import hashlib

from foundation.crypto import new_token, same_bytes, token_digest


def test_tokens_carry_256_bits_and_never_repeat() -> None:
    tokens = {new_token() for _ in range(1000)}
    assert len(tokens) == 1000
    assert all(len(t) >= 43 for t in tokens)  # 32 bytes in URL-safe base64


def test_only_the_sha256_digest_is_stored() -> None:
    token = new_token()
    assert token_digest(token) == hashlib.sha256(token.encode()).digest()
    assert same_bytes(token_digest(token), token_digest(token))
    assert not same_bytes(token_digest(token), token_digest(new_token()))

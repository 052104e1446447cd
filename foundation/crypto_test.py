import hashlib

import pytest

from foundation.crypto import (
    SealedBoxError,
    new_signed_token,
    new_token,
    purpose_key,
    same_bytes,
    seal,
    signed_by,
    token_digest,
    unseal,
)


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


def test_sealed_secrets_open_only_with_their_key_and_context_and_unaltered() -> None:
    key = purpose_key(b"secret" * 8, "admin totp secret")
    sealed = seal(key, b"JBSWY3DPEHPK3PXP", context="admin totp:adm_1")
    assert b"JBSWY3DPEHPK3PXP" not in sealed
    assert seal(key, b"JBSWY3DPEHPK3PXP", context="admin totp:adm_1") != sealed  # a fresh nonce each time
    assert unseal(key, sealed, context="admin totp:adm_1") == b"JBSWY3DPEHPK3PXP"
    altered = sealed[:-1] + bytes([sealed[-1] ^ 1])
    for wrong_key, context, data in [
        (purpose_key(b"secret" * 8, "other"), "admin totp:adm_1", sealed),  # another key
        (key, "admin totp:adm_2", sealed),  # copied to another row
        (key, "admin totp:adm_1", altered),
        (key, "admin totp:adm_1", b"short"),
    ]:
        with pytest.raises(SealedBoxError):
            unseal(wrong_key, data, context=context)

from __future__ import annotations

import base64
import os

import pytest

from app.profiles.crypto import DEV_KID, FieldCipher, Keyring, key_id
from app.profiles.errors import CryptoError

CTX = {"table": "user_profiles", "column": "email", "user_key": "u_" + "a" * 32}


def _key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def test_round_trip_keeps_type_and_names_the_key() -> None:
    cipher = FieldCipher(Keyring.parse(f"k2:{_key()},k1:{_key()}"))
    for value in ("ada@example.com", -2.25, 90, ["a", "b"], {"price_band": "lt25"}):
        token = cipher.encrypt(value, **CTX)
        assert key_id(token) == "k2"
        assert "ada" not in token
        assert cipher.decrypt(token, **CTX) == value


def test_same_value_encrypts_differently_each_time() -> None:
    cipher = FieldCipher(Keyring.from_env(""))
    assert cipher.encrypt("x", **CTX) != cipher.encrypt("x", **CTX)


@pytest.mark.parametrize(
    "other",
    [
        {"user_key": "u_" + "b" * 32},
        {"column": "phone"},
        {"table": "prescriptions"},
    ],
)
def test_value_moved_to_another_user_column_or_table_fails(other: dict[str, str]) -> None:
    cipher = FieldCipher(Keyring.from_env(""))
    token = cipher.encrypt("ada@example.com", **CTX)
    with pytest.raises(CryptoError, match="does not authenticate"):
        cipher.decrypt(token, **{**CTX, **other})


def test_wrong_key_material_under_same_id_fails() -> None:
    token = FieldCipher(Keyring.parse(f"k1:{_key()}")).encrypt("x", **CTX)
    with pytest.raises(CryptoError, match="does not authenticate under key 'k1'"):
        FieldCipher(Keyring.parse(f"k1:{_key()}")).decrypt(token, **CTX)


def test_unknown_key_id_names_the_fix() -> None:
    token = FieldCipher(Keyring.parse(f"old:{_key()}")).encrypt("x", **CTX)
    with pytest.raises(CryptoError, match="'old', which is not in HEADWATER_ENCRYPTION_KEYS"):
        FieldCipher(Keyring.parse(f"new:{_key()}")).decrypt(token, **CTX)


def test_rotation_old_key_still_decrypts_and_needs_rotation() -> None:
    old = _key()
    token = FieldCipher(Keyring.parse(f"old:{old}")).encrypt(1.5, **CTX)
    rotated = FieldCipher(Keyring.parse(f"new:{_key()},old:{old}"))
    assert rotated.needs_rotation(token)
    again = rotated.encrypt(rotated.decrypt(token, **CTX), **CTX)
    assert key_id(again) == "new"
    assert not rotated.needs_rotation(again)
    assert rotated.decrypt(again, **CTX) == 1.5


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "holds no key"),
        ("nokey", "not 'kid:base64key'"),
        ("bad id:AAAA", "not 'kid:base64key'"),
        ("k:!!!", "not valid base64"),
        (f"k:{base64.b64encode(b'short').decode()}", "AES needs 16, 24 or 32"),
        ("k:{0},k:{0}".format(base64.b64encode(bytes(32)).decode()), "appears twice"),
    ],
)
def test_bad_key_specs_are_refused(spec: str, message: str) -> None:
    with pytest.raises(CryptoError, match=message):
        Keyring.parse(spec)


def test_unset_uses_the_logged_development_key(caplog: pytest.LogCaptureFixture) -> None:
    ring = Keyring.from_env("")
    assert ring.active == DEV_KID
    assert "PUBLIC development key" in caplog.text


def test_malformed_token() -> None:
    with pytest.raises(CryptoError, match="not 'kid:nonce:ciphertext'"):
        FieldCipher(Keyring.from_env("")).decrypt("plain text", **CTX)

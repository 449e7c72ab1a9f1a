"""Field-level encryption: AES-GCM (``cryptography``) with a key id stored in every value.

A stored value is ``kid:nonce:ciphertext`` (nonce and ciphertext in unpadded base64url), so a
value names the key that decrypts it and keys can rotate while old values stay readable. The
associated data is ``table/column/user_key``: a ciphertext copied into another user's row or
another column fails authentication instead of decrypting to someone else's data.

Keys come from ``HEADWATER_ENCRYPTION_KEYS`` (``kid1:base64key,kid2:base64key``; 16, 24 or 32
bytes each; the first is the active key that encrypts, all decrypt). When it is unset a fixed
development key is used and a warning is logged: that key is public, for the local stack only.

Operator action: to rotate, put the new key first and keep the old ones, restart the workers,
run ``faust -A app profiles rotate-keys``, and only then remove the old key from the variable.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.profiles.errors import CryptoError

log = logging.getLogger(__name__)

ENV = "HEADWATER_ENCRYPTION_KEYS"
DEV_KID = "dev"
# Derived, not random, so every process of the local stack reads what the others wrote.
_DEV_KEY = hashlib.sha256(b"headwater-local-development-encryption-key").digest()
_KID = re.compile(r"^[A-Za-z0-9-]{1,32}$")
_NONCE_BYTES = 12


def _b64e(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def associated_data(table: str, column: str, user_key: str) -> bytes:
    return f"{table}/{column}/{user_key}".encode()


@dataclass(frozen=True)
class Keyring:
    """Named AES keys; ``active`` encrypts, any of ``keys`` decrypts."""

    keys: Mapping[str, bytes]
    active: str

    @classmethod
    def parse(cls, spec: str) -> Keyring:
        """``kid:base64key[,kid:base64key...]``; the first key is the active one."""
        keys: dict[str, bytes] = {}
        for part in (p.strip() for p in spec.split(",")):
            if not part:
                continue
            kid, sep, encoded = part.partition(":")
            if not sep or not _KID.match(kid):
                raise CryptoError(
                    f"{ENV}: entry {kid!r} is not 'kid:base64key'; a key id is 1-32 letters, "
                    "digits or dashes"
                )
            try:
                key = base64.b64decode(encoded.strip(), validate=True)
            except binascii.Error as err:
                raise CryptoError(
                    f"{ENV}: key {kid!r} is not valid base64; generate one with `python -c "
                    "'import os,base64;print(base64.b64encode(os.urandom(32)).decode())'`"
                ) from err
            if len(key) not in (16, 24, 32):
                raise CryptoError(
                    f"{ENV}: key {kid!r} is {len(key)} bytes; AES needs 16, 24 or 32 (use 32)"
                )
            if kid in keys:
                raise CryptoError(f"{ENV}: key id {kid!r} appears twice; give each key its own id")
            keys[kid] = key
        if not keys:
            raise CryptoError(f"{ENV} holds no key; set it to 'kid:base64key[,...]'")
        return cls(keys, next(iter(keys)))

    @classmethod
    def from_env(cls, spec: str | None = None) -> Keyring:
        """The keyring of ``spec`` (default: the environment), or the development key."""
        spec = os.environ.get(ENV, "") if spec is None else spec
        if spec.strip():
            return cls.parse(spec)
        log.warning(
            "%s is not set: encrypting with the PUBLIC development key %r; local stack only",
            ENV,
            DEV_KID,
        )
        return cls({DEV_KID: _DEV_KEY}, DEV_KID)


class FieldCipher:
    """Encrypts and decrypts single field values (any JSON-serializable value)."""

    def __init__(self, keyring: Keyring) -> None:
        self.keyring = keyring
        self._aead = {kid: AESGCM(key) for kid, key in keyring.keys.items()}

    @property
    def active_kid(self) -> str:
        return self.keyring.active

    def encrypt(self, value: object, *, table: str, column: str, user_key: str) -> str:
        nonce = os.urandom(_NONCE_BYTES)
        plain = orjson.dumps(value)
        sealed = self._aead[self.keyring.active].encrypt(
            nonce, plain, associated_data(table, column, user_key)
        )
        return f"{self.keyring.active}:{_b64e(nonce)}:{_b64e(sealed)}"

    def decrypt(self, token: str, *, table: str, column: str, user_key: str) -> object:
        kid, nonce, sealed = self._split(token, table, column)
        aead = self._aead.get(kid)
        if aead is None:
            raise CryptoError(
                f"{table}.{column} of {user_key} is encrypted with key {kid!r}, which is not in "
                f"{ENV}; add that key back (after the active one) and run rotate-keys"
            )
        try:
            plain = aead.decrypt(nonce, sealed, associated_data(table, column, user_key))
        except InvalidTag as err:
            raise CryptoError(
                f"{table}.{column} of {user_key} does not authenticate under key {kid!r}: the "
                "key material changed or the value was moved from another row or column"
            ) from err
        return orjson.loads(plain)

    def needs_rotation(self, token: str) -> bool:
        return key_id(token) != self.keyring.active

    @staticmethod
    def _split(token: str, table: str, column: str) -> tuple[str, bytes, bytes]:
        parts = token.split(":")
        if len(parts) != 3:
            raise CryptoError(
                f"{table}.{column} holds a value that is not 'kid:nonce:ciphertext'; it was "
                "not written by app/profiles (restore it from a backup or erase it)"
            )
        try:
            return parts[0], _b64d(parts[1]), _b64d(parts[2])
        except (binascii.Error, ValueError) as err:
            raise CryptoError(f"{table}.{column} holds a malformed encrypted value") from err


def key_id(token: str) -> str:
    """The key id a stored value names."""
    return token.split(":", 1)[0]

"""Keyed pseudonyms: the same id always maps to the same key, and nobody without the key can
reverse it or test a guess (unlike a plain hash of an email address)."""

from __future__ import annotations

import functools
import hashlib
import hmac
import ipaddress
import logging

from app.errors import ConfigError

log = logging.getLogger(__name__)

#: Used only when HEADWATER_PSEUDONYM_KEY is unset on the local stack; production must set it.
_DEV_KEY = "headwater-local-development-key-do-not-use-in-production"


class Pseudonymizer:
    def __init__(self, key: str) -> None:
        if not key:
            log.warning("HEADWATER_PSEUDONYM_KEY is not set: using the development key")
            key = _DEV_KEY
        if len(key) < 16:
            raise ConfigError("HEADWATER_PSEUDONYM_KEY must be at least 16 characters long")
        self._key = key.encode()
        # The same few identifiers recur in every batch, so each is hashed once (measurements:
        # docs/benchmarks.md, Design decisions, app/privacy/pseudonym.py). Bounded, in memory
        # only, gone with the process.
        self._cached = functools.lru_cache(maxsize=65_536)(self._digest)

    def __call__(self, identifier: str) -> str:
        return self._cached(identifier)

    def _digest(self, identifier: str) -> str:
        digest = hmac.new(self._key, identifier.encode(), hashlib.sha256).hexdigest()
        return f"u_{digest[:32]}"


# The same addresses recur batch after batch and ``ipaddress`` parses in pure Python
# (measurements: docs/benchmarks.md, Design decisions, app/privacy/pseudonym.py).
@functools.lru_cache(maxsize=65_536)
def truncate_ip(ip: str | None) -> str | None:
    """Keep the network, drop the host: /24 for IPv4, /48 for IPv6; None when not an IP."""
    if not ip:
        return None
    try:
        addr = ipaddress.ip_address(ip.strip())
    except ValueError:
        return None
    prefix = 24 if addr.version == 4 else 48
    return str(ipaddress.ip_network(f"{addr}/{prefix}", strict=False))

"""Errors of the profile domain; ``http_status`` is what app/web/base.py answers with."""

from __future__ import annotations

from app.errors import HeadwaterError


class ProfileError(HeadwaterError):
    """Root of the profile domain's errors; a bad request unless a subclass says otherwise."""

    http_status = 400


class CryptoError(ProfileError):
    """A key is malformed or missing, or a value does not decrypt (wrong key or context)."""

    http_status = 500


class ProfileNotFound(ProfileError):
    http_status = 404


class PurposeRefused(ProfileError):
    """The caller's role may not read personal data for this purpose."""

    http_status = 403


class GdprError(ProfileError):
    """A store registry or erasure problem."""

    http_status = 500

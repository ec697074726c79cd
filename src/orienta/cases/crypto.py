"""Encryption at rest for sensitive fields (protection narratives, health notes, GBV and
trafficking details, criminal-record notices).

The keys come from `ORIENTA_FIELD_KEYS` (URL-safe base64, 32 bytes each; the first encrypts,
all decrypt). Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`) uses exactly that key
format and MultiFernet gives rotation. A stored value is `fernet:` + token, so a plain value
left over from before encryption, or a value written by a test, is never mistaken for one.
"""

from __future__ import annotations

import base64
import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

PREFIX = "fernet:"


class UndecryptableError(Exception):
    """A stored value no configured key opens: a key was removed before rotation finished."""


@functools.cache
def _fernet(keys: tuple[bytes, ...]) -> MultiFernet:
    return MultiFernet([Fernet(base64.urlsafe_b64encode(key)) for key in keys])


def current() -> MultiFernet:
    return _fernet(tuple(settings.ORIENTA_FIELD_KEYS))


def encrypt(plain: str) -> str:
    if plain == "":
        return ""  # empty stays empty: "nothing recorded" is not a secret
    return PREFIX + current().encrypt(plain.encode("utf-8")).decode("ascii")


def decrypt(stored: str) -> str:
    if not stored.startswith(PREFIX):
        return stored
    try:
        return current().decrypt(stored[len(PREFIX) :].encode("ascii")).decode("utf-8")
    except InvalidToken:
        raise UndecryptableError(
            "A protected field cannot be decrypted with the keys in ORIENTA_FIELD_KEYS."
        ) from None


def rotate(stored: str) -> str:
    """The value re-encrypted with the first key (unchanged if empty)."""
    if not stored:
        return stored
    if not stored.startswith(PREFIX):
        return encrypt(stored)
    token = current().rotate(stored[len(PREFIX) :].encode("ascii"))
    return PREFIX + token.decode("ascii")

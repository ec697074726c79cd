"""Typed readers for the environment variables that configure Orienta.

Each reader fails loudly (ImproperlyConfigured naming the variable and the value) rather than
guessing, so that a typo in a deployment is found at start-up and not in front of a user.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
from collections.abc import Callable
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    if value is None:
        return None
    value = value.strip()
    return value or None


def env_str(name: str, default: str) -> str:
    """The variable's value with surrounding spaces removed, or `default` when unset or empty."""
    value = _raw(name)
    return default if value is None else value


def env_bool(name: str, default: bool) -> bool:
    """A boolean written as 1/0, true/false, yes/no or on/off (any case)."""
    value = _raw(name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} is not a boolean: use one of 1, 0, true, false, yes, no, on, off."
    )


def env_int(
    name: str, default: int, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    """A whole number, optionally bounded; out-of-range values are an error, not clamped."""
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} is below the minimum of {minimum}.")
    if maximum is not None and number > maximum:
        raise ImproperlyConfigured(f"{name}={number} is above the maximum of {maximum}.")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    """A comma-separated list; empty items are dropped."""
    value = _raw(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: list[str]) -> str:
    value = env_str(name, default)
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} must be one of: {', '.join(choices)}.")
    return value


def env_path(name: str, default: str) -> Path:
    """A folder path, made absolute and created if missing."""
    path = Path(env_str(name, default)).expanduser().resolve()
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ImproperlyConfigured(f"{name}={str(path)!r} cannot be created: {exc}") from None
    if not path.is_dir():
        raise ImproperlyConfigured(f"{name}={str(path)!r} is not a folder.")
    return path


def kept_secret(name: str, home: Path, filename: str, make: Callable[[], str]) -> str:
    """The variable's value, or else a value generated once and kept in `home/filename`.

    This lets `orienta demo` run with no configuration while a deployment with several app
    servers sets the variable so that they all share it.
    """
    value = _raw(name)
    if value is not None:
        return value
    path = home / filename
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    value = make()
    # Created with owner-only permissions: this file is as sensitive as the variable.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(value + "\n")
    return value


def new_secret_key() -> str:
    return secrets.token_urlsafe(50)


def new_field_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii")


def parse_field_keys(name: str, value: str) -> list[bytes]:
    """Field-encryption keys: comma-separated URL-safe base64 values of 32 bytes each.

    The first key encrypts; the others still decrypt, so keys can be rotated without downtime.
    """
    keys: list[bytes] = []
    for position, item in enumerate(value.split(","), start=1):
        item = item.strip()
        if not item:
            continue
        try:
            key = base64.b64decode(item.encode("ascii"), altchars=b"-_", validate=True)
        except (binascii.Error, ValueError, UnicodeEncodeError):
            raise ImproperlyConfigured(f"{name}: key {position} is not URL-safe base64.") from None
        if len(key) != 32:
            raise ImproperlyConfigured(
                f"{name}: key {position} is {len(key)} bytes long; each key must be 32 bytes."
            )
        keys.append(key)
    if not keys:
        raise ImproperlyConfigured(f"{name} holds no key.")
    return keys


def _parse_pairs(name: str, value: str, unit: str) -> dict[str, int]:
    """ "key=number,key=number" with whole numbers ≥ 1."""
    pairs: dict[str, int] = {}
    for item in value.split(","):
        item = item.strip()
        if not item:
            continue
        key, separator, number = item.partition("=")
        if not separator or not key.strip() or not number.strip().isdecimal() or int(number) < 1:
            raise ImproperlyConfigured(
                f"{name}: {item!r} is not of the form name={unit} (a whole number of {unit} ≥ 1)."
            )
        pairs[key.strip()] = int(number)
    return pairs


def parse_retention(name: str, value: str) -> dict[str, int]:
    """Retention periods per case kind: "kind=days,kind=days". Unknown kinds are checked by the
    cases app when it loads (it owns the list); here only the shape and the numbers."""
    return _parse_pairs(name, value, "days")


def parse_hours(name: str, value: str, defaults: dict[str, int]) -> dict[str, int]:
    """Hours per key over `defaults`: "critical=2,high=24"; only the defaults' keys are known."""
    hours = dict(defaults)
    for key, number in _parse_pairs(name, value, "hours").items():
        if key not in defaults:
            raise ImproperlyConfigured(
                f"{name}: {key!r} is not one of {', '.join(sorted(defaults))}."
            )
        hours[key] = number
    return hours

"""How django-axes names the account behind a log-in attempt."""

from __future__ import annotations

from typing import Any


def username_of(request: Any, credentials: dict[str, Any] | None = None) -> str:
    """The e-mail address as typed, folded to lower case: log-in ignores case, so the lock-out
    must too, or "Ana@x" and "ana@x" would each get their own five tries."""
    if credentials:
        raw = credentials.get("username")
    else:
        raw = getattr(request, "POST", {}).get("username")
    return str(raw or "").strip().lower()

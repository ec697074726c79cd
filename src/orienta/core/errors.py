from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """A rule of the domain said no. `message` is translated and shown to the user as it is;
    `code` is stable and machine-readable (the API returns it)."""

    def __init__(self, message: Any, *, code: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.code = code
        self.details = details or {}


class ConflictError(ServiceError):
    """Someone else changed the object first; the user should reload and try again."""

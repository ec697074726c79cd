"""Who is asking, from where, under which request id: kept for the length of one request so that
audit events written deep inside a service carry the IP address and request id of the request
that caused them, without every service having to pass the request along."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str
    ip: str | None


_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "orienta_request_context", default=None
)


def current() -> RequestContext | None:
    return _current.get()


def activate(context: RequestContext) -> contextvars.Token[RequestContext | None]:
    return _current.set(context)


def deactivate(token: contextvars.Token[RequestContext | None]) -> None:
    _current.reset(token)

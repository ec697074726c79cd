"""Log-ins, log-outs and failed attempts go into the audit trail."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from orienta.audit.services import record


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record("accounts.user.logged_in", actor=user, target=user)


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record("accounts.user.logged_out", actor=user, target=user)


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict[str, Any], **kwargs: Any) -> None:
    # The address typed is kept (it is how an attack on an account is noticed); the password
    # never reaches here unmasked.
    record(
        "accounts.user.login_failed",
        actor=None,
        changes={"username": str(credentials.get("username", ""))[:254]},
    )


@receiver(user_locked_out)
def _locked_out(
    sender: Any, request: Any, username: str | None, ip_address: str, **kwargs: Any
) -> None:
    record("accounts.user.locked_out", actor=None, changes={"username": (username or "")[:254]})

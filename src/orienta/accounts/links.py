from __future__ import annotations

from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from orienta.accounts.models import User
from orienta.core.mail import absolute_url


def password_link(user: User) -> str:
    """A one-time link, valid PASSWORD_RESET_TIMEOUT, for `user` to choose a password. Built
    from ORIENTA_BASE_URL, never from the Host header of a request an attacker could forge."""
    path = reverse(
        "accounts:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return absolute_url(path)

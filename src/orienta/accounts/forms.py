from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _

from orienta.accounts.links import password_link
from orienta.accounts.roles import Role, assignable_roles
from orienta.core.mail import send_templated_mail

VALID_EMAIL = {"invalid": _("Enter a valid e-mail address.")}


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail address"),
        error_messages=VALID_EMAIL,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    error_messages = {
        "invalid_login": _(
            "This e-mail address and password do not match an active account. "
            "Check them and try again."
        ),
        "inactive": _("This account is inactive."),
    }


class InvitationAwarePasswordResetForm(PasswordResetForm):
    """Sends the reset mail through the background task, in the person's language, with links
    built from ORIENTA_BASE_URL rather than from the request's Host header."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        user = context["user"]
        send_templated_mail.enqueue(
            to=to_email,
            template="accounts/email/password_reset",
            context={"full_name": user.full_name, "url": password_link(user)},
            language=user.language,
        )


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("Say where it will be used, e.g. “KoboToolbox sync”."),
    )


class MemberForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), error_messages=VALID_EMAIL)
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    def __init__(self, *args: Any, allow_administrator: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = assignable_roles(allow_administrator)  # type: ignore[attr-defined]


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

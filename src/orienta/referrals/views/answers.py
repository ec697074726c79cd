"""The provider's answers, posted from the referral page or from an external link: one table
of what each answer needs and what the provider is told."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from orienta.core.errors import ServiceError
from orienta.core.http import posted_version
from orienta.referrals import services
from orienta.referrals.forms import CompleteForm, DeclineForm, NotCompletedForm
from orienta.referrals.models import Referral

# action: (service, form or None, message when the form is invalid, message when done)
ANSWERS: dict[str, tuple[Callable[..., Referral], Any, Any, Any]] = {
    "acknowledge": (services.acknowledge, None, "", _("Referral acknowledged.")),
    "accept": (
        services.accept,
        None,
        "",
        _("Referral accepted. The referring organisation is told."),
    ),
    "decline": (
        services.decline,
        DeclineForm,
        _("Give the reason for declining."),
        _("Referral declined. The referring organisation is told."),
    ),
    "start": (services.start, None, "", _("Service started.")),
    "complete": (
        services.complete,
        CompleteForm,
        _("Give the outcome and the date of the service."),
        _("Outcome recorded. The referring organisation sees it."),
    ),
    "not_complete": (
        services.not_complete,
        NotCompletedForm,
        _("Give the reason."),
        _("Recorded as not completed."),
    ),
}


def answer(
    request: HttpRequest, referral: Referral, action: str, *, acting_user: Any, link: Any = None
) -> str:
    """Apply one of ANSWERS from the posted form; the message to show when it is done."""
    service, form_class, invalid, done = ANSWERS[action]
    values: dict[str, Any] = {}
    if form_class is not None:
        form = form_class(request.POST)
        if not form.is_valid():
            raise ServiceError(invalid, code="invalid")
        values = form.cleaned_data
    service(
        acting_user=acting_user,
        referral=referral,
        expected_version=posted_version(request),
        link=link,
        **values,
    )
    return str(done)

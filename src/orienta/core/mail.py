"""E-mail is sent in the background and in the recipient's language."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task


@task()
def send_templated_mail(
    *, to: str, template: str, context: dict[str, Any], language: str = ""
) -> None:
    """Render `<template>_subject.txt` and `<template>_body.txt` in `language` and send them.

    A task, so that a slow mail server never holds up a page at a border post.
    """
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        body = render_to_string(f"{template}_body.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])


def absolute_url(path: str) -> str:
    return settings.ORIENTA_BASE_URL.rstrip("/") + path

"""In-app notifications and their e-mails, each in the recipient's language, once per key."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import timezone, translation

from orienta.accounts.models import Notification


@dataclass(frozen=True)
class Notice:
    """One notification to make: `title` and `body` are lazy translations with %(name)s
    placeholders filled from `params` in the recipient's language."""

    user: Any
    key: str
    title: Any
    body: Any = ""
    params: Mapping[str, Any] = field(default_factory=dict)
    url: str = ""


def _words(text: Any, params: Mapping[str, Any]) -> str:
    return str(text) % {k: str(v) for k, v in params.items()} if params else str(text)


def render(notice: Notice, language: str) -> tuple[str, str]:
    with translation.override(language or settings.LANGUAGE_CODE):
        return _words(notice.title, notice.params), _words(notice.body, notice.params)


def notify(notices: Iterable[Notice], *, email: bool = True) -> list[Notification]:
    """Make the notifications not made before (same user and key) and send their e-mails; the
    rest are left alone, so a job that runs twice notifies once."""
    from orienta.core.mail import absolute_url, send_templated_mail

    wanted = [n for n in notices if n.user is not None and n.user.is_active]
    if not wanted:
        return []
    # What was made before, looked up by key (the unique index leads with it), in slices.
    keys = sorted({n.key for n in wanted})
    existing: set[tuple[int, str]] = set()
    for start in range(0, len(keys), 1000):
        existing |= set(
            Notification.objects.filter(key__in=keys[start : start + 1000]).values_list(
                "user_id", "key"
            )
        )
    made: list[Notification] = []
    seen: set[tuple[int, str]] = set()
    now = timezone.now()
    for notice in wanted:
        pair = (notice.user.pk, notice.key)
        if pair in existing or pair in seen:
            continue
        seen.add(pair)
        title, body = render(notice, notice.user.language)
        made.append(
            Notification(
                user=notice.user,
                key=notice.key,
                title=title[:300],
                body=body,
                url=notice.url,
                created_at=now,
            )
        )
    Notification.objects.bulk_create(made, ignore_conflicts=True)
    if email:
        for item in made:
            send_templated_mail.enqueue(
                to=item.user.email,
                template="accounts/email/notification",
                context={
                    "title": item.title,
                    "body": item.body,
                    "url": absolute_url(item.url) if item.url else "",
                },
                language=item.user.language or "",
            )
    return made


def send_digest(made: Iterable[Notification]) -> int:
    """One e-mail per person for many notifications made by one job (the titles, in the
    person's language, and a link to the page that lists them): a focal point with forty
    overdue referrals gets one message, not forty. Returns the number of e-mails."""
    from orienta.core.mail import absolute_url, send_templated_mail

    per_user: dict[int, tuple[Any, list[str]]] = {}
    for item in made:
        per_user.setdefault(item.user_id, (item.user, []))[1].append(item.title)
    for user, titles in per_user.values():
        send_templated_mail.enqueue(
            to=user.email,
            template="accounts/email/digest",
            context={
                "count": len(titles),
                # A long list is cut: the page has them all.
                "titles": titles[:100],
                "more": max(len(titles) - 100, 0),
                "url": absolute_url("/notifications/"),
            },
            language=user.language or "",
        )
    return len(per_user)


def mark_read(user: Any) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )

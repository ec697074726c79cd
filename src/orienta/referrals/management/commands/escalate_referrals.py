from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from orienta.referrals.escalation import escalate


class Command(BaseCommand):
    help = (
        "Mark the referrals not acknowledged in time as overdue and notify the sender and the "
        "receiving focal points; at twice the deadline, their supervisors; at three times, expire "
        "them. Safe to run as often as wanted (cron or the task worker): each notice goes once."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = escalate()
        self.stdout.write(
            f"overdue: {report.overdue}, escalated to supervisors: {report.escalated}, "
            f"expired: {report.expired}, notifications: {report.notifications}, "
            f"e-mails: {report.emails}"
        )

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from orienta.governance.mou import expire_lapsed


class Command(BaseCommand):
    help = (
        "Mark as expired the MoUs whose term is over, and the data-sharing agreements they "
        "define. The referral gates already refuse an agreement past its end date; this makes "
        "the records say so. Safe to run as often as wanted (daily from cron or the task worker)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"MoUs expired: {expire_lapsed()}")

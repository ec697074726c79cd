from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from orienta.core.errors import ServiceError
from orienta.reintegration.surveys import rescore


class Command(BaseCommand):
    help = (
        "Score the sustainability survey rounds that have no scores yet (recorded while no "
        "weight set was in force) with the configuration in force. Rounds already scored keep "
        "their scores. Safe to run again; with no configuration in force it does nothing."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            count = rescore()
        except ServiceError as refused:
            # Nothing to score with yet: not an error for a scheduled job, just nothing done.
            self.stdout.write(self.style.WARNING(f"{refused.message} Nothing scored."))
            return
        self.stdout.write(self.style.SUCCESS(f"{count} survey rounds scored."))

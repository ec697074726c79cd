from typing import Any

from django.core.management.base import BaseCommand, CommandError

from orienta.audit.services import verify_chain


class Command(BaseCommand):
    help = (
        "Recompute the audit trail's hash chain. Exits 0 and prints the head hash when it is "
        "intact; exits 1 naming the first altered or missing event otherwise. "
        "Safe to run from cron."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain()
        if not report.intact:
            raise CommandError(
                f"Audit trail broken: {report.problem}. {report.events} events before it verified."
            )
        self.stdout.write(
            f"Audit trail intact: {report.events} events, head hash {report.head_hash}."
        )

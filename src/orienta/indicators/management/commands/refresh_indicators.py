from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from orienta.indicators.refresh import rebuild, refresh
from orienta.indicators.subjects import SUBJECTS


class Command(BaseCommand):
    help = (
        "Apply the changes queued since the last refresh to the indicators' pre-aggregated "
        "cells (normally done after each change). --rebuild recounts everything from the "
        "records: once after installing or upgrading, or to check."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rebuild", action="store_true")
        parser.add_argument("--subject", action="append", choices=sorted(SUBJECTS))

    def handle(self, *args: Any, **options: Any) -> None:
        if options["rebuild"]:
            report = rebuild(options["subject"])
            done = ", ".join(f"{n} {code}" for code, n in report.facts.items())
            self.stdout.write(self.style.SUCCESS(f"Rebuilt from {done} in {report.seconds:.1f} s."))
            return
        changes = 0
        while True:
            report = refresh()
            changes += report.changes
            if not report.changes:
                break
        self.stdout.write(self.style.SUCCESS(f"Applied {changes} queued changes."))

"""Anonymise the cases and persons past their retention period."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from orienta.cases.retention import apply_retention


class Command(BaseCommand):
    help = "Anonymise closed cases past their kind's retention period (--dry-run only lists)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="List, change nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        report = apply_retention(dry_run=options["dry_run"])
        verb = "Would anonymise" if options["dry_run"] else "Anonymised"
        for reference in report.cases:
            self.stdout.write(f"case {reference}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} {len(report.cases)} case(s) and {len(report.persons)} person(s)."
            )
        )

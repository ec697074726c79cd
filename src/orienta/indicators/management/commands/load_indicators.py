from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from orienta.core.packs import available
from orienta.indicators.definitions import PackError, load_indicators


class Command(BaseCommand):
    help = (
        "Load indicator definitions (packs/indicators/<name>.json: code, French and English "
        "label, formula, disaggregations, HXL hashtag). Safe to run again: existing codes are "
        "updated."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", nargs="?", default="nrm", choices=available("indicators"))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            created, updated = load_indicators(options["name"])
        except PackError as error:
            raise CommandError("\n".join(error.problems)) from error
        self.stdout.write(self.style.SUCCESS(f"Indicators: {created} created, {updated} updated."))

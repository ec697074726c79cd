from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from orienta.core.packs import available
from orienta.directory.taxonomy import load_taxonomy


class Command(BaseCommand):
    help = (
        "Load a country's reference packs. Today: the NRM service taxonomy (shared by every "
        "country). Safe to run again: existing rows are updated, nothing is duplicated."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("country", choices=available("demo"))

    def handle(self, *args: Any, **options: Any) -> None:
        taxonomy, terms = load_taxonomy()
        self.stdout.write(self.style.SUCCESS(f"{taxonomy.name}: {terms} terms."))

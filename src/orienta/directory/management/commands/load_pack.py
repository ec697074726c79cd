from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from orienta.cases.packs import load_screening
from orienta.core.packs import available
from orienta.directory.hsds.importer import ImportRejectedError
from orienta.directory.packs import load_directory
from orienta.directory.taxonomy import load_taxonomy


class Command(BaseCommand):
    help = (
        "Load a country's reference packs: the NRM service taxonomy and the country's directory "
        "(institutions, international organisations, clearly labelled fictional providers, and "
        "their services), and the screening questions. Safe to run again: only what differs "
        "from the pack is written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("country", choices=available("directory"))

    def handle(self, *args: Any, **options: Any) -> None:
        taxonomy, terms = load_taxonomy()
        self.stdout.write(f"{taxonomy.name}: {terms} terms.")
        try:
            report = load_directory(options["country"])
        except ImportRejectedError as rejected:
            for problem in rejected.problems:
                self.stderr.write(str(problem))
            raise CommandError("The pack was rejected; nothing was changed.") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Directory {options['country']}: {report.created.get('service', 0)} services "
                f"created, {report.updated.get('service', 0)} updated."
            )
        )
        questions = load_screening(options["country"])
        self.stdout.write(f"Screening: {questions} questions.")

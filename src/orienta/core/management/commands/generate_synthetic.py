from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from orienta.core.synthetic import generate
from orienta.directory.synthetic import generate_directory


class Command(BaseCommand):
    help = (
        "Add seeded synthetic organisations, accounts and audit events (for benchmarks). "
        "Never run it on a production database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--organisations", type=int, default=50)
        parser.add_argument("--people", type=int, default=500)
        parser.add_argument("--audit-events", type=int, default=10_000)
        parser.add_argument(
            "--services", type=int, default=0, help="Synthetic directory services to add."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        counts = generate(
            seed=options["seed"],
            organisations=options["organisations"],
            people=options["people"],
            audit_events=options["audit_events"],
        )
        self.stdout.write(
            f"Added {counts.organisations} organisations, {counts.people} people, "
            f"{counts.audit_events} audit events."
        )
        if options["services"]:
            made = generate_directory(seed=options["seed"], services=options["services"])
            self.stdout.write(f"Added {made} directory services.")

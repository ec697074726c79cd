from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from orienta.core.synthetic import generate
from orienta.directory.synthetic import generate_directory
from orienta.identity.synthetic import write_persons


class Command(BaseCommand):
    help = (
        "Seeded synthetic data for benchmarks. `generate_synthetic` adds organisations, "
        "accounts and audit events to the database (never on a production database); "
        "`generate_synthetic persons --n N --output FILE` writes returnee records with their "
        "ground truth (entity_id) to a CSV file, touching no database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", nargs="?", choices=["platform", "persons"], default="platform")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--organisations", type=int, default=50)
        parser.add_argument("--people", type=int, default=500)
        parser.add_argument("--audit-events", type=int, default=10_000)
        parser.add_argument(
            "--services", type=int, default=0, help="Synthetic directory services to add."
        )
        parser.add_argument("--n", type=int, default=100_000, help="persons: records to write.")
        parser.add_argument("--output", type=Path, help="persons: the CSV file to write.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["what"] == "persons":
            if not options["output"]:
                raise CommandError("generate_synthetic persons needs --output FILE.")
            if options["n"] < 1:
                raise CommandError("--n must be at least 1.")
            written = write_persons(options["output"], options["n"], options["seed"])
            self.stdout.write(f"Wrote {written} records to {options['output']}.")
            return
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

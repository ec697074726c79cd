from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from orienta.directory.hsds.importer import ImportRejectedError, import_input
from orienta.directory.hsds.reader import read_path


class Command(BaseCommand):
    help = (
        "Import HSDS 3.0 data: a tabular data package (folder or zip of CSV files with "
        "datapackage.json) or HSDS JSON. Everything is validated first; any problem rejects the "
        "whole import (exit 1) and is listed with file, row and field. Re-importing updates by id."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        if not path.exists():
            raise CommandError(f"{path} does not exist.")
        try:
            report = import_input(read_path(path), source=path.name)
        except ImportRejectedError as rejected:
            for problem in rejected.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"Import rejected: {len(rejected.problems)} problem(s); nothing was changed."
            ) from None
        for warning in report.warnings:
            self.stdout.write(f"warning: {warning} (kept)")
        for table in sorted(set(report.created) | set(report.updated)):
            self.stdout.write(
                f"{table}: {report.created.get(table, 0)} created, "
                f"{report.updated.get(table, 0)} updated"
            )
        self.stdout.write(self.style.SUCCESS(f"Imported {report.total} records."))

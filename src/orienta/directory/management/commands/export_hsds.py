import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from orienta.directory.hsds.exporter import tabular_json, write_package


class Command(BaseCommand):
    help = (
        "Export the directory as HSDS 3.0: --format csv writes a tabular data package into the "
        "folder PATH; --format json writes HSDS's tabular JSON form to the file PATH."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--format", choices=["csv", "json"], default="csv")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        if options["format"] == "csv":
            counts = write_package(path)
        else:
            document = tabular_json()
            path.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
            counts = {name: len(rows) for name, rows in document.items()}
        total = sum(counts.values())
        self.stdout.write(self.style.SUCCESS(f"Exported {total} records to {path}."))

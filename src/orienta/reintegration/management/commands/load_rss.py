from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from orienta.core.packs import available
from orienta.reintegration.packs import load_rss


class Command(BaseCommand):
    help = (
        "Load the Reintegration Sustainability Survey's structure (packs/reintegration/"
        "<name>.json: indicators, questions, normalisation; no weights) as a draft "
        "configuration. Safe to run again: the same pack content is loaded only once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", nargs="?", default="rss", choices=available("reintegration"))

    def handle(self, *args: Any, **options: Any) -> None:
        done = load_rss(options["name"])
        state = "loaded as a draft" if done.created else "already loaded"
        self.stdout.write(
            self.style.SUCCESS(
                f"RSS v{done.configuration.number} {state} ({done.configuration.status}): "
                f"{done.indicators} indicators, {done.questions} questions. Weights are entered "
                "by a coordinator from the IOM Reintegration Handbook, Annex 4."
            )
        )

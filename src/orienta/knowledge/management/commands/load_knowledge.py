from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from orienta.core.packs import available
from orienta.knowledge.packs import load_knowledge


class Command(BaseCommand):
    help = (
        "Load a regional knowledge pack (packs/knowledge/<name>.json): themes and regions, the "
        "entities and dialogues with their member states and sourced facts, policy instruments. "
        "Safe to run again: records are matched by code and key and rewritten from the pack."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", choices=available("knowledge"))

    def handle(self, *args: Any, **options: Any) -> None:
        done = load_knowledge(options["name"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Knowledge {options['name']}: {done.entities} entities, {done.members} member "
                f"states, {done.facts} facts, {done.policies} policies, {done.themes} themes, "
                f"{done.regions} regions."
            )
        )

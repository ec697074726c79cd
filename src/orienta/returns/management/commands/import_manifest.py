"""`orienta import_manifest PATH --origin DO --entry-point HT-MALPASSE --arrival 2026-11-03T10:00`

Exit codes: 0 every row accepted, 1 some rows rejected (listed, and in --report), 2 the file or
the arguments cannot be used (nothing imported)."""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from orienta.accounts.access import has_capability
from orienta.accounts.models import User
from orienta.core.errors import ServiceError
from orienta.directory.models import Organisation
from orienta.returns import importing, services
from orienta.returns.choices import Mode
from orienta.returns.manifest import UnusableFileError
from orienta.returns.models import EntryPoint

MODES = {"airport": Mode.FLIGHT, "seaport": Mode.BOAT, "land": Mode.LAND}


class Command(BaseCommand):
    help = (
        "Import a manifest (CSV or XLSX) for a movement: every row checked, bad rows listed with "
        "row, column and reason and kept for correction, the others pre-registered. Exit code 0 "
        "when all rows were accepted, 1 when some were rejected, 2 when the file is unusable."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--origin", required=True, help="Deporting country, ISO alpha-2.")
        parser.add_argument("--entry-point", required=True, help="Entry point code (HT-MALPASSE).")
        parser.add_argument(
            "--arrival", required=True, help="Scheduled arrival, local time: YYYY-MM-DDTHH:MM."
        )
        parser.add_argument("--report", type=Path, help="Write the rejected rows to this CSV.")
        parser.add_argument("--source", default="", help="Who sent the list (mapping memory).")
        parser.add_argument("--reference", default="", help="Flight, boat or convoy reference.")
        parser.add_argument("--headcount", type=int, help="Announced headcount.")
        parser.add_argument(
            "--user",
            help="E-mail of the reception officer the import is made as (default: the first "
            "one of the receiving organisation).",
        )
        parser.add_argument("--organisation", help="Receiving organisation (acronym or name).")

    def fail(self, message: str) -> None:
        self.stderr.write(message)
        sys.exit(2)

    def handle(self, *args: Any, **options: Any) -> None:
        point = EntryPoint.objects.filter(code=options["entry_point"].upper()).first()
        if point is None:
            self.fail(f"Unknown entry point {options['entry_point']!r}.")
            return
        path: Path = options["path"]
        if not path.is_file():
            self.fail(f"{path}: no such file.")
        user, organisation = self.acting(options, point)
        try:
            scheduled = services.local_moment(point, options["arrival"])
            movement = services.find_movement(organisation, options["origin"], point, scheduled)
            if movement is None:
                movement = services.record_movement(
                    acting_user=user,
                    organisation=organisation,
                    data=services.MovementData(
                        mode=MODES[point.kind],
                        origin_country=options["origin"],
                        entry_point=point,
                        scheduled_at=scheduled,
                        reference=options["reference"],
                        announced_headcount=options["headcount"],
                    ),
                )
            result = importing.import_manifest(
                acting_user=user,
                movement=movement,
                name=path.name,
                data=path.read_bytes(),
                source=options["source"],
            )
        except UnusableFileError as unusable:
            for problem in unusable.problems:
                where = f"row {problem.row}, " if problem.row else ""
                column = f"column {problem.column}: " if problem.column else ""
                self.stderr.write(f"{path.name}: {where}{column}{problem.message}")
            self.fail("The file is unusable; nothing was imported.")
            return
        except ServiceError as error:
            self.fail(str(error.message))
            return
        for problem in result.problems:
            column = f", column {problem.column}" if problem.column else ""
            self.stderr.write(f"row {problem.row}{column}: {problem.message}")
        if options["report"]:
            with options["report"].open("w", encoding="utf-8", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(["row", "column", "reason"])
                for problem in result.problems:
                    writer.writerow([problem.row, problem.column, problem.message])
        self.stdout.write(
            f"Movement {movement.pk}: {result.accepted} accepted, {result.rejected} rejected, "
            f"{result.already_listed} already on the list, {result.repeat_returns} repeat "
            "returnees."
        )
        sys.exit(result.exit_code)

    def acting(self, options: dict[str, Any], point: EntryPoint) -> tuple[User, Organisation]:
        if options["organisation"]:
            wanted = options["organisation"]
            organisation = (
                Organisation.objects.filter(acronym=wanted).first()
                or Organisation.objects.filter(name=wanted).first()
            )
            if organisation is None:
                self.fail(f"Unknown organisation {wanted!r}.")
        else:
            organisation = None
        if options["user"]:
            user = User.objects.filter(email=options["user"], is_active=True).first()
            if user is None:
                self.fail(f"No active account {options['user']!r}.")
        else:
            user = None
        candidates = [user] if user else User.objects.filter(is_active=True).order_by("pk")
        for who in candidates:
            for membership in who.memberships.select_related("organisation"):
                place = membership.organisation
                if organisation is not None and place.pk != organisation.pk:
                    continue
                if has_capability(who, "returns.receive_arrivals", place.pk):
                    return who, place
        self.fail("No reception officer can import for that organisation; give --user.")
        raise AssertionError  # unreachable: fail() exits

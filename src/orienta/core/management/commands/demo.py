from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from orienta.cases.demo import load_demo_cases
from orienta.core.demo import load_demo
from orienta.core.management.commands.serve import run_gunicorn
from orienta.core.packs import available
from orienta.governance.demo import load_demo_governance
from orienta.indicators.definitions import load_indicators
from orienta.indicators.refresh import deferred, rebuild
from orienta.knowledge.packs import load_knowledge
from orienta.referrals.demo import load_demo_referrals
from orienta.reintegration.packs import load_rss
from orienta.returns.demo import load_demo_returns


class Command(BaseCommand):
    help = (
        "Set up and serve a demonstration: migrate the database, load demo organisations and one "
        "account per role, print the address and the accounts, serve. Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--country", choices=available("demo"), default="ht")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true", help="Set up, print, and stop.")
        parser.add_argument(
            "--reset", action="store_true", help="Start from an empty database (SQLite only)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["reset"]:
            self._reset()
        call_command("migrate", interactive=False, verbosity=0)
        password = settings.ORIENTA_DEMO_PASSWORD or secrets.token_urlsafe(9)
        # The indicators are counted once at the end, not after each of the load's commits.
        with deferred():
            accounts = load_demo(options["country"], password)
            call_command("load_pack", options["country"], verbosity=0)
            cases = load_demo_cases(options["country"])
            referrals = load_demo_referrals(options["country"])
            movements = load_demo_returns(options["country"])
            committees = load_demo_governance(options["country"])
            # The regional knowledge base is the same for every country's demo.
            knowledge = load_knowledge("mena")
            # The survey's questions, as a draft without weights: a coordinator enters them.
            survey = load_rss("rss")
            load_indicators("nrm")
        rebuild()
        if not options["no_serve"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        url = f"http://{options['host']}:{options['port']}/"
        self.stdout.write(self.style.SUCCESS(f"Orienta demo ({options['country']}) at {url}"))
        if cases:
            self.stdout.write(f"Demo caseload: {cases} fictional cases.")
        if referrals:
            self.stdout.write(f"Demo referrals: {referrals}, in every state.")
        if movements:
            self.stdout.write(f"Demo returns: {movements} movements over a month, with breaches.")
        if committees:
            self.stdout.write(
                f"Demo governance: {committees} committees, with workshops, documents in "
                "several versions and their comments, a draft MoU and a roadmap."
            )
        self.stdout.write(
            f"Knowledge base (MENA): {knowledge.entities} entities and dialogues, "
            f"{knowledge.policies} policy instruments."
        )
        self.stdout.write(
            f"Reintegration Sustainability Survey: version {survey.configuration.number} "
            f"({survey.configuration.status}), {survey.indicators} indicators; "
            "the weights are entered by coordinator@example.org."
        )
        self.stdout.write(f"Password for every account: {password}")
        width = max(len(a.email) for a in accounts)
        for account in accounts:
            self.stdout.write(
                f"  {account.email:<{width}}  {account.role} — {account.organisation}"
            )
        if not options["no_serve"]:
            run_gunicorn(options["host"], options["port"], workers=2, threads=4)

    def _reset(self) -> None:
        database = settings.DATABASES["default"]
        if database["ENGINE"] != "django.db.backends.sqlite3":
            raise CommandError("--reset only works on the embedded SQLite database.")
        connections.close_all()
        path = Path(database["NAME"])
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)

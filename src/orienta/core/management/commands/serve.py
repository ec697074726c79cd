from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import connections


def run_gunicorn(host: str, port: int, workers: int, threads: int) -> None:
    """Serve the platform with gunicorn; static files come through WhiteNoise."""
    from gunicorn.app.base import BaseApplication

    from orienta.wsgi import application

    class Server(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("timeout", 60)
            self.cfg.set("accesslog", "-")

        def load(self) -> Any:
            return application

    # Workers are forked: none may inherit the parent's database connection.
    connections.close_all()
    Server().run()


class Command(BaseCommand):
    help = "Serve Orienta with gunicorn (production). Collects static files first."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=2, help="Processes (default 2).")
        parser.add_argument("--threads", type=int, default=4, help="Threads per process.")
        parser.add_argument(
            "--no-collectstatic", action="store_true", help="Static files are already collected."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_collectstatic"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        run_gunicorn(options["host"], options["port"], options["workers"], options["threads"])

"""The `orienta` command: Django's management entry point with Orienta's settings preset."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orienta.settings")
    if len(argv) > 1 and argv[1] == "demo":
        # The demo serves plain HTTP on the local machine, where cookies marked Secure would never
        # come back and nobody could log in. An operator who puts the demo behind TLS can still
        # say ORIENTA_HTTPS=true.
        os.environ.setdefault("ORIENTA_HTTPS", "false")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)

"""The acceptance path: `orienta demo` serves a French login page and a demo account logs in."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


@pytest.fixture
def demo_server(tmp_path: Path):
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ORIENTA_")}
    environment.pop("DATABASE_URL", None)  # the demo runs on the embedded database
    environment.update({"ORIENTA_HOME": str(tmp_path), "ORIENTA_DEMO_PASSWORD": "x"})
    process = subprocess.Popen(
        [sys.executable, "-m", "orienta", "demo", "--port", str(port)],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"demo did not serve within 60 s:\n{process.stdout.read()}")  # type: ignore[union-attr]
            time.sleep(0.3)
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)


def test_demo_serves_french_login_and_caseworker_logs_in(demo_server: str) -> None:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    with opener.open(demo_server + "/") as response:
        page = response.read().decode()
    assert '<html lang="fr"' in page and "Connexion à Orienta" in page
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token
    form = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": token.group(1),
            "username": "caseworker@example.org",
            "password": "x",
        }
    ).encode()
    request = urllib.request.Request(demo_server + "/login/", data=form, method="POST")
    request.add_header("Referer", demo_server + "/")
    try:
        opener.open(request)
        pytest.fail("a successful log-in redirects")
    except urllib.error.HTTPError as redirect:
        assert redirect.code == 302 and redirect.headers["Location"] == "/"
    with opener.open(demo_server + "/") as response:
        home = response.read().decode()
    assert "Bienvenue" in home and "Organisation internationale pour les migrations" in home
    with opener.open(demo_server + "/static/vendor/htmx/htmx.min.js") as response:
        assert response.status == 200

"""Settings come from the environment and fail loudly on bad values."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from orienta import env


def test_bool_accepts_the_usual_spellings(monkeypatch: pytest.MonkeyPatch) -> None:
    for raw, expected in [("1", True), ("TRUE", True), ("on", True), ("0", False), ("No", False)]:
        monkeypatch.setenv("X_FLAG", raw)
        assert env.env_bool("X_FLAG", not expected) is expected
    monkeypatch.delenv("X_FLAG")
    assert env.env_bool("X_FLAG", True) is True


def test_bool_refuses_anything_else(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG='maybe' is not a boolean"):
        env.env_bool("X_FLAG", False)


def test_int_refuses_words_and_out_of_range(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_NUM", "ten")
    with pytest.raises(ImproperlyConfigured, match="not a whole number"):
        env.env_int("X_NUM", 1)
    monkeypatch.setenv("X_NUM", "0")
    with pytest.raises(ImproperlyConfigured, match="below the minimum"):
        env.env_int("X_NUM", 1, minimum=1)
    monkeypatch.setenv("X_NUM", "70000")
    with pytest.raises(ImproperlyConfigured, match="above the maximum"):
        env.env_int("X_NUM", 25, maximum=65535)


def test_choice_and_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_LIST", " a.example, ,b.example ")
    assert env.env_list("X_LIST", []) == ["a.example", "b.example"]
    monkeypatch.setenv("X_CHOICE", "c")
    with pytest.raises(ImproperlyConfigured, match="must be one of"):
        env.env_choice("X_CHOICE", "a", ["a", "b"])


def test_field_keys_are_checked() -> None:
    good = base64.urlsafe_b64encode(b"k" * 32).decode()
    assert env.parse_field_keys("K", f"{good}, {good}") == [b"k" * 32, b"k" * 32]
    with pytest.raises(ImproperlyConfigured, match="key 1 is 5 bytes"):
        env.parse_field_keys("K", base64.urlsafe_b64encode(b"short").decode())
    with pytest.raises(ImproperlyConfigured, match="not URL-safe base64"):
        env.parse_field_keys("K", "***")
    with pytest.raises(ImproperlyConfigured, match="holds no key"):
        env.parse_field_keys("K", " , ")


def test_secret_is_generated_once_and_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("X_SECRET", raising=False)
    first = env.kept_secret("X_SECRET", tmp_path, "secret", env.new_secret_key)
    second = env.kept_secret("X_SECRET", tmp_path, "secret", env.new_secret_key)
    assert first == second and len(first) > 40
    assert (tmp_path / "secret").stat().st_mode & 0o077 == 0
    monkeypatch.setenv("X_SECRET", "from-the-environment")
    assert (
        env.kept_secret("X_SECRET", tmp_path, "secret", env.new_secret_key)
        == "from-the-environment"
    )


def _start(tmp_path: Path, **variables: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ORIENTA_")}
    environment.pop("DATABASE_URL", None)
    environment.update({"ORIENTA_HOME": str(tmp_path), **variables})
    return subprocess.run(
        [sys.executable, "-m", "orienta", "check"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("ORIENTA_DEBUG", "maybe", "ORIENTA_DEBUG='maybe' is not a boolean"),
        (
            "DATABASE_URL",
            "mysql://x@localhost/db",
            "DATABASE_URL must point to PostgreSQL or SQLite",
        ),
        ("ORIENTA_EMAIL_PORT", "smtp", "ORIENTA_EMAIL_PORT='smtp' is not a whole number"),
        ("ORIENTA_SECRET_KEY", "short", "at least 32 characters"),
        ("ORIENTA_INTERFACE_LANGUAGES", "fr,xx", "unknown language 'xx'"),
    ],
)
def test_platform_refuses_to_start_on_a_bad_value(
    tmp_path: Path, variable: str, value: str, message: str
) -> None:
    result = _start(tmp_path, **{variable: value})
    assert result.returncode != 0
    assert message in result.stderr


def test_platform_starts_with_no_configuration(tmp_path: Path) -> None:
    result = _start(tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "secret_key").exists()
    assert (tmp_path / "field_keys").exists()

"""French and English are complete, and the compiled catalogues match their sources."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest

import orienta

LOCALE = Path(orienta.__file__).parent / "locale"
ENTRY = re.compile(r'^msgid (".*"(?:\n".*")*)\nmsgstr (".*"(?:\n".*")*)', re.MULTILINE)


def _unquote(block: str) -> str:
    return "".join(
        bytes(line[1:-1], "utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8")
        for line in block.splitlines()
    )


def entries(language: str) -> dict[str, str]:
    text = (LOCALE / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    assert "#, fuzzy\nmsgid" not in text, f"{language}: fuzzy entries are not used by gettext"
    return {_unquote(m[1]): _unquote(m[2]) for m in ENTRY.finditer(text) if _unquote(m[1])}


@pytest.mark.parametrize("language", ["fr", "ht"])
def test_french_and_creole_are_complete_and_compiled(language: str) -> None:
    source = entries(language)
    assert len(source) > 150
    untranslated = [msgid for msgid, msgstr in source.items() if not msgstr]
    assert untranslated == []
    with (LOCALE / language / "LC_MESSAGES" / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = [msgid for msgid, msgstr in source.items() if compiled.gettext(msgid) != msgstr]
    assert stale == [], f"run msgfmt on the {language} catalogue"


@pytest.mark.parametrize("language", ["fr", "en", "ht"])
def test_placeholders_survive_translation(language: str) -> None:
    for msgid, msgstr in entries(language).items():
        if msgstr:
            wanted = sorted(re.findall(r"%\(\w+\)s", msgid))
            assert sorted(re.findall(r"%\(\w+\)s", msgstr)) == wanted, msgid


def test_english_catalogue_covers_the_same_strings() -> None:
    # English is the source language: an empty msgstr shows the English original.
    assert set(entries("en")) == set(entries("fr")) == set(entries("ht"))

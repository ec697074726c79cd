"""Packs: country and regional reference data kept as data files, never as Python."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

PACKS = Path(__file__).resolve().parent.parent / "packs"


def load_pack(kind: str, name: str) -> dict[str, Any]:
    path = PACKS / kind / f"{name}.json"
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


def available(kind: str) -> list[str]:
    return sorted(path.stem for path in (PACKS / kind).glob("*.json"))

"""The scheme versions shipped with the code: workload/schemes/<slug>.json, read once per process."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from .tables import SchemeTables

SCHEMES_DIR = Path(__file__).resolve().parent.parent / "schemes"


@cache
def _load() -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for path in sorted(SCHEMES_DIR.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
        slug = data.get("slug")
        if slug != path.stem:
            raise ValueError(f"{path.name}: slug {slug!r} does not match the file name")
        found[slug] = data
    return found


def builtin_scheme_data() -> dict[str, dict[str, Any]]:
    """slug -> the data of each shipped scheme version (a copy: change it freely)."""
    return copy.deepcopy(_load())


@cache
def builtin_tables(slug: str) -> SchemeTables | None:
    """The indexed tables of a shipped scheme version, or None for an unknown slug."""
    data = _load().get(slug)
    return None if data is None else SchemeTables.from_data(data)

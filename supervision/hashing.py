"""The fingerprint of what a worker signs: a SHA-256 over the entry's content in canonical JSON.

Which fields are hashed comes from the declared list (supervision.fields), per signature version, so the
workflow, the demo seeder and `manage.py verify_signatures` hash exactly what the page shows. Version 1's
payload is kept byte for byte as first released, so every signature given before version 2 still verifies.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from supervision.fields import CURRENT_HASH_VERSION, signed_fields, signed_line_fields


def _canonical(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in value.items()}
    return value


def content_hash(entry: Any, lines: Iterable[Any], *, version: int = CURRENT_HASH_VERSION) -> str:
    """Hash the entry's signed fields and its lines (in order) under a signature version.

    Works on model instances or plain mappings. Hash what the database holds (read the row back after
    saving), so a value's stored precision is what is signed."""
    if not 1 <= version <= CURRENT_HASH_VERSION:
        raise ValueError(f"Unknown signature version {version}.")

    def get(obj: Any, name: str) -> Any:
        return obj[name] if isinstance(obj, Mapping) else getattr(obj, name)

    payload: dict[str, Any] = {
        "entry": {name: _canonical(get(entry, name)) for name in signed_fields(version)},
        "lines": [{name: _canonical(get(line, name)) for name in signed_line_fields(version)} for line in lines],
    }
    if version > 1:  # version 1 had no version key; adding one would change every old fingerprint
        payload["version"] = version
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()

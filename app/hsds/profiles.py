"""The Wegweiser Sachsen profile of HSDS 3.1: RFC 7386 merge patches over the core schema
files and the core OpenAPI description (`profile/`), as HSDS profiles are made, and the
documents they give applied to the core (`schema/`)."""

import json
from functools import cache
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
CORE = HERE / "schema"
PATCHES = HERE / "profile"


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386: `patch` applied to `target` (a null member removes one)."""
    if not isinstance(patch, dict):
        return patch
    merged = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = merge_patch(merged.get(key), value)
    return merged


def patch_names() -> list[str]:
    return sorted(path.name for path in PATCHES.glob("*.json"))


def schema_names() -> list[str]:
    core = {p.name for p in CORE.glob("*.json")} - {"openapi.json", "datapackage.json"}
    return sorted(core)


@cache
def patch(name: str) -> dict[str, Any] | None:
    path = PATCHES / name
    if name not in patch_names():
        return None
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


@cache
def profiled(name: str) -> dict[str, Any] | None:
    """The core document `name` (a schema file or `openapi.json`) with the profile's patch
    for it applied; None if the core has no such document."""
    if name not in {*schema_names(), "openapi.json"}:
        return None
    core = json.loads((CORE / name).read_text(encoding="utf-8"))
    own = patch(name)
    result: dict[str, Any] = merge_patch(core, own) if own is not None else core
    return result

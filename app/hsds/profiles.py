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


def bundled_openapi() -> dict[str, Any]:
    """The profile's OpenAPI description in one document, as generators and test tools take
    it: each schema file it refers to (`schema/service.json`, and those they refer to)
    placed under `components.schemas` by its name, and the references pointed there."""
    document = profiled("openapi.json")
    assert document is not None
    wanted = set(_refs(document, "schema/"))
    bundled: dict[str, Any] = {}
    while wanted:
        name = wanted.pop()
        if name in bundled:
            continue
        schema = profiled(name)
        assert schema is not None, name
        bundled[name] = schema
        wanted |= set(_refs(schema, "")) - set(bundled)
    result = _pointed(document, "schema/")
    components = result.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in sorted(bundled.items()):
        components[name.removesuffix(".json")] = _pointed(schema, "")
    return result


def _refs(node: Any, prefix: str) -> list[str]:
    """The schema files `node` refers to by `prefix` + file name."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        own = [str(ref).removeprefix(prefix)] if _is_file_ref(ref, prefix) else []
        return own + [r for value in node.values() for r in _refs(value, prefix)]
    if isinstance(node, list):
        return [r for value in node for r in _refs(value, prefix)]
    return []


def _pointed(node: Any, prefix: str) -> Any:
    """`node` with its references to schema files pointing into `components.schemas`."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        copied = {k: _pointed(v, prefix) for k, v in node.items()}
        if _is_file_ref(ref, prefix):
            name = str(ref).removeprefix(prefix).removesuffix(".json")
            copied["$ref"] = f"#/components/schemas/{name}"
        return copied
    if isinstance(node, list):
        return [_pointed(value, prefix) for value in node]
    return node


def _is_file_ref(ref: Any, prefix: str) -> bool:
    return (
        isinstance(ref, str)
        and ref.startswith(prefix)
        and ref.endswith(".json")
        and ("/" not in ref.removeprefix(prefix))
    )

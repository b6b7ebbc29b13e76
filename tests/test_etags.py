"""The representation generation in record ETags follows the shape of the records."""

import hashlib
import json
from pathlib import Path
from typing import Any

from app.config import Settings
from app.etags import REPRESENTATION
from app.main import create_app

# The schemas of the record representations that carry a record ETag.
RECORDS = ("OrganisationDetail", "NetworkDetail", "RegionDetail", "ContactPublic", "RelationRecord")
# Documentation only: changing it changes no representation.
_DOCS = {"description", "examples", "example", "title", "summary"}
# The digest of the record schemas at each generation. When the test fails, the shape of
# the records changed: raise app.etags.REPRESENTATION and record the new digest under it.
SHAPES = {2: "bad89c52df87543a"}


def record_shapes(directory: Path) -> str:
    spec = create_app(Settings(database_url=f"sqlite:///{directory}/shapes.sqlite3")).openapi()
    components = spec["components"]["schemas"]
    seen: dict[str, Any] = {}

    def collect(name: str) -> None:
        if name in seen:
            return
        seen[name] = schema = _without_docs(components[name])
        for ref in _refs(schema):
            collect(ref.rsplit("/", 1)[-1])

    for name in RECORDS:
        collect(name)
    text = json.dumps(seen, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _without_docs(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {k: _without_docs(v) for k, v in schema.items() if k not in _DOCS}
    if isinstance(schema, list):
        return [_without_docs(v) for v in schema]
    return schema


def _refs(schema: Any) -> list[str]:
    if isinstance(schema, dict):
        own = [schema["$ref"]] if isinstance(schema.get("$ref"), str) else []
        return own + [r for v in schema.values() for r in _refs(v)]
    if isinstance(schema, list):
        return [r for v in schema for r in _refs(v)]
    return []


def test_the_records_change_shape_only_with_a_new_representation_generation(
    tmp_path: Path,
) -> None:
    assert SHAPES.get(REPRESENTATION) == record_shapes(tmp_path), (
        "the record schemas changed: raise app.etags.REPRESENTATION and record the digest"
    )

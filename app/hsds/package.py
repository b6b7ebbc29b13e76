"""The directory as an HSDS tabular data package: `datapackage.json` and one CSV per HSDS
object, as the official descriptor (schema/datapackage.json) defines them.

The rows are the objects the HSDS API serves (app.hsds.mapping), flattened: every
nested list becomes the rows of its own table, which carry their parent's id already
(`service_id`, `organization_id`, `link_id`, `resource_id`). Organisations are read a
chunk at a time, so memory stays the same whatever the directory's size. A table the
directory has nothing for (locations, schedules, …) is written with its header alone.
"""

import csv
import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from app.db import live
from app.hsds import mapping
from app.organisations import service as organisation_service
from app.organisations.models import Organisation
from app.vocabularies.catalogue import FIELD_OF_SCHEME

DESCRIPTOR = Path(__file__).parent / "schema" / "datapackage.json"
CHUNK = 500
# Where each nested list of an object goes: the table (resource name) of its rows.
_NESTED = {
    "services": "service",
    "service_areas": "service_area",
    "languages": "language",
    "attributes": "attribute",
    "phones": "phone",
    "contacts": "contact",
    "additional_websites": "url",
    "metadata": "metadata",
}


class PackageError(Exception):
    """The package cannot be written where it was asked for; nothing was written there."""


def write_package(session: Session, directory: Path, base: str) -> dict[str, int]:
    """Write the package into `directory`, which must not exist or be empty: how many rows
    each table got. The files are written beside it first and moved there when complete,
    so a package cut short is never taken for a whole one."""
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise PackageError(f"{directory} exists and is not an empty directory")
    directory.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=f".{directory.name}-", dir=directory.parent))
    try:
        counts = _write(session, partial, base)
        if directory.exists():
            directory.rmdir()  # empty, as checked
        partial.rename(directory)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return counts


def _write(session: Session, directory: Path, base: str) -> dict[str, int]:
    descriptor = completed_descriptor()
    (directory / "datapackage.json").write_text(
        json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    resources = {r["name"]: r for r in descriptor["resources"]}
    files = {
        name: (directory / r["path"]).open("w", newline="", encoding="utf-8")
        for name, r in resources.items()
    }
    try:
        writers = {
            name: csv.DictWriter(
                files[name],
                fieldnames=[f["name"] for f in r["schema"]["fields"]],
                extrasaction="ignore",
                lineterminator="\r\n",
            )
            for name, r in resources.items()
        }
        for writer in writers.values():
            writer.writeheader()
        counts = dict.fromkeys(resources, 0)

        def put(table: str, row: dict[str, Any]) -> None:
            writers[table].writerow({k: _cell(v) for k, v in row.items()})
            counts[table] += 1

        for scheme in FIELD_OF_SCHEME:
            put("taxonomy", mapping.taxonomy(scheme, base))
            for term in mapping.taxonomy_terms(scheme, base):
                put("taxonomy_term", term)
        for detail in _details(session, base):
            organization = mapping.organization(detail, mapping.services(detail))
            for table, row in _flattened("organization", organization):
                put(table, row)
        return counts
    finally:
        for handle in files.values():
            handle.close()


def completed_descriptor() -> dict[str, Any]:
    """The official descriptor, with the fields it leaves out of a table whose primary key
    names them (`service_capacity` lacks its `id`, `unit` has no fields at all in the
    published 3.1 snapshot) taken from that object's JSON Schema, so that a Frictionless
    validator accepts the package; each table so completed says so in its description."""
    descriptor: dict[str, Any] = json.loads(DESCRIPTOR.read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        schema = resource["schema"]
        names = {field["name"] for field in schema["fields"]}
        keys = schema.get("primaryKey")
        if isinstance(keys, str):
            keys = [keys]
        if not keys or set(keys) <= names:
            continue
        properties = json.loads(
            (DESCRIPTOR.parent / f"{resource['name']}.json").read_text(encoding="utf-8")
        )["properties"]
        added = []
        for name, prop in properties.items():
            if name not in names and prop.get("type") in _TABLE_TYPES:
                field = {"name": name, "type": _TABLE_TYPES[prop["type"]]}
                if prop.get("format") == "uuid":
                    field["format"] = "uuid"
                schema["fields"].append(field)
                added.append(name)
        resource["description"] += (
            f" (Fields {', '.join(added)} taken from {resource['name']}.json by Wegweiser "
            "Sachsen: the published descriptor names them as keys but leaves them out.)"
        )
    return descriptor


# JSON Schema types and the Table Schema type of their column (lists and objects have none).
_TABLE_TYPES = {"string": "string", "number": "number", "integer": "integer", "boolean": "boolean"}


def _details(session: Session, base: str) -> Iterator[Any]:
    """Every live organisation's detail, by id, a chunk at a time."""
    after = 0
    while True:
        chunk = list(
            session.execute(
                select(Organisation)
                .where(live(Organisation), col(Organisation.id) > after)
                .order_by(col(Organisation.id))
                .limit(CHUNK)
            ).scalars()
        )
        if not chunk:
            return
        yield from organisation_service.details(session, chunk, base)
        after = chunk[-1].id or after


def _flattened(table: str, node: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """`node` as a row of `table`, then the rows of its nested lists, depth first. A nested
    object (a service's `organization`, an attribute's `taxonomy_term`) is a row elsewhere."""
    own = {k: v for k, v in node.items() if not isinstance(v, list | dict)}
    yield table, own
    for key, value in node.items():
        if isinstance(value, list) and key in _NESTED:
            for item in value:
                yield from _flattened(_NESTED[key], item)


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value

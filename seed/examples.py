"""Record the OpenAPI examples (`app/examples.json`) from a freshly seeded directory.

    python -m seed.examples

Migrates and seeds a temporary SQLite database, asks the API each operation's sample
request and writes the answers. A write's example is the record as it answers a read
(what a write answers too); `POST /import`'s is what importing the seed's export into
an empty database reports, and `GET /export`'s that export cut down to a few records.
"""

import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.config import Settings
from app.db import make_engine
from app.examples import EXAMPLES_FILE, RECORDED_BASE
from app.keys import service as key_service
from app.main import create_app
from app.schema import upgrade
from seed.loader import load, read_seed_file

ORGANISATION = "/organisations/refugee-law-clinic-leipzig"
REGION = "/regions/14626"
CONTACT = "/contacts/1"
RELATION = "/relations/1"

# Operation → the request whose answer is its example.
SAMPLES: dict[str, str] = {
    "GET /": "/",
    "GET /organisations": "/organisations?limit=2",
    "POST /organisations": ORGANISATION,
    "GET /organisations/{slug}": ORGANISATION,
    "PUT /organisations/{slug}": ORGANISATION,
    "PATCH /organisations/{slug}": ORGANISATION,
    "POST /organisations/{slug}/verification": ORGANISATION,
    "GET /organisations/{slug}/history": f"{ORGANISATION}/history?limit=1",
    "GET /networks": "/networks?limit=1",
    "GET /networks/{slug}": "/networks/iq-netzwerk-sachsen",
    "GET /regions": "/regions?limit=2",
    "POST /regions": REGION,
    "GET /regions/{code}": REGION,
    "PUT /regions/{code}": REGION,
    "PATCH /regions/{code}": REGION,
    "POST /regions/{code}/verification": REGION,
    "GET /regions/{code}/history": f"{REGION}/history?limit=1",
    "GET /contacts": "/contacts?limit=2",
    "POST /contacts": CONTACT,
    "GET /contacts/{contact_id}": CONTACT,
    "PUT /contacts/{contact_id}": CONTACT,
    "PATCH /contacts/{contact_id}": CONTACT,
    "POST /contacts/{contact_id}/verification": CONTACT,
    "GET /contacts/{contact_id}/history": f"{CONTACT}/history?limit=1",
    "GET /relations": "/relations?limit=2",
    "POST /relations": RELATION,
    "GET /relations/{relation_id}": RELATION,
    "PUT /relations/{relation_id}": RELATION,
    "PATCH /relations/{relation_id}": RELATION,
    "POST /relations/{relation_id}/verification": RELATION,
    "GET /relations/{relation_id}/history": f"{RELATION}/history?limit=1",
    "GET /search": "/search?q=rechtsberatung&limit=2",
    "GET /help": "/help?place=14626&offer=legal-advice&limit=2",
    "GET /changes": "/changes?limit=2",
    "GET /problems/{name}": "/problems/not-found",
    "GET /vocabularies": "/vocabularies",
    "GET /vocabularies/{scheme}": "/vocabularies/access",
    "GET /vocabularies/{scheme}/{concept}": "/vocabularies/offers/legal-advice",
}

EXPORT_SAMPLE = ("refugee-law-clinic-leipzig", "universitaet-leipzig")
"""The organisations `GET /export`'s example keeps, with their regions and relations."""


def record() -> dict[str, Any]:
    with _seeded() as (client, admin), _seeded(empty=True) as (empty, empty_admin):
        operations = {
            operation: {"sample": sample, "example": _get(client, sample)}
            for operation, sample in SAMPLES.items()
        }
        directory = client.get("/export", headers=admin).json()
        sample = cut_down(directory)
        imported = empty.post("/import", json=sample, headers=empty_admin)
        assert imported.status_code == 200, imported.text
    operations["GET /export"] = {"sample": None, "example": sample}
    operations["POST /import"] = {"sample": None, "example": imported.json(), "request": sample}
    for operation, body in request_bodies(directory, operations).items():
        operations[operation]["request"] = body
    return {"base_url": RECORDED_BASE, "operations": dict(sorted(operations.items()))}


_KEPT = {"last_verified_at", "provenance"}


def request_bodies(
    directory: dict[str, Any], operations: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """The bodies of the writes: the sample records' editable state, as the export holds it."""

    def answer(operation: str) -> dict[str, Any]:
        example: dict[str, Any] = operations[operation]["example"]
        return example

    slug = answer("GET /organisations/{slug}")["slug"]
    organisation = next(o for o in directory["organisations"] if o["slug"] == slug)
    organisation = {k: v for k, v in organisation.items() if k not in {*_KEPT, "contacts"}}
    code = answer("GET /regions/{code}")["code"]
    region = next(r for r in directory["regions"] if r["code"] == code)
    region = {k: v for k, v in region.items() if k != "last_verified_at"}
    shown = answer("GET /contacts/{contact_id}")
    owner = next(
        o for o in directory["organisations"] if o["slug"] == shown["organisation"]["slug"]
    )
    contact = next(c for c in owner["contacts"] if c["value"] == shown["value"])
    contact = {k: v for k, v in contact.items() if k not in _KEPT}
    ends = answer("GET /relations/{relation_id}")
    relation = next(
        r
        for r in directory["relations"]
        if (r["subject"], r["type"], r["object"])
        == (ends["subject"]["slug"], ends["type"], ends["object"]["slug"])
    )
    relation = {k: v for k, v in relation.items() if k not in _KEPT}
    without_slug = {k: v for k, v in organisation.items() if k != "slug"}
    return {
        "POST /organisations": organisation,
        "PUT /organisations/{slug}": without_slug,
        "PATCH /organisations/{slug}": {"description": organisation["description"]},
        "POST /regions": region,
        "PUT /regions/{code}": {k: v for k, v in region.items() if k != "slug"},
        "PATCH /regions/{code}": {"name": region["name"]},
        "POST /contacts": {"organisation": owner["slug"], **contact},
        "PUT /contacts/{contact_id}": contact,
        "PATCH /contacts/{contact_id}": {"label": contact["label"]},
        "POST /relations": relation,
        "PUT /relations/{relation_id}": relation,
        "PATCH /relations/{relation_id}": {"valid_as_of": relation["valid_as_of"]},
    }


def cut_down(directory: dict[str, Any]) -> dict[str, Any]:
    """The export with the `EXPORT_SAMPLE` organisations only, and what they refer to: a file
    that imports into an empty database on its own."""
    organisations = [o for o in directory["organisations"] if o["slug"] in EXPORT_SAMPLE]
    wanted = {link["region"] for o in organisations for link in o["regions"]}
    wanted |= {c["region"] for o in organisations for c in o["contacts"] if c["region"]}
    by_key = {r["slug"]: r for r in directory["regions"]}
    by_key |= {r["code"]: r for r in directory["regions"] if r["code"]}
    kept: dict[str, dict[str, Any]] = {}
    while wanted:  # each region with the regions above it
        region = by_key[wanted.pop()]
        kept[region["slug"]] = region
        if region["parent"] is not None and by_key[region["parent"]]["slug"] not in kept:
            wanted.add(region["parent"])
    return {
        **directory,
        "regions": [r for r in directory["regions"] if r["slug"] in kept],
        "organisations": organisations,
        "relations": [
            r
            for r in directory["relations"]
            if r["subject"] in EXPORT_SAMPLE and r["object"] in EXPORT_SAMPLE
        ],
    }


def _get(client: TestClient, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, f"{url}: {response.status_code} {response.text}"
    return response.json()


@contextmanager
def _seeded(empty: bool = False) -> Iterator[tuple[TestClient, dict[str, str]]]:
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{Path(directory) / 'examples.sqlite3'}"
        upgrade(url)
        engine = make_engine(url)
        try:
            with Session(engine) as session:
                if not empty:
                    load(session, read_seed_file())
            with Session(engine) as session:
                _, secret = key_service.create_key(session, "examples", ["admin"])
        finally:
            engine.dispose()
        settings = Settings(database_url=url, base_url=RECORDED_BASE, response_cache_bytes=0)
        with TestClient(create_app(settings)) as client:
            yield client, {"Authorization": f"Bearer {secret}"}


if __name__ == "__main__":
    EXAMPLES_FILE.write_text(
        json.dumps(record(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )

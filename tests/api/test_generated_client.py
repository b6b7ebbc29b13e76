"""A client generated from /openapi.json with a standard generator (openapi-python-client)
lists, pages and reads organisations: the description is complete enough to build on."""

import importlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

PACKAGE = "wegweiser_sachsen_client"


@pytest.fixture(scope="module")
def generated(client: TestClient, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    work = tmp_path_factory.mktemp("client")
    spec = work / "openapi.json"
    spec.write_bytes(client.get("/openapi.json").content)
    tools = str(Path(sys.executable).parent)  # its formatter, ruff, is installed beside it
    result = subprocess.run(
        [
            str(Path(tools) / "openapi-python-client"),
            "generate",
            "--path",
            str(spec),
            "--output-path",
            str(work / "out"),
            "--overwrite",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PATH": f"{tools}{os.pathsep}{os.environ.get('PATH', '')}"},
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    sys.path.insert(0, str(work / "out"))
    try:
        yield work / "out"
    finally:
        sys.path.remove(str(work / "out"))
        for name in [m for m in sys.modules if m.split(".")[0] == PACKAGE]:
            del sys.modules[name]


def module(name: str) -> ModuleType:
    return importlib.import_module(f"{PACKAGE}.{name}")


def api_client(client: TestClient) -> Any:
    generated_client = module("client").Client(base_url="http://testserver")
    generated_client.set_httpx_client(client)  # TestClient is an httpx.Client
    return generated_client


def test_the_generated_client_lists_pages_and_reads(generated: Path, client: TestClient) -> None:
    listing = module("api.organisations.organisations_list_organisations")
    reading = module("api.organisations.organisations_get_organisation")
    api = api_client(client)

    slugs: list[str] = []
    cursor = None
    while True:
        page = listing.sync(client=api, limit=20, cursor=cursor)
        slugs += [item.slug for item in page.items]
        following = parse_qs(urlsplit(page.links.next_).query) if page.links.next_ else {}
        cursor = following["cursor"][0] if following else None
        if cursor is None:
            break
    assert len(slugs) == len(set(slugs)) == client.get("/organisations").json()["total"]

    clinic = reading.sync(client=api, slug="refugee-law-clinic-leipzig")
    assert clinic.name == "Refugee Law Clinic Leipzig e.V."
    assert "legal-advice" in [tag.id for tag in clinic.concepts.offers]
    missing = reading.sync_detailed(client=api, slug="gibt-es-nicht")
    assert missing.status_code == 404

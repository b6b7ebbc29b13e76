"""app.speedups: FastAPI's per-type answers remembered, and the same answers as FastAPI's own;
the served application frozen out of full garbage collections."""

import os
import subprocess
import sys
from pathlib import Path

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from app import speedups
from tests.databases import ROOT


def test_the_speedup_is_in_place_with_the_pinned_fastapi() -> None:
    # Fails when FastAPI moves the function: the service still works, but pays again.
    assert speedups.install()


def test_remembered_answers_are_fastapi_s_own(client: TestClient) -> None:
    assert speedups._ORIGINAL is not None
    checked = 0
    routes = [
        route
        for included in client.app.routes  # type: ignore[attr-defined]
        for route in getattr(getattr(included, "original_router", None), "routes", [])
        if isinstance(route, APIRoute)
    ]
    for route in routes:
        fields = [*route.dependant.query_params, *route.dependant.path_params]
        for dependency in route.dependant.dependencies:
            fields += dependency.query_params
        for field in fields:
            annotation = field.field_info.annotation
            assert speedups._remembered(annotation) == speedups._ORIGINAL(annotation), field
            assert speedups._remembered(annotation) == speedups._ORIGINAL(annotation), field
            checked += 1
    assert checked > 100


def test_the_served_application_is_frozen_out_of_full_collections(tmp_path: Path) -> None:
    """`uvicorn app.main:app` imports the module: what it made by then (routes, schemas,
    vocabularies) is never walked by a full garbage collection, which would stall every
    request for as long as the walk takes."""
    probe = "import gc, app.main; print(gc.get_freeze_count(), len(gc.get_objects()))"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "WEGWEISER_DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    frozen, walked = map(int, result.stdout.split())
    assert frozen > 10 * walked

"""Replicas starting together against one PostgreSQL database migrate and seed it once.

Every container of the image runs `alembic upgrade head` and `python -m seed
--if-empty` before it serves; these run the real commands side by side.
"""

import os
import subprocess
import sys

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from app.db import make_engine
from app.organisations.models import Organisation
from tests.conftest import Databases
from tests.databases import ROOT

REPLICAS = 3


def start_together(url: str, *command: str) -> list[subprocess.CompletedProcess[str]]:
    env = {**os.environ, "WEGWEISER_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", *command],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(REPLICAS)
    ]
    results = []
    for process in processes:
        stdout, stderr = process.communicate(timeout=120)
        results.append(
            subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
        )
    return results


def test_replicas_starting_together_migrate_and_seed_once(
    databases: Databases, empty_database: str
) -> None:
    if databases.name != "postgresql":
        pytest.skip("one SQLite file serves one machine, where `make run` starts one server")
    for result in start_together(empty_database, "alembic", "upgrade", "head"):
        assert result.returncode == 0, result.stderr

    seeded = start_together(empty_database, "seed", "--if-empty")
    for result in seeded:
        assert result.returncode == 0, result.stderr
    loaded = [r for r in seeded if "created" in r.stdout]
    assert len(loaded) == 1, [r.stdout for r in seeded]
    engine = make_engine(empty_database)
    try:
        with Session(engine) as session:
            count = session.execute(select(func.count()).select_from(Organisation)).scalar_one()
    finally:
        engine.dispose()
    assert count == 74

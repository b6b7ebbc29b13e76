"""Benchmark databases: migrated SQLite files filled by `bench.synthetic`, cached between runs.

A cached file is reused only while everything that shapes its contents is
unchanged: the size, the seed, the migrations, the generator and the search keys.
"""

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text

from app.db import make_engine
from app.organisations.service import OrganisationFilters, OrganisationSort, sort_key
from app.pagination import encode_cursor
from bench import synthetic
from bench.server import ROOT

# Files whose changes make a cached database stale.
INPUTS = (
    "migrations/versions",
    "bench/synthetic.py",
    "app/writes.py",
    "app/organisations/writes.py",
    "app/organisations/indexing.py",
    "app/folding.py",
)


@dataclass(frozen=True)
class Database:
    url: str
    organisations: int
    built_in: float | None  # seconds, when built by this run


def fingerprint() -> str:
    digest = hashlib.sha256()
    for name in INPUTS:
        path = ROOT / name
        for file in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            digest.update(file.relative_to(ROOT).as_posix().encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()[:12]


def prepared(organisations: int, seed: int, cache: Path, rebuild: bool = False) -> Database:
    """A database with `organisations` synthetic organisations, from the cache or built now."""
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"wegweiser-{organisations}-seed{seed}-{fingerprint()}.sqlite3"
    url = f"sqlite:///{path}"
    if path.exists() and not rebuild:
        return Database(url, organisations, None)
    for stale in cache.glob(f"wegweiser-{organisations}-seed{seed}-*"):
        stale.unlink()
    building = path.with_suffix(".building")
    for leftover in building.parent.glob(building.name + "*"):
        leftover.unlink()
    started = time.perf_counter()
    building_url = f"sqlite:///{building}"
    migrate(building_url)
    synthetic.generate(building_url, organisations, seed)
    _checkpoint(building_url)
    building.replace(path)
    return Database(url, organisations, time.perf_counter() - started)


def migrate(url: str) -> None:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.attributes["database_url"] = url
    config.attributes["configure_logger"] = False
    command.upgrade(config, "head")


def _checkpoint(url: str) -> None:
    """Fold the write-ahead log into the file, so the file alone is the database."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    finally:
        engine.dispose()


def sample_slugs(url: str, count: int) -> list[str]:
    """`count` organisation slugs spread evenly over the table."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            slugs = list(
                connection.execute(text("SELECT slug FROM organisation ORDER BY id")).scalars()
            )
    finally:
        engine.dispose()
    step = max(1, len(slugs) // count)
    return slugs[::step][:count]


def cursor_at(url: str, fraction: float) -> str:
    """The `links.next` cursor of the page starting at `fraction` of `/organisations` (by name)."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            total = connection.execute(text("SELECT count(*) FROM organisation")).scalar_one()
            name_key, id_ = connection.execute(
                text(
                    "SELECT name_key, id FROM organisation ORDER BY name_key, id LIMIT 1 OFFSET :n"
                ),
                {"n": max(0, int(total * fraction) - 1)},
            ).one()
    finally:
        engine.dispose()
    order = sort_key(OrganisationSort.name, OrganisationFilters())
    return encode_cursor(order, [name_key, id_])

"""Benchmark databases filled by `bench.synthetic`, cached between runs.

SQLite: migrated files in the results folder. PostgreSQL: databases named
`wegweiser_bench_<size>_seed<seed>_<fingerprint>` on the server the benchmark
is given. Either is reused only while everything that shapes its contents is
unchanged: the size, the seed, the migrations, the generator and the search
keys; a stale one of the same size and seed is dropped.
"""

import hashlib
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from app.db import make_engine
from app.organisations.service import OrganisationFilters, OrganisationSort, sort_key
from app.pagination import encode_cursor
from app.schema import upgrade
from bench import synthetic
from bench.server import ROOT

# Files whose changes make a cached database stale.
INPUTS = (
    "migrations/versions",
    "bench/synthetic.py",
    "app/writes.py",
    "app/organisations/writes.py",
    "app/organisations/indexing.py",
    "app/organisations/concepts.py",
    "app/vocabularies/data/offers.yaml",
    "app/vocabularies/data/target-groups.yaml",
    "app/folding.py",
)


POSTGRES_PREFIX = "wegweiser_bench_"


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
    """A SQLite file with `organisations` synthetic organisations, from the cache or built now."""
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


def prepared_postgresql(
    server_url: str, organisations: int, seed: int, rebuild: bool = False
) -> Database:
    """A database with `organisations` synthetic organisations on the PostgreSQL server of
    `server_url` (any database on it to connect to), reused or built now."""
    server = make_url(server_url)
    name = postgres_name(organisations, seed, fingerprint())
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            existing = list(connection.execute(text("SELECT datname FROM pg_database")).scalars())
        keep = name if name in existing and not rebuild else None
        for stale in stale_postgres_names(existing, organisations, seed, keep):
            _drop(admin, stale)
        url = server.set(database=name).render_as_string(hide_password=False)
        if keep:
            return Database(url, organisations, None)
        # Built under another name and renamed when complete, like the SQLite file.
        building = f"{name}_building"
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{building}"'))
        started = time.perf_counter()
        building_url = server.set(database=building).render_as_string(hide_password=False)
        migrate(building_url)
        synthetic.generate(building_url, organisations, seed)
        _vacuum(building_url)
        with admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{building}" RENAME TO "{name}"'))
        return Database(url, organisations, time.perf_counter() - started)
    finally:
        admin.dispose()


def postgres_name(organisations: int, seed: int, fingerprint: str) -> str:
    return f"{POSTGRES_PREFIX}{organisations}_seed{seed}_{fingerprint}"


def stale_postgres_names(
    existing: Iterable[str], organisations: int, seed: int, keep: str | None
) -> list[str]:
    """The benchmark databases of this size and seed other than `keep`, half-built ones too."""
    prefix = f"{POSTGRES_PREFIX}{organisations}_seed{seed}_"
    return sorted(name for name in existing if name.startswith(prefix) and name != keep)


def _drop(admin: Engine, name: str) -> None:
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _vacuum(url: str) -> None:
    """Set the visibility map and statistics now, so autovacuum does not run during the load."""
    engine = make_engine(url)
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM (ANALYZE)"))
    finally:
        engine.dispose()


def server_version(url: str) -> str:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return str(connection.execute(text("SHOW server_version")).scalar_one())
    finally:
        engine.dispose()


def migrate(url: str) -> None:
    upgrade(url)


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

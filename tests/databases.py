"""Throw-away databases for the tests: temporary SQLite files, or databases on a PostgreSQL server.

Each test that writes gets its own database, cloned from a migrated and seeded
template (a file copy for SQLite, `CREATE DATABASE … TEMPLATE` for PostgreSQL).
"""

import sqlite3
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from app.db import make_engine

# Re-exported: the tests take them from here.
from app.schema import ROOT as ROOT
from app.schema import alembic_config as alembic_config
from app.schema import upgrade
from seed.loader import load, read_seed_file


def migrate(url: str, revision: str = "head") -> None:
    upgrade(url, revision)


def seed(url: str) -> None:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            load(session, read_seed_file())
    finally:
        engine.dispose()


class SQLiteDatabases:
    name = "sqlite"

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def create(self) -> str:
        return f"sqlite:///{self.directory / f'{uuid.uuid4().hex}.sqlite3'}"

    def clone(self, url: str) -> str:
        copy = self.create()
        source = sqlite3.connect(make_url(url).database or "")
        target = sqlite3.connect(make_url(copy).database or "")
        with target:
            source.backup(target)
        source.close()
        target.close()
        return copy

    def drop(self, url: str) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{make_url(url).database}{suffix}").unlink(missing_ok=True)

    def close(self) -> None:
        pass


class PostgresDatabases:
    name = "postgresql"

    def __init__(self, server_url: str) -> None:
        self.server_url = make_url(server_url)
        self.admin = create_engine(self.server_url, isolation_level="AUTOCOMMIT")
        self.created: list[str] = []

    def create(self, template: str | None = None) -> str:
        name = f"wegweiser_test_{uuid.uuid4().hex[:12]}"
        clause = f' TEMPLATE "{template}"' if template else ""
        with self.admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"{clause}'))
        self.created.append(name)
        return self.server_url.set(database=name).render_as_string(hide_password=False)

    def clone(self, url: str) -> str:
        return self.create(template=make_url(url).database)

    def drop(self, url: str) -> None:
        name = make_url(url).database
        with self.admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def close(self) -> None:
        for name in self.created:
            with self.admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()

"""Fixtures: every database test runs on SQLite, and on PostgreSQL when one is configured.

Set WEGWEISER_TEST_DATABASE_URL=postgresql+psycopg://user@host:5432/db to run the
suite on PostgreSQL as well; the tests create and drop their own databases there.
"""

import os
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from tests.databases import PostgresDatabases, SQLiteDatabases, migrate, seed

POSTGRES_URL = os.environ.get("WEGWEISER_TEST_DATABASE_URL", "")

Databases = SQLiteDatabases | PostgresDatabases


@pytest.fixture(
    scope="session",
    params=[
        "sqlite",
        pytest.param("postgresql", marks=pytest.mark.postgres),
    ],
)
def databases(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Databases]:
    """Where test databases come from; parametrises every database test over both engines."""
    dbs: Databases
    if request.param == "postgresql":
        if not POSTGRES_URL:
            pytest.skip(
                "PostgreSQL run skipped: set WEGWEISER_TEST_DATABASE_URL="
                "postgresql+psycopg://user@127.0.0.1:5432/test to run the suite on PostgreSQL too"
            )
        dbs = PostgresDatabases(POSTGRES_URL)
    else:
        dbs = SQLiteDatabases(tmp_path_factory.mktemp("db"))
    yield dbs
    dbs.close()


@pytest.fixture(scope="session")
def seeded_template(databases: Databases) -> str:
    """A migrated and seeded database, shared read-only; clone it to write."""
    url = databases.create()
    migrate(url)
    seed(url)
    return url


@pytest.fixture
def empty_database(databases: Databases) -> Iterator[str]:
    """A new database with no schema at all."""
    url = databases.create()
    yield url
    databases.drop(url)


@pytest.fixture
def migrated_database(empty_database: str) -> str:
    migrate(empty_database)
    return empty_database


@pytest.fixture
def seeded_database(databases: Databases, seeded_template: str) -> Iterator[str]:
    """A private, writable copy of the seeded database."""
    url = databases.clone(seeded_template)
    yield url
    databases.drop(url)


@pytest.fixture
def client_for() -> Iterator[Callable[[str], TestClient]]:
    clients: list[TestClient] = []

    def make(url: str) -> TestClient:
        client = TestClient(create_app(Settings(database_url=url)))
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture(scope="session")
def client(databases: Databases, seeded_template: str) -> Iterator[TestClient]:
    """A client on a seeded database shared by the whole session. Tests using it must not write."""
    url = databases.clone(seeded_template)  # the template itself stays unconnected, for cloning
    with TestClient(create_app(Settings(database_url=url))) as test_client:
        yield test_client


@pytest.fixture
def writable_client(seeded_database: str, client_for: Callable[[str], TestClient]) -> TestClient:
    return client_for(seeded_database)

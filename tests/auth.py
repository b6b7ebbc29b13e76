"""API keys for tests that write: create them on a test database, send them as headers.

@pytest.fixture
def auth(seeded_database: str) -> AuthHeaders:
    return auth_headers(seeded_database)

client.post("/organisations", json=…, headers=auth.writer)
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from app.db import make_engine
from app.keys import service


def create_key(
    database_url: str,
    name: str,
    scopes: Sequence[str] = ("write",),
    expires_at: date | datetime | None = None,
) -> str:
    """A new key on the database at `database_url`: its secret."""
    engine = make_engine(database_url, single_connection=True)
    try:
        with Session(engine) as session:
            _, secret = service.create_key(session, name, scopes, expires_at)
    finally:
        engine.dispose()
    return secret


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


@dataclass(frozen=True)
class AuthHeaders:
    """Headers of two keys: `admin` (scope admin, so write too) and `writer` (write only)."""

    admin: dict[str, str]
    writer: dict[str, str]


ADMIN_NAME = "test-admin"
WRITER_NAME = "test-writer"


def auth_headers(database_url: str) -> AuthHeaders:
    return AuthHeaders(
        admin=bearer(create_key(database_url, ADMIN_NAME, ["admin"])),
        writer=bearer(create_key(database_url, WRITER_NAME, ["write"])),
    )

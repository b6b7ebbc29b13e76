from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from tests.auth import AuthHeaders, auth_headers


@pytest.fixture
def auth(seeded_database: str) -> AuthHeaders:
    """An admin key and a write key on the test's own database."""
    return auth_headers(seeded_database)


@pytest.fixture
def api(
    seeded_database: str, auth: AuthHeaders, client_for: Callable[[str], TestClient]
) -> TestClient:
    return client_for(seeded_database)

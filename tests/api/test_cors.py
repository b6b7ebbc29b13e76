"""CORS: reading from every origin, writing from listed ones, preflights answered before the app.

The client's application lists one write origin; the browser's side of the
exchange is in tests/browser/test_cross_origin.py.
"""

from collections.abc import Iterator, Mapping

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from tests.conftest import Databases

LISTED = "http://127.0.0.1:8401"
UNLISTED = "http://127.0.0.1:8402"
EXPOSED = "ETag, Link, Location, Content-Language, Retry-After"
ORGANISATION = "/organisations/bon-courage"
WRITE_HEADERS = "authorization,change-source,content-type,if-match"


@pytest.fixture(scope="module")
def cors_client(databases: Databases, seeded_template: str) -> Iterator[TestClient]:
    url = databases.clone(seeded_template)
    settings = Settings(database_url=url, cors_write_origins=[LISTED])
    with TestClient(create_app(settings)) as client:
        yield client
    databases.drop(url)


def preflight(client: TestClient, method: str, origin: str, headers: str = "") -> dict[str, str]:
    request = {"Origin": origin, "Access-Control-Request-Method": method}
    if headers:
        request["Access-Control-Request-Headers"] = headers
    response = client.options(ORGANISATION, headers=request)
    assert response.status_code == 204, response.text
    assert response.content == b""
    return dict(response.headers)


def assert_readable(headers: Mapping[str, str]) -> None:
    assert headers["access-control-allow-origin"] == "*"
    assert headers["access-control-expose-headers"] == EXPOSED
    assert "access-control-allow-credentials" not in headers


@pytest.mark.parametrize("origin", [LISTED, UNLISTED, "null"])
def test_get_and_head_are_readable_from_every_origin(cors_client: TestClient, origin: str) -> None:
    for method in ("GET", "HEAD"):
        response = cors_client.request(method, ORGANISATION, headers={"Origin": origin})
        assert response.status_code == 200
        assert_readable(response.headers)
        assert "Origin" not in response.headers.get("vary", "")


def test_not_modified_and_stored_responses_carry_the_headers(cors_client: TestClient) -> None:
    first = cors_client.get(ORGANISATION, headers={"Origin": UNLISTED})
    again = cors_client.get(ORGANISATION, headers={"Origin": UNLISTED})  # from the store
    assert again.headers["etag"] == first.headers["etag"]
    assert_readable(again.headers)
    conditional = {"Origin": UNLISTED, "If-None-Match": first.headers["etag"]}
    not_modified = cors_client.get(ORGANISATION, headers=conditional)
    assert not_modified.status_code == 304
    assert_readable(not_modified.headers)


def test_problem_documents_carry_the_headers(cors_client: TestClient) -> None:
    for path in ("/organisations/gibt-es-nicht", "/organisations?limit=0"):
        response = cors_client.get(path, headers={"Origin": UNLISTED})
        assert response.status_code in (404, 422)
        assert response.headers["content-type"] == "application/problem+json"
        assert_readable(response.headers)


def test_reading_headers_do_not_depend_on_an_origin(cors_client: TestClient) -> None:
    # A shared cache may store this response and hand it to a browser.
    assert_readable(cors_client.get(ORGANISATION).headers)


def test_preflight_for_reading(cors_client: TestClient) -> None:
    for origin in (LISTED, UNLISTED):
        headers = preflight(cors_client, "GET", origin, "if-none-match,accept-language,x-custom")
        assert headers["access-control-allow-origin"] == "*"
        assert headers["access-control-allow-methods"] == "GET, HEAD"
        assert headers["access-control-allow-headers"] == "if-none-match, accept-language"
        assert headers["access-control-max-age"] == "600"


def test_preflight_without_request_headers_allows_none(cors_client: TestClient) -> None:
    headers = preflight(cors_client, "HEAD", UNLISTED)
    assert headers["access-control-allow-methods"] == "GET, HEAD"
    assert "access-control-allow-headers" not in headers


def test_preflight_for_reading_never_allows_write_headers(cors_client: TestClient) -> None:
    headers = preflight(cors_client, "GET", LISTED, "authorization,if-match")
    assert "access-control-allow-headers" not in headers


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_preflight_for_writing_from_a_listed_origin(cors_client: TestClient, method: str) -> None:
    headers = preflight(cors_client, method, LISTED, WRITE_HEADERS)
    assert headers["access-control-allow-origin"] == LISTED
    assert headers["vary"] == "Origin"
    assert headers["access-control-allow-methods"] == "GET, HEAD, POST, PUT, PATCH, DELETE"
    assert headers["access-control-allow-headers"] == (
        "authorization, change-source, content-type, if-match"
    )
    assert headers["access-control-max-age"] == "600"


@pytest.mark.parametrize("origin", [UNLISTED, "null", LISTED + "/", "http://localhost:8401"])
def test_preflight_for_writing_from_another_origin_allows_nothing(
    cors_client: TestClient, origin: str
) -> None:
    headers = preflight(cors_client, "PATCH", origin, WRITE_HEADERS)
    assert not [name for name in headers if name.startswith("access-control-")]


@pytest.mark.parametrize("method", ["GET", "HEAD", "POST", "PATCH", "DELETE", "OPTIONS", "TRACE"])
@pytest.mark.parametrize("path", ["/", ORGANISATION, "/gibt-es-nicht", "/openapi.json"])
def test_a_preflight_is_never_a_405(cors_client: TestClient, method: str, path: str) -> None:
    request = {"Origin": UNLISTED, "Access-Control-Request-Method": method}
    assert cors_client.options(path, headers=request).status_code == 204


def test_options_without_a_requested_method_reaches_the_application(
    cors_client: TestClient,
) -> None:
    response = cors_client.options(ORGANISATION, headers={"Origin": LISTED})
    assert response.status_code == 405
    assert response.headers["content-type"] == "application/problem+json"


def test_writes_from_a_listed_origin_may_be_read_by_it(cors_client: TestClient) -> None:
    # The root answers no writes at all: the headers go on whatever the response is.
    response = cors_client.post("/", headers={"Origin": LISTED})
    assert response.status_code == 405
    assert response.headers["access-control-allow-origin"] == LISTED
    assert response.headers["access-control-expose-headers"] == EXPOSED
    assert response.headers["vary"] == "Origin"


@pytest.mark.parametrize("origin", [UNLISTED, None])
def test_writes_from_other_origins_carry_no_cors_headers(
    cors_client: TestClient, origin: str | None
) -> None:
    response = cors_client.post("/", headers={"Origin": origin} if origin else {})
    assert response.status_code == 405  # processed as any request would be
    assert not [name for name in response.headers if name.startswith("access-control-")]
    assert "Origin" not in response.headers.get("vary", "")


def test_no_write_origins_by_default(client: TestClient) -> None:
    request = {"Origin": LISTED, "Access-Control-Request-Method": "PATCH"}
    response = client.options(ORGANISATION, headers=request)
    assert response.status_code == 204
    assert "access-control-allow-origin" not in response.headers

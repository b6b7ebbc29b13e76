"""/keys over HTTP: who gets in, what admins can do, and that secrets stay secret."""

import hmac
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session, select

from app.db import make_engine
from app.keys import service
from app.keys.models import ApiKey
from tests.auth import ADMIN_NAME, WRITER_NAME, AuthHeaders, bearer, create_key

PROBLEM = "application/problem+json"
CHALLENGE = 'Bearer realm="wegweiser"'
INVALID_TOKEN = 'Bearer realm="wegweiser", error="invalid_token"'

# Every operation of /keys, with a body where it takes one.
OPERATIONS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("POST", "/keys", {"name": "neu", "scopes": ["write"]}),
    ("GET", "/keys", None),
    ("GET", f"/keys/{WRITER_NAME}", None),
    ("DELETE", f"/keys/{WRITER_NAME}", None),
]
OPERATION_IDS = [f"{method} {path}" for method, path, _ in OPERATIONS]


def call(api: TestClient, method: str, path: str, body: Any, headers: dict[str, str] | None) -> Any:
    return api.request(method, path, json=body, headers=headers)


def assert_problem(response: Any, status: int, problem_type: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    assert response.headers["cache-control"] == "no-store"
    problem: dict[str, Any] = response.json()
    assert problem["type"] == f"/problems/{problem_type}"
    return problem


def set_expiry(database_url: str, name: str, moment: datetime) -> None:
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            key = session.exec(select(ApiKey).where(ApiKey.name == name)).one()
            key.expires_at = moment
            session.add(key)
            session.commit()
    finally:
        engine.dispose()


def stored_row(database_url: str, name: str) -> dict[str, Any]:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            row = connection.execute(
                text("SELECT * FROM api_key WHERE name = :name"), {"name": name}
            ).one()
    finally:
        engine.dispose()
    return dict(row._mapping)


# --- Who gets in --------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path", "body"), OPERATIONS, ids=OPERATION_IDS)
def test_without_a_key_every_operation_is_401_with_a_challenge(
    api: TestClient, method: str, path: str, body: Any
) -> None:
    response = call(api, method, path, body, None)
    problem = assert_problem(response, 401, "unauthorized")
    assert response.headers["www-authenticate"] == CHALLENGE
    assert "Bearer" in problem["detail"]


@pytest.mark.parametrize(
    "authorization", ["Basic dGVzdDp0ZXN0", "Token abc", "Bearer", "Bearer ", "wgw_"]
)
def test_another_scheme_or_no_credentials_is_401(api: TestClient, authorization: str) -> None:
    response = api.get("/keys", headers={"Authorization": authorization})
    assert_problem(response, 401, "unauthorized")
    assert response.headers["www-authenticate"] == CHALLENGE


@pytest.mark.parametrize(
    "token",
    [
        "not-a-key",
        "wgw_000000000000_" + "A" * 43,  # well-formed, unknown lookup
        "wgw_" + "0" * 11 + "_" + "A" * 43,  # lookup too short
        "wgw_000000000000_" + "A" * 44,  # secret too long
    ],
)
def test_an_unknown_or_malformed_key_is_401_invalid_token(api: TestClient, token: str) -> None:
    response = api.get("/keys", headers=bearer(token))
    problem = assert_problem(response, 401, "unauthorized")
    assert response.headers["www-authenticate"] == INVALID_TOKEN
    assert token not in response.text
    assert problem["detail"] == "The API key is not valid."


def test_a_known_lookup_with_a_wrong_secret_is_401(api: TestClient, auth: AuthHeaders) -> None:
    token = auth.admin["Authorization"].removeprefix("Bearer ")
    prefix, lookup, secret = token.split("_", 2)
    forged = f"{prefix}_{lookup}_{'B' if secret[0] != 'B' else 'C'}{secret[1:]}"
    response = api.get("/keys", headers=bearer(forged))
    problem = assert_problem(response, 401, "unauthorized")
    assert response.headers["www-authenticate"] == INVALID_TOKEN
    assert problem["detail"] == "The API key is not valid."
    assert secret[1:] not in response.text


def test_an_unknown_lookup_is_compared_as_long_as_a_known_one(
    api: TestClient, auth: AuthHeaders, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Timing must not tell whether a lookup exists: both paths compare a hash once."""
    calls: list[tuple[str, str]] = []
    compare = hmac.compare_digest

    def counted(a: Any, b: Any) -> bool:
        calls.append((a, b))
        return compare(a, b)

    monkeypatch.setattr(service.hmac, "compare_digest", counted)
    api.get("/keys", headers=bearer("wgw_000000000000_" + "A" * 43))
    api.get("/keys", headers=auth.admin)
    assert len(calls) == 2
    assert [len(a) for a, _ in calls] == [64, 64]
    assert [len(b) for _, b in calls] == [64, 64]


def test_an_expired_key_is_401(api: TestClient, auth: AuthHeaders, seeded_database: str) -> None:
    set_expiry(seeded_database, ADMIN_NAME, datetime.now(UTC) - timedelta(seconds=1))
    response = api.get("/keys", headers=auth.admin)
    problem = assert_problem(response, 401, "unauthorized")
    assert response.headers["www-authenticate"] == INVALID_TOKEN
    assert problem["detail"] == "The API key has expired."


def test_a_key_is_valid_until_it_expires(
    api: TestClient, auth: AuthHeaders, seeded_database: str
) -> None:
    set_expiry(seeded_database, ADMIN_NAME, datetime.now(UTC) + timedelta(minutes=5))
    assert api.get("/keys", headers=auth.admin).status_code == 200


def test_a_revoked_key_is_401(api: TestClient, auth: AuthHeaders, seeded_database: str) -> None:
    second_admin = bearer(create_key(seeded_database, "zweite-admin", ["admin"]))
    assert api.delete("/keys/zweite-admin", headers=auth.admin).status_code == 204
    response = api.get("/keys", headers=second_admin)
    problem = assert_problem(response, 401, "unauthorized")
    assert response.headers["www-authenticate"] == INVALID_TOKEN
    assert problem["detail"] == "The API key has been revoked."


@pytest.mark.parametrize(("method", "path", "body"), OPERATIONS, ids=OPERATION_IDS)
def test_a_write_key_may_not_manage_keys(
    api: TestClient, auth: AuthHeaders, method: str, path: str, body: Any
) -> None:
    response = call(api, method, path, body, auth.writer)
    problem = assert_problem(response, 403, "forbidden")
    assert "'admin'" in problem["detail"]
    assert WRITER_NAME in problem["detail"]
    assert "www-authenticate" not in response.headers


# --- What admins do -------------------------------------------------------------------------


def test_an_admin_creates_a_key_and_sees_its_secret_once(
    api: TestClient, auth: AuthHeaders
) -> None:
    response = api.post(
        "/keys",
        json={"name": "redaktion-leipzig", "scopes": ["write"], "expires_at": "2099-06-30"},
        headers=auth.admin,
    )
    assert response.status_code == 201, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert response.headers["location"] == "http://testserver/keys/redaktion-leipzig"
    assert body["url"] == response.headers["location"]
    assert body["name"] == "redaktion-leipzig"
    assert body["scopes"] == ["write"]
    assert body["state"] == "active"
    assert body["revoked_at"] is None
    # A date: valid through that day in UTC.
    assert datetime.fromisoformat(body["expires_at"]) == datetime(2099, 7, 1, tzinfo=UTC)
    assert body["secret"].startswith("wgw_")

    shown = api.get("/keys/redaktion-leipzig", headers=auth.admin)
    assert shown.status_code == 200
    assert shown.headers["cache-control"] == "no-store"
    assert "secret" not in shown.json()
    assert body["secret"] not in shown.text
    assert {k: v for k, v in body.items() if k != "secret"} == shown.json()


def test_a_new_admin_key_works_and_includes_write(api: TestClient, auth: AuthHeaders) -> None:
    created = api.post("/keys", json={"name": "chefin", "scopes": ["admin"]}, headers=auth.admin)
    assert created.status_code == 201
    assert created.json()["scopes"] == ["write", "admin"]
    assert created.json()["expires_at"] is None
    listing = api.get("/keys", headers=bearer(created.json()["secret"]))
    assert listing.status_code == 200


def test_names_may_hold_spaces_and_at_signs(api: TestClient, auth: AuthHeaders) -> None:
    name = "Anna Müller @ RAA.Sachsen"
    created = api.post("/keys", json={"name": name, "scopes": ["write"]}, headers=auth.admin)
    assert created.status_code == 201, created.text
    location = created.headers["location"]
    assert location == "http://testserver/keys/Anna%20M%C3%BCller%20@%20RAA.Sachsen"
    assert api.get(location, headers=auth.admin).json()["name"] == name


def test_the_list_shows_every_key_without_secrets(
    api: TestClient, auth: AuthHeaders, seeded_database: str
) -> None:
    secret = create_key(seeded_database, "alt", ["write"])
    api.delete("/keys/alt", headers=auth.admin)
    response = api.get("/keys", headers=auth.admin)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert set(body) == {"items", "total", "limit", "links"}
    assert body["total"] == 3
    states = {item["name"]: item["state"] for item in body["items"]}
    assert states == {"alt": "revoked", ADMIN_NAME: "active", WRITER_NAME: "active"}
    assert set(body["items"][0]) == {
        "name",
        "url",
        "scopes",
        "state",
        "created_at",
        "expires_at",
        "revoked_at",
    }
    for token in (secret, auth.admin["Authorization"], auth.writer["Authorization"]):
        assert token.removeprefix("Bearer ") not in response.text
    for column in ("secret_hash", "salt", "lookup"):
        assert stored_row(seeded_database, "alt")[column] not in response.text


def test_the_list_is_paged(api: TestClient, auth: AuthHeaders) -> None:
    first = api.get("/keys", params={"limit": 1}, headers=auth.admin).json()
    assert first["total"] == 2
    assert [item["name"] for item in first["items"]] == [ADMIN_NAME]
    second = api.get(first["links"]["next"], headers=auth.admin).json()
    assert [item["name"] for item in second["items"]] == [WRITER_NAME]
    assert second["links"]["next"] is None


def test_an_unknown_key_is_404(api: TestClient, auth: AuthHeaders) -> None:
    for method in ("GET", "DELETE"):
        response = api.request(method, "/keys/gibt-es-nicht", headers=auth.admin)
        problem = assert_problem(response, 404, "not-found")
        assert problem["detail"] == "No API key with name 'gibt-es-nicht'."


def test_revoking_a_key_stops_it_at_once_and_for_good(
    api: TestClient, auth: AuthHeaders, seeded_database: str
) -> None:
    response = api.delete(f"/keys/{WRITER_NAME}", headers=auth.admin)
    assert response.status_code == 204
    assert response.content == b""
    assert response.headers["cache-control"] == "no-store"
    shown = api.get(f"/keys/{WRITER_NAME}", headers=auth.admin).json()
    assert shown["state"] == "revoked"
    revoked_at = shown["revoked_at"]
    assert revoked_at is not None
    assert api.get("/keys", headers=auth.writer).status_code == 401

    again = api.delete(f"/keys/{WRITER_NAME}", headers=auth.admin)
    assert again.status_code == 204
    assert api.get(f"/keys/{WRITER_NAME}", headers=auth.admin).json()["revoked_at"] == revoked_at


def test_a_name_is_never_given_twice(api: TestClient, auth: AuthHeaders) -> None:
    api.delete(f"/keys/{WRITER_NAME}", headers=auth.admin)
    for name in (ADMIN_NAME, WRITER_NAME):  # active, and revoked
        response = api.post("/keys", json={"name": name, "scopes": ["write"]}, headers=auth.admin)
        problem = assert_problem(response, 409, "conflict")
        assert repr(name) in problem["detail"]
    assert api.get("/keys", headers=auth.admin).json()["total"] == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "", "scopes": ["write"]}, "name"),
        ({"name": " vorne", "scopes": ["write"]}, "name"),
        ({"name": "hinten ", "scopes": ["write"]}, "name"),
        ({"name": "a/b", "scopes": ["write"]}, "name"),
        ({"name": "..", "scopes": ["write"]}, "name"),
        ({"name": "x" * 101, "scopes": ["write"]}, "name"),
        ({"name": "ok", "scopes": []}, "scopes"),
        ({"name": "ok", "scopes": ["read"]}, "scopes"),
        ({"name": "ok"}, "scopes"),
        ({"name": "ok", "scopes": ["write"], "expires_at": "2020-01-01"}, "expires_at"),
        ({"name": "ok", "scopes": ["write"], "expires_at": "morgen"}, "expires_at"),
        ({"name": "ok", "scopes": ["write"], "expires_at": 4102444800}, "expires_at"),
        ({"name": "ok", "scopes": ["write"], "secret": "mine"}, "secret"),
    ],
)
def test_a_bad_body_is_422_naming_the_field(
    api: TestClient, auth: AuthHeaders, body: dict[str, Any], field: str
) -> None:
    response = api.post("/keys", json=body, headers=auth.admin)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    assert field in [param["name"] for param in response.json()["invalid_params"]]
    assert api.get("/keys", headers=auth.admin).json()["total"] == 2


def test_an_expiry_time_without_offset_is_utc(api: TestClient, auth: AuthHeaders) -> None:
    body = {"name": "kurz", "scopes": ["write"], "expires_at": "2099-01-01T12:00:00"}
    created = api.post("/keys", json=body, headers=auth.admin).json()
    assert datetime.fromisoformat(created["expires_at"]) == datetime(2099, 1, 1, 12, tzinfo=UTC)


# --- Secrets stay secret ----------------------------------------------------------------------


def test_only_a_salted_hash_of_the_secret_is_stored(
    api: TestClient, auth: AuthHeaders, seeded_database: str
) -> None:
    secrets = []
    for name in ("eins", "zwei"):
        created = api.post("/keys", json={"name": name, "scopes": ["write"]}, headers=auth.admin)
        secrets.append(created.json()["secret"])
    rows = [stored_row(seeded_database, name) for name in ("eins", "zwei")]
    for secret, row in zip(secrets, rows, strict=True):
        _, lookup, secret_part = secret.split("_", 2)
        assert row["lookup"] == lookup
        for value in row.values():
            assert secret_part not in str(value)
        assert len(row["secret_hash"]) == 64
        assert (
            row["secret_hash"]
            == hmac.new(bytes.fromhex(row["salt"]), secret_part.encode(), "sha256").hexdigest()
        )
    assert rows[0]["salt"] != rows[1]["salt"]


def test_secrets_are_not_logged(
    api: TestClient, auth: AuthHeaders, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    created = api.post("/keys", json={"name": "leise", "scopes": ["admin"]}, headers=auth.admin)
    secret = created.json()["secret"]
    api.get("/keys", headers=bearer(secret))
    api.get("/keys", headers=bearer(secret + "x"))
    for token in (secret, auth.admin["Authorization"].removeprefix("Bearer ")):
        assert token.split("_", 2)[2] not in caplog.text


# --- The OpenAPI description --------------------------------------------------------------------


def test_openapi_describes_the_bearer_scheme_and_what_each_operation_needs(
    api: TestClient,
) -> None:
    openapi = api.get("/openapi.json").json()
    scheme = openapi["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    assert "admin" in scheme["description"]
    for method, path in [
        ("post", "/keys"),
        ("get", "/keys"),
        ("get", "/keys/{name}"),
        ("delete", "/keys/{name}"),
    ]:
        operation = openapi["paths"][path][method]
        assert operation["tags"] == ["keys"]
        assert operation["security"] == [{"bearerAuth": []}]
        assert "scope `admin`" in operation["description"]
        responses = operation["responses"]
        for status in ("401", "403", "404", "422"):
            assert PROBLEM in responses[status]["content"], (method, path, status)
        assert "WWW-Authenticate" in responses["401"]["headers"]
    assert "409" in openapi["paths"]["/keys"]["post"]["responses"]
    created = openapi["paths"]["/keys"]["post"]["responses"]["201"]["content"]
    assert created["application/json"]["schema"] == {"$ref": "#/components/schemas/KeyCreated"}
    public = openapi["components"]["schemas"]["KeyPublic"]["properties"]
    assert "secret" not in public

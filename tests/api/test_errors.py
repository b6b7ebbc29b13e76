"""Every failure is an RFC 9457 problem document naming what went wrong.

These tests need no data: an unknown slug is unknown and a bad parameter is bad
in an empty directory too. Failures that depend on the seed (a slug that names
an organisation but no network, …) are tested with the resource they concern.
"""

import base64
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from app.config import Settings, get_settings
from app.main import create_app
from tests.conftest import Databases
from tests.databases import migrate

PROBLEM = "application/problem+json"
LISTS = ("/organisations", "/networks", "/regions", "/contacts")
FACETED_LISTS = ("/organisations", "/networks", "/contacts")
FILTERED_LISTS = ("/organisations", "/networks")


@pytest.fixture(scope="module")
def empty_client(databases: Databases) -> Iterator[TestClient]:
    """A client on a migrated database without data."""
    url = databases.create()
    migrate(url)
    with TestClient(create_app(Settings(database_url=url))) as client:
        yield client
    databases.drop(url)


def assert_problem(response: httpx.Response, status: int, problem_type: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].split(";")[0] == PROBLEM
    body = response.json()
    assert body["type"] == f"/problems/{problem_type}"
    assert body["status"] == status
    assert body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    assert body["instance"] == response.request.url.path
    return body


def assert_invalid(response: httpx.Response, name: str, location: str = "query") -> str:
    """A 422 naming the parameter `name`; returns the reason given for it."""
    body = assert_problem(response, 422, "invalid-parameter")
    named = [p for p in body["invalid_params"] if p["name"] == name]
    assert named, f"{name!r} is not named: {body['invalid_params']}"
    assert named[0]["location"] == location
    assert named[0]["reason"]
    assert name in body["detail"]
    return named[0]["reason"]


# --- 404 ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "key"),
    [
        ("/organisations/gibt-es-nicht", "gibt-es-nicht"),
        ("/networks/gibt-es-nicht", "gibt-es-nicht"),
        ("/regions/99999", "99999"),
        ("/regions/nirgendwo", "nirgendwo"),
        ("/contacts/987654", "987654"),
        ("/problems/no-such-problem", "no-such-problem"),
    ],
)
def test_unknown_identifier_is_a_404_problem(empty_client: TestClient, path: str, key: str) -> None:
    body = assert_problem(empty_client.get(path), 404, "not-found")
    assert key in body["detail"]
    assert "invalid_params" not in body


@pytest.mark.parametrize("path", ["/gibt-es-nicht", "/organisations/a/b", "/api/organisations"])
def test_unknown_path_is_a_404_problem(empty_client: TestClient, path: str) -> None:
    body = assert_problem(empty_client.get(path), 404, "not-found")
    assert path in body["detail"]


# --- 405 ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PUT", "/organisations"),
        ("POST", "/organisations/bon-courage"),
        ("POST", "/regions/14"),
        ("DELETE", "/contacts"),
        ("POST", "/"),
        ("DELETE", "/networks"),
        ("PATCH", "/changes"),
    ],
)
def test_wrong_method_is_a_405_problem(empty_client: TestClient, method: str, path: str) -> None:
    response = empty_client.request(method, path)
    assert_problem(response, 405, "method-not-allowed")
    allowed = {m.strip() for m in response.headers["allow"].split(",")}
    assert "GET" in allowed
    assert method not in allowed


# --- 422: bad parameters --------------------------------------------------------------------


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("limit", ["0", "-1", "201", "abc", "1.5", "", "+5", "05", "1_0", " 5"])
def test_limit_out_of_bounds_or_not_a_number(
    empty_client: TestClient, path: str, limit: str
) -> None:
    assert_invalid(empty_client.get(path, params={"limit": limit}), "limit")


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("limit", ["1", "200"])
def test_limit_bounds_are_inclusive(empty_client: TestClient, path: str, limit: str) -> None:
    response = empty_client.get(path, params={"limit": limit})
    assert response.status_code == 200
    assert response.json()["limit"] == int(limit)


@pytest.mark.parametrize("path", LISTS)
def test_unknown_kind(empty_client: TestClient, path: str) -> None:
    reason = assert_invalid(empty_client.get(path, params={"kind": "raumschiff"}), "kind")
    assert "raumschiff" in reason


def test_the_bad_one_of_a_repeated_parameter_is_named(empty_client: TestClient) -> None:
    response = empty_client.get("/organisations", params={"kind": ["network", "raumschiff"]})
    body = assert_problem(response, 422, "invalid-parameter")
    assert [p["name"] for p in body["invalid_params"]] == ["kind"]
    assert "raumschiff" in body["invalid_params"][0]["reason"]
    assert "'network'" in body["invalid_params"][0]["reason"]  # the allowed values are listed


def test_kind_that_is_no_network_kind_is_refused_by_networks(empty_client: TestClient) -> None:
    assert_invalid(empty_client.get("/networks", params={"kind": "association"}), "kind")


@pytest.mark.parametrize("path", FILTERED_LISTS)
@pytest.mark.parametrize(
    ("name", "value"),
    [("level", "galactic"), ("has_contact", "pigeon"), ("sort", "colour")],
)
def test_unknown_enumerated_value(
    empty_client: TestClient, path: str, name: str, value: str
) -> None:
    assert_invalid(empty_client.get(path, params={name: value}), name)


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor",
        "%%%",
        "eyJ9",  # base64 of a broken JSON document
        "WzEsMl0",  # base64 of a JSON list, not a cursor object
        "eyJzIjoibmFtZSIsImsiOlsiYSJdfQ",  # a cursor with too few sort values
        "eyJzIjoiLW5hbWUiLCJrIjpbImEiLDFdfQ",  # a cursor of another order (-name)
        "x" * 2001,  # longer than any cursor
    ],
)
def test_bad_cursor(empty_client: TestClient, path: str, cursor: str) -> None:
    assert_invalid(empty_client.get(path, params={"cursor": cursor}), "cursor")


def forged_cursor(sort: str, values: str) -> str:
    """A cursor as the API writes one, around `values` (JSON text)."""
    document = f'{{"s": "{sort}", "k": {values}}}'.encode()
    return base64.urlsafe_b64encode(document).decode().rstrip("=")


@pytest.mark.parametrize("path", ["/organisations", "/networks", "/regions"])
@pytest.mark.parametrize(
    "values",
    [
        '["a", "b"]',  # a string where the tie-breaking id goes
        '["a", true]',  # a boolean, which Python would take for an integer
        '["a", 1.5]',
        '["a", 2147483648]',  # more than an id column holds
        '["a", 100000000000000000000000]',
        '["a", 1e999]',
        '["a\\u0000", 1]',  # a NUL character, which PostgreSQL refuses
        '["\\ud800", 1]',  # a lone surrogate: valid JSON, but no text a database holds
        "[1, 1]",
        "[null, 1]",
    ],
)
def test_forged_cursor_values_are_refused(empty_client: TestClient, path: str, values: str) -> None:
    """Values of the wrong type must not reach the database, where they would be a 500."""
    response = empty_client.get(path, params={"cursor": forged_cursor("name", values)})
    assert_invalid(response, "cursor")


@pytest.mark.parametrize("path", ["/organisations", "/networks", "/contacts"])
@pytest.mark.parametrize(
    "moment",
    ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "2026-01-01T00:00:00+00:00"],
)
@pytest.mark.parametrize("sort", ["updated_at", "-updated_at"])
def test_cursor_times_beyond_utc_are_refused(
    empty_client: TestClient, path: str, moment: str, sort: str
) -> None:
    """Every cursor time is a UTC moment between the years 1 and 9999, as the API writes them."""
    cursor = forged_cursor(sort, f'["{moment}", 1]')
    response = empty_client.get(path, params={"cursor": cursor, "sort": sort})
    if moment.startswith("2026"):
        assert response.status_code == 200
    else:
        assert_invalid(response, "cursor")


@pytest.mark.parametrize("path", ["/organisations", "/contacts", "/search"])
@pytest.mark.parametrize("score", ["1" + "0" * 400, "-1" + "0" * 400, "1e999", '"1"'])
def test_forged_relevance_cursor_scores_are_refused(
    client: TestClient, path: str, score: str
) -> None:
    """A score too large for a float is as wrong as one of another type."""
    next_link = client.get(path, params={"q": "sachsen", "limit": 1}).json()["links"]["next"]
    cursor = httpx.URL(next_link).params["cursor"]
    real = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    values = "[" + ", ".join([score, *(json.dumps(v) for v in real["k"][1:])]) + "]"
    response = client.get(path, params={"q": "sachsen", "cursor": forged_cursor(real["s"], values)})
    assert_invalid(response, "cursor")


@pytest.mark.parametrize("values", ['["1"]', "[true]", "[1.5]", "[2147483648]"])
def test_forged_contact_cursor_values_are_refused(empty_client: TestClient, values: str) -> None:
    response = empty_client.get("/contacts", params={"cursor": forged_cursor("id", values)})
    assert_invalid(response, "cursor")


@pytest.mark.parametrize("path", ["/organisations", "/networks", "/contacts"])
def test_cursor_of_another_order_is_refused(empty_client: TestClient, path: str) -> None:
    """A cursor holds the sort it was made for; with another `sort` it would skip rows."""
    # {"s": "updated_at", "k": ["2026-01-01T00:00:00+00:00", 1]}
    cursor = "eyJzIjoidXBkYXRlZF9hdCIsImsiOlsiMjAyNi0wMS0wMVQwMDowMDowMCswMDowMCIsMV19"
    accepted = empty_client.get(path, params={"cursor": cursor, "sort": "updated_at"})
    assert accepted.status_code == 200
    assert_invalid(
        empty_client.get(path, params={"cursor": cursor, "sort": "-updated_at"}), "cursor"
    )


def deep_cursor(prefix: bytes, depth: int) -> str:
    return base64.urlsafe_b64encode(prefix + b"[" * depth).decode().rstrip("=")


@pytest.mark.parametrize("path", [*LISTS, "/search"])
@pytest.mark.parametrize(
    "cursor",
    [deep_cursor(b"", 1000), deep_cursor(b'{"s":"name","k":', 1400)],
    ids=["document", "sort-values"],
)
def test_deeply_nested_cursor_is_refused(empty_client: TestClient, path: str, cursor: str) -> None:
    """JSON nested deeper than the parser goes is a forged cursor too, not a 500."""
    params = {"cursor": cursor, **({"q": "sachsen"} if path == "/search" else {})}
    assert_invalid(empty_client.get(path, params=params), "cursor")


@pytest.mark.parametrize("path", FACETED_LISTS)
@pytest.mark.parametrize(
    "value",
    ["yesterday", "2026-13-01", "2026-01-01T25:00:00", "1e9x", "0", "-1", "99999999999", "1.5e9"],
)
def test_bad_updated_since(empty_client: TestClient, path: str, value: str) -> None:
    assert_invalid(empty_client.get(path, params={"updated_since": value}), "updated_since")


@pytest.mark.parametrize("path", FACETED_LISTS)
@pytest.mark.parametrize(
    "value", ["2026-01-01", "2026-01-01T00:00:00Z", "2026-01-01T01:00:00+01:00"]
)
def test_good_updated_since(empty_client: TestClient, path: str, value: str) -> None:
    assert empty_client.get(path, params={"updated_since": value}).status_code == 200


@pytest.mark.parametrize("path", FACETED_LISTS)
@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
def test_updated_since_beyond_utc(empty_client: TestClient, path: str, value: str) -> None:
    """A moment UTC cannot hold is named, not a 500."""
    reason = assert_invalid(
        empty_client.get(path, params={"updated_since": value}), "updated_since"
    )
    assert "UTC" in reason


@pytest.mark.parametrize("path", FILTERED_LISTS)
@pytest.mark.parametrize("facets", ["colour", "kind,colour", "kind,,colour", "KIND"])
def test_unknown_facet(empty_client: TestClient, path: str, facets: str) -> None:
    reason = assert_invalid(empty_client.get(path, params={"facets": facets}), "facets")
    assert "colour" in reason or "KIND" in reason
    assert "kind" in reason  # the allowed facets are listed


def test_contacts_only_count_kinds(empty_client: TestClient) -> None:
    assert empty_client.get("/contacts", params={"facets": "kind"}).status_code == 200
    assert_invalid(empty_client.get("/contacts", params={"facets": "region"}), "facets")


@pytest.mark.parametrize("path", FILTERED_LISTS)
def test_relevance_needs_a_search_text(empty_client: TestClient, path: str) -> None:
    reason = assert_invalid(empty_client.get(path, params={"sort": "relevance"}), "sort")
    assert "q" in reason


@pytest.mark.parametrize("path", [*FILTERED_LISTS, "/contacts"])
@pytest.mark.parametrize("name", ["region", "network", "related_to"])
def test_filter_naming_nothing_is_a_422_not_an_empty_list(
    empty_client: TestClient, path: str, name: str
) -> None:
    reason = assert_invalid(empty_client.get(path, params={name: "gibt-es-nicht"}), name)
    assert "gibt-es-nicht" in reason


@pytest.mark.parametrize("path", [*FILTERED_LISTS, "/contacts"])
def test_network_filter_naming_no_network_is_a_422(client: TestClient, path: str) -> None:
    """An association has no members; `network=bon-courage` is a mistake, not an empty list."""
    reason = assert_invalid(client.get(path, params={"network": "bon-courage"}), "network")
    assert "bon-courage" in reason and "association" in reason
    assert client.get(path, params={"network": "asyl-konferenz"}).status_code == 200


REPEATABLE_FILTERS = [
    *((path, name) for path in FILTERED_LISTS for name in ("region", "topic", "network")),
    *((path, "related_to") for path in FILTERED_LISTS),
    *(("/contacts", name) for name in ("region", "network", "related_to", "organisation")),
]


@pytest.mark.parametrize(("path", "name"), REPEATABLE_FILTERS)
@pytest.mark.parametrize("values", [["x" * 121], ["14", "x" * 121], [""]])
def test_filter_value_too_long_or_empty(
    empty_client: TestClient, path: str, name: str, values: list[str]
) -> None:
    """Each value of a repeated filter is checked on its own: 1 to 120 characters."""
    response = empty_client.get(path, params={name: values})
    reason = assert_invalid(response, name)
    assert ("120" in reason) if values[-1] else ("1" in reason)
    assert [p["name"] for p in response.json()["invalid_params"]] == [name]


@pytest.mark.parametrize("path", FACETED_LISTS)
def test_errors_quote_an_overlong_value_cut_short(empty_client: TestClient, path: str) -> None:
    response = empty_client.get(path, params={"region": ["14", "x" * 60_000]})
    reason = assert_invalid(response, "region")
    assert reason.startswith("'" + "x" * 119 + "…")
    assert len(response.content) < 1000


@pytest.mark.parametrize(("path", "name"), REPEATABLE_FILTERS)
def test_filter_repeated_more_than_fifty_times(
    empty_client: TestClient, path: str, name: str
) -> None:
    reason = assert_invalid(empty_client.get(path, params={name: ["x"] * 51}), name)
    assert "50" in reason


@pytest.mark.parametrize("path", FILTERED_LISTS)
def test_filter_values_of_120_characters_fifty_times_are_accepted(
    empty_client: TestClient, path: str
) -> None:
    response = empty_client.get(path, params={"topic": ["x" * 120] * 50})
    assert response.status_code == 200, response.text
    assert response.json()["total"] == 0


def test_repeat_limit_is_documented(empty_client: TestClient) -> None:
    parameters = {
        (path, parameter["name"]): parameter
        for path, item in empty_client.get("/openapi.json").json()["paths"].items()
        for parameter in item.get("get", {}).get("parameters", [])
    }
    for path, name in REPEATABLE_FILTERS:
        parameter = parameters[(path, name)]
        assert parameter["schema"]["maxItems"] == 50, (path, name)
        assert parameter["schema"]["items"] == {"type": "string", "minLength": 1, "maxLength": 120}
        assert "50 times" in parameter["description"], (path, name)


def test_limit_bounds_are_documented(empty_client: TestClient) -> None:
    for path, item in empty_client.get("/openapi.json").json()["paths"].items():
        for parameter in item.get("get", {}).get("parameters", []):
            if parameter["name"] == "limit":
                (schema,) = (s for s in parameter["schema"]["anyOf"] if s["type"] == "integer")
                bounds = (schema["minimum"], schema["maximum"])
                assert bounds == (1, get_settings().page_size_max), path


def test_a_larger_configured_limit_is_accepted(databases: Databases) -> None:
    """The documented maximum is the default one; each app checks against its own."""
    url = databases.create()
    try:
        migrate(url)
        settings = Settings(database_url=url, page_size_max=500)
        with TestClient(create_app(settings)) as client:
            for path in LISTS:
                assert client.get(path, params={"limit": 500}).json()["limit"] == 500, path
            assert_invalid(client.get("/organisations", params={"limit": 501}), "limit")
    finally:
        databases.drop(url)


def test_unknown_organisation_filter_on_contacts(empty_client: TestClient) -> None:
    assert_invalid(
        empty_client.get("/contacts", params={"organisation": "gibt-es-nicht"}), "organisation"
    )


@pytest.mark.parametrize("parent", ["99999", ""])
def test_unknown_parent_region(empty_client: TestClient, parent: str) -> None:
    assert_invalid(empty_client.get("/regions", params={"parent": parent}), "parent")


@pytest.mark.parametrize("path", [*LISTS])
def test_empty_search_text_is_refused(empty_client: TestClient, path: str) -> None:
    assert_invalid(empty_client.get(path, params={"q": ""}), "q")


@pytest.mark.parametrize(
    "contact_id",
    ["abc", "0", "-3", "1.5", str(2**31), str(2**63), "01", "+1", "1_0", "1.0", "%201"],
)
def test_malformed_contact_id(empty_client: TestClient, contact_id: str) -> None:
    assert_invalid(empty_client.get(f"/contacts/{contact_id}"), "contact_id", location="path")


def test_every_bad_parameter_is_named_at_once(empty_client: TestClient) -> None:
    response = empty_client.get(
        "/organisations", params={"limit": "0", "level": "galactic", "updated_since": "never"}
    )
    body = assert_problem(response, 422, "invalid-parameter")
    assert {p["name"] for p in body["invalid_params"]} == {"limit", "level", "updated_since"}


TEXT_PARAMETERS = [
    ("/organisations", name) for name in ("q", "region", "topic", "network", "related_to")
] + [
    ("/networks", "region"),
    ("/contacts", "organisation"),
    ("/contacts", "region"),
    ("/contacts", "network"),
    ("/contacts", "related_to"),
    ("/regions", "parent"),
    ("/search", "q"),
]


@pytest.mark.parametrize(("path", "name"), TEXT_PARAMETERS)
@pytest.mark.parametrize("value", ["\x00", "Leip\x00zig"])
def test_a_nul_character_in_a_parameter_is_named(
    empty_client: TestClient, path: str, name: str, value: str
) -> None:
    """PostgreSQL refuses NUL in text; the client's mistake must not become a 500."""
    assert "NUL" in assert_invalid(empty_client.get(path, params={name: value}), name)


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/organisations/bon%00courage", "slug"),
        ("/networks/%00", "slug"),
        ("/regions/146%0026", "code"),
    ],
)
def test_a_nul_character_in_the_path_is_named(
    empty_client: TestClient, path: str, name: str
) -> None:
    assert "NUL" in assert_invalid(empty_client.get(path), name, location="path")


# --- Problem types are documented -----------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/organisations/gibt-es-nicht"),
        ("GET", "/organisations?limit=0"),
        ("GET", "/organisations?cursor=kaputt"),
        ("POST", "/organisations"),
        ("GET", "/nirgendwo"),
    ],
)
def test_problem_type_dereferences(empty_client: TestClient, method: str, path: str) -> None:
    problem_type = empty_client.request(method, path).json()["type"]
    response = empty_client.get(problem_type)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["type"] == problem_type
    assert len(body["description"]) > 20

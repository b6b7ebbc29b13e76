"""The read models against the contract: every GET answers what its OpenAPI model says,
and costs the same number of statements however many items or relations it shows.

Responses are serialised from read models straight to bytes (app.reading), not
through the response models FastAPI documents; so each documented model is checked
here against real answers: validated, and serialised again by pydantic to the very
same bytes (same fields, order, formats and nothing extra).
"""

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import TypeAdapter
from sqlalchemy import event

from app.config import Settings
from app.main import create_app
from tests.auth import auth_headers

# Concrete URLs for every GET route of the API, by its path template.
SAMPLES: dict[str, list[str]] = {
    "/": ["/"],
    "/organisations": [
        "/organisations?limit=200",
        "/organisations?facets=kind,level,region,topic&limit=5",
        "/organisations?q=beratung",
    ],
    "/organisations/{slug}": ["/organisations/bon-courage", "/organisations/iq-netzwerk-sachsen"],
    "/organisations/{slug}/history": ["/organisations/bon-courage/history"],
    "/networks": ["/networks?limit=200", "/networks?facets=kind,region"],
    "/networks/{slug}": ["/networks/iq-netzwerk-sachsen", "/networks/asyl-konferenz"],
    "/regions": ["/regions?limit=200", "/regions?q=leipzig"],
    "/regions/{code}": ["/regions/14", "/regions/14626", "/regions/leipzig"],
    "/regions/{code}/history": ["/regions/14626/history"],
    "/contacts": ["/contacts?limit=200", "/contacts?facets=kind&q=leipzig"],
    "/contacts/{contact_id}": ["/contacts/1", "/contacts/2"],
    "/contacts/{contact_id}/history": ["/contacts/1/history"],
    "/relations": ["/relations?limit=200", "/relations?organisation=bon-courage"],
    "/relations/{relation_id}": ["/relations/1"],
    "/relations/{relation_id}/history": ["/relations/1/history"],
    "/search": ["/search?q=beratung&limit=200", "/search?q=leipzig&type=region"],
    "/changes": ["/changes?limit=200"],
    "/keys": ["/keys?limit=200"],
    "/keys/{name}": ["/keys/test-writer"],
    "/problems/{name}": ["/problems/not-found"],
}

# Lists whose statements must not grow with the page: each asked for 1 and for 200 items.
LISTS = [
    "/organisations",
    "/organisations?facets=kind,level,region,topic",
    "/organisations?q=beratung",
    "/organisations?region=14",
    "/networks",
    "/networks?facets=kind,region",
    "/regions",
    "/contacts",
    "/contacts?facets=kind",
    "/relations",
    "/changes",
    "/keys",
]

# Records whose statements must not depend on what they show: pairs that show more and less.
DETAILS = [
    ("/organisations/bon-courage", "/organisations/iq-netzwerk-sachsen"),
    ("/networks/asyl-konferenz", "/networks/iq-netzwerk-sachsen"),
    ("/regions/14626", "/regions/14"),
    ("/contacts/1", "/contacts/2"),
    ("/relations/1", "/relations/2"),
]


def get_routes(app: FastAPI) -> dict[str, APIRoute]:
    routes: dict[str, APIRoute] = {}
    for included in app.routes:
        router = getattr(included, "original_router", None)
        for route in getattr(router, "routes", []):
            if isinstance(route, APIRoute) and "GET" in route.methods:
                routes[route.path] = route
    return routes


@pytest.fixture
def uncached(seeded_database: str) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """A client whose every request runs the application, and an admin key's headers."""
    admin = auth_headers(seeded_database).admin
    app = create_app(Settings(database_url=seeded_database, response_cache_bytes=0))
    with TestClient(app, headers=admin) as client:
        yield client, admin


def test_every_read_is_sampled(uncached: tuple[TestClient, dict[str, str]]) -> None:
    client, _ = uncached
    assert set(get_routes(client.app)) == set(SAMPLES)  # type: ignore[arg-type]


def test_every_answer_is_exactly_its_documented_model(
    uncached: tuple[TestClient, dict[str, str]],
) -> None:
    client, _ = uncached
    routes = get_routes(client.app)  # type: ignore[arg-type]
    checked = 0
    for template, urls in SAMPLES.items():
        model = TypeAdapter(routes[template].response_model)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            document = model.validate_json(response.content)
            assert model.dump_json(document) == response.content, url
            checked += 1
    assert checked == sum(len(urls) for urls in SAMPLES.values())


def statements(client: TestClient, path: str) -> tuple[int, bytes]:
    """How many statements a request runs with nothing remembered yet, and its body."""
    client.app.state.reader.memo.clear()  # type: ignore[attr-defined]
    count = 0

    def counted(*_: object) -> None:
        nonlocal count
        count += 1

    engine = client.app.state.engine  # type: ignore[attr-defined]
    event.listen(engine, "before_cursor_execute", counted)
    try:
        response = client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", counted)
    assert response.status_code == 200, path
    return count, response.content


@pytest.mark.parametrize("path", LISTS)
def test_a_page_costs_the_same_statements_whatever_its_size(
    uncached: tuple[TestClient, dict[str, str]], path: str
) -> None:
    client, _ = uncached
    joiner = "&" if "?" in path else "?"
    one, one_body = statements(client, f"{path}{joiner}limit=1")
    many, many_body = statements(client, f"{path}{joiner}limit=200")
    assert len(many_body) > len(one_body)  # the larger page does show more
    assert one == many


@pytest.mark.parametrize(("one", "other"), DETAILS)
def test_a_record_costs_the_same_statements_whatever_it_shows(
    uncached: tuple[TestClient, dict[str, str]], one: str, other: str
) -> None:
    client, _ = uncached
    one_count, one_body = statements(client, one)
    other_count, other_body = statements(client, other)
    assert len(one_body) != len(other_body)  # they do show different amounts
    assert one_count == other_count


def test_a_remembered_count_spares_the_counting(
    uncached: tuple[TestClient, dict[str, str]],
) -> None:
    """The second page of a filter counts nothing again while the directory is unchanged."""
    client, _ = uncached
    first, _ = statements(client, "/organisations?limit=1")
    engine = client.app.state.engine  # type: ignore[attr-defined]
    count = 0

    def counted(*_: object) -> None:
        nonlocal count
        count += 1

    event.listen(engine, "before_cursor_execute", counted)
    try:
        assert client.get("/organisations?limit=2").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", counted)
    assert count == first - 1

"""The read models against the contract: every GET answers what its OpenAPI model says,
and costs the same number of statements however many items or relations it shows.

Responses are serialised from read models straight to bytes (app.reading), not
through the response models FastAPI documents; so each documented model is checked
here against real answers: validated, and serialised again by pydantic to the very
same bytes (same fields, order, formats and nothing extra).
"""

from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import TypeAdapter
from sqlalchemy import event, text

from app import pagination
from app.config import Settings
from app.main import create_app
from app.organisations import service
from tests.api.editor import Editor
from tests.auth import auth_headers

# Concrete URLs for every GET route of the API, by its path template.
SAMPLES: dict[str, list[str]] = {
    "/": ["/"],
    "/organisations": [
        "/organisations?limit=200",
        "/organisations?facets=kind,level,region,topic&limit=5",
        "/organisations?q=beratung",
        "/organisations?offer=legal-advice&facets=offer,target_group,access",
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
    "/help": ["/help?place=freital", "/help?place=14713&offer=legal-advice&lang=ar"],
    "/vocabularies": ["/vocabularies", "/vocabularies?lang=fa"],
    "/vocabularies/{scheme}": ["/vocabularies/offers", "/vocabularies/target-groups?lang=ar"],
    "/vocabularies/{scheme}/{concept}": ["/vocabularies/offers/legal-advice?lang=uk"],
    "/keys": ["/keys?limit=200"],
    "/keys/{name}": ["/keys/test-writer"],
    "/problems/{name}": ["/problems/not-found"],
    # HSDS objects: their contract is the official schemas, which test_hsds checks.
    "/hsds/": ["/hsds/"],
    "/hsds/profile": ["/hsds/profile"],
    "/hsds/profile/openapi.json": ["/hsds/profile/openapi.json"],
    "/hsds/profile/patches/{name}": ["/hsds/profile/patches/organization.json"],
    "/hsds/profile/schema/{name}": ["/hsds/profile/schema/service.json"],
    "/hsds/organizations": ["/hsds/organizations?per_page=200", "/hsds/organizations?full=true"],
    "/hsds/organizations/{id}": ["/hsds/organizations/e5f10403-cd3e-55e6-874a-93eb8dec5e27"],
    "/hsds/services": ["/hsds/services?per_page=200", "/hsds/services?minimal=true"],
    "/hsds/services/{id}": ["/hsds/services/6291a827-74cc-579d-9770-6895dffe2fd2"],
    "/hsds/service_at_locations": ["/hsds/service_at_locations"],
    "/hsds/taxonomies": ["/hsds/taxonomies"],
    "/hsds/taxonomies/{id}": ["/hsds/taxonomies/d1df1ebb-42dc-58da-9374-ff0a0b1042e4"],
    "/hsds/taxonomy_terms": ["/hsds/taxonomy_terms?per_page=200"],
    "/hsds/taxonomy_terms/{id}": ["/hsds/taxonomy_terms/f3e3ef45-f022-51ae-bc28-3a7293f2561d"],
}
# Reads that answer no JSON read model, and where they are checked instead.
CHECKED_ELSEWHERE = {
    "/export": "a file, checked against its JSON Schema and read back in test_exchange",
    "/organisations/{slug}/contacts.vcf": "vCard, parsed back in test_formats",
    "/hsds/service_at_locations/{id}": "no locations yet: every id is a 404 (test_hsds)",
}

# Lists whose statements must not grow with the page: each asked for 1 and for 200 items.
LISTS = [
    "/organisations",
    "/organisations?facets=kind,level,region,topic",
    "/organisations?q=beratung",
    "/organisations?region=14",
    "/organisations?facets=offer,target_group,access&target_group=refugees",
    "/networks",
    "/networks?facets=kind,region",
    "/regions",
    "/contacts",
    "/contacts?facets=kind",
    "/relations",
    "/search?q=leipzig",
    "/search?q=e",
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
    ("/help?place=14&per_group=100", "/help?place=freital&offer=language-courses"),
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
    sampled = set(SAMPLES) | set(CHECKED_ELSEWHERE)
    assert set(get_routes(client.app)) == sampled  # type: ignore[arg-type]


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
    client.app.state.reader.records.clear()  # type: ignore[attr-defined]
    seen, body = run_counting(client, path)
    return len(seen), body


def statements_run(client: TestClient, path: str) -> list[str]:
    """The statements a request runs, with what is remembered kept."""
    return run_counting(client, path)[0]


def run_counting(client: TestClient, path: str) -> tuple[list[str], bytes]:
    """The statements a GET of `path` runs on the readers' engine, and its body."""
    engine = client.app.state.reader.read_engine  # type: ignore[attr-defined]
    seen: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        response = client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert response.status_code == 200, path
    return seen, response.content


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


def test_a_filter_is_counted_and_ordered_once_per_revision(
    uncached: tuple[TestClient, dict[str, str]],
) -> None:
    """The next page of a filter neither counts nor orders its matches again while the
    directory is unchanged; after a write it does."""
    client, admin = uncached

    def statements_of(path: str) -> list[str]:
        return statements_run(client, path)

    def counting(statements: list[str]) -> list[str]:
        return [s for s in statements if "count(" in s.lower()]

    first = client.get("/organisations?region=14&limit=2").json()
    assert first["total"] > 2
    assert counting(statements_of("/organisations?region=14&limit=3")) == []
    following = statements_of(first["links"]["next"].removeprefix("http://testserver"))
    assert counting(following) == []
    assert len([s for s in following if "ORDER BY" in s]) <= 2  # topics and regions only

    tag = client.get("/organisations/bon-courage").headers["etag"]
    changed = client.patch(
        "/organisations/bon-courage",
        json={"short_name": "BC"},
        headers={**admin, "If-Match": tag, "Content-Type": "application/merge-patch+json"},
    )
    assert changed.status_code == 200, changed.text
    assert counting(statements_of("/organisations?region=14&limit=3")) != []


def test_a_search_is_ranked_once_per_revision(
    uncached: tuple[TestClient, dict[str, str]],
) -> None:
    """The same search page at the same revision is not ranked again; after a write it
    is, and a better match written shows at once."""
    client, admin = uncached
    path = "/search?q=beratung&limit=3"
    before = client.get(path).json()
    ranking = [s for s in statements_run(client, path) if "bm25" in s or "ts_rank" in s]
    assert ranking == []

    created = client.post(
        "/organisations", json={"name": "Beratung", "kind": "association"}, headers=admin
    )
    assert created.status_code == 201, created.text
    after = client.get(path).json()
    assert after["total"] == before["total"] + 1
    assert after["items"][0]["slug"] == created.json()["slug"]
    assert after["items"][1:] == before["items"][:2]


def test_without_the_memo_every_read_asks_the_database(seeded_database: str) -> None:
    app = create_app(
        Settings(database_url=seeded_database, response_cache_bytes=0, read_memo=False)
    )
    with TestClient(app) as client:
        for path in ("/organisations/bon-courage", "/organisations?region=14", "/search?q=asyl"):
            first = statements_run(client, path)
            assert statements_run(client, path) == first != []


def test_what_another_process_changed_is_read_at_once(
    seeded_database: str, client_for: Callable[[str], TestClient]
) -> None:
    """Read models are kept per revision: a write by another process (its own app, its own
    memory) shows on the next read, in the records that embed what changed too."""
    writer = Editor.on(seeded_database, client_for)
    reader = client_for(seeded_database)
    related = "/organisations/bon-courage"
    (relation,) = [
        r
        for r in reader.get(related).json()["relations"]
        if r["organisation"]["slug"] == "runder-tisch-migration-landkreis-leipzig"
    ]
    listed = reader.get("/organisations?q=Bon+Courage").json()["items"]
    assert [o["name"] for o in listed if o["slug"] == "bon-courage"] == ["Bon Courage e.V."]
    before = reader.get(related).json()

    changed = writer.patch(
        "/organisations/runder-tisch-migration-landkreis-leipzig", {"name": "Runder Tisch Neu"}
    )
    assert changed.status_code == 200, changed.text
    renamed = writer.patch(related, {"name": "Bon Courage Neu e.V."})
    assert renamed.status_code == 200, renamed.text

    after = reader.get(related).json()
    assert after["version"] > before["version"]
    assert after["name"] == "Bon Courage Neu e.V."
    (relation,) = [r for r in after["relations"] if r["id"] == relation["id"]]
    assert relation["organisation"]["name"] == "Runder Tisch Neu"
    listed = reader.get("/organisations?q=Bon+Courage").json()["items"]
    assert [o["name"] for o in listed if o["slug"] == "bon-courage"] == ["Bon Courage Neu e.V."]


@pytest.mark.parametrize(
    "path",
    [
        "/organisations?limit=7",
        "/organisations?limit=7&sort=-name",
        "/organisations?limit=7&sort=-updated_at",
        "/organisations?limit=7&region=14626",
        "/organisations?limit=7&q=beratung",
        "/networks?limit=2&kind=network",
    ],
)
def test_remembered_orders_page_like_the_query(
    uncached: tuple[TestClient, dict[str, str]], monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    """Pages from a remembered order (app.pagination) are the pages the query gives."""
    client, _ = uncached

    def walk() -> list[tuple[str, int]]:
        pages: list[tuple[str, int]] = []
        url: str | None = path
        while url:
            page = client.get(url).json()
            pages += [(item["slug"], page["total"]) for item in page["items"]]
            url = page["links"]["next"]
            url = url.removeprefix("http://testserver") if url else None
        return pages

    remembered = walk()
    monkeypatch.setattr(pagination, "REMEMBERED_ORDER_ROWS", 0)
    client.app.state.reader.memo.clear()  # type: ignore[attr-defined]
    assert walk() == remembered
    assert len(remembered) == remembered[0][1] > 2


def test_a_page_after_a_write_follows_its_cursor(
    seeded_database: str, client_for: Callable[[str], TestClient]
) -> None:
    """The row a cursor names may be gone from the remembered order of the next revision:
    the page after it is then found by the query, as it would have been without the memo."""
    editor = Editor.on(seeded_database, client_for)
    first = editor.json("/organisations?region=14&limit=3")
    last = first["items"][-1]["slug"]
    assert editor.delete(f"/organisations/{last}?cascade=relations").status_code == 204
    following = editor.json(first["links"]["next"].removeprefix("http://testserver"))
    rest = [o["slug"] for o in editor.json("/organisations?region=14&limit=200")["items"]]
    assert [o["slug"] for o in following["items"]] == rest[2:5]
    assert following["total"] == first["total"] - 1


def test_a_read_outlives_the_server_closing_its_connections(
    uncached: tuple[TestClient, dict[str, str]],
) -> None:
    """Reads take pooled connections without a round trip to test them (app.db.read_engine):
    when the server has closed them (a restart, an idle timeout), the read runs again on a
    new one instead of failing."""
    client, _ = uncached
    reader = client.app.state.reader  # type: ignore[attr-defined]
    if reader.read_engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no server to close connections")
    paths = ["/organisations/bon-courage", "/organisations?region=14&limit=3", "/search?q=asyl"]
    before = [client.get(path).content for path in paths]
    # Several connections in the pool, as under load; the server closes every one of them.
    held = [reader.read_engine.connect() for _ in range(3)]
    pooled = [c.execute(text("SELECT pg_backend_pid()")).scalar_one() for c in held]
    for connection in held:
        connection.close()
    with reader.engine.connect() as connection:
        for pid in pooled:
            closed = connection.execute(
                text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}
            ).scalar_one()
            assert closed
    client.app.state.reader.memo.clear()  # type: ignore[attr-defined]
    for path, body in zip(paths, before, strict=True):
        response = client.get(path)
        assert response.status_code == 200, response.text
        assert response.content == body


def test_pages_past_the_end_count_against_the_memo_bound(
    uncached: tuple[TestClient, dict[str, str]],
) -> None:
    """Every kept page weighs something, empty ones too: a client walking forged cursors
    past the end cannot grow the memo beyond its bound."""
    client, _ = uncached
    memo = client.app.state.reader.memo  # type: ignore[attr-defined]
    memo.clear()
    memo.max_weight = 40
    order = service.sort_key(service.OrganisationSort.name, service.OrganisationFilters())
    for i in range(100):
        cursor = pagination.encode_cursor(order, [f"zzz {i}", 10**6 + i])
        response = client.get("/organisations", params={"cursor": cursor, "limit": 5})
        assert response.status_code == 200, response.text
        assert response.json()["items"] == []
    assert memo.weight <= 40
    assert len(memo) <= 40


@pytest.mark.parametrize("path", ["/contacts", "/networks", "/regions"])
def test_a_streamed_list_is_not_kept_page_by_page(
    uncached: tuple[TestClient, dict[str, str]], path: str
) -> None:
    """A CSV stream reads the whole list once: kept, its pages would push out what reads
    remember for everyone else. The pages a client asks for are kept."""
    client, _ = uncached
    memo = client.app.state.reader.memo  # type: ignore[attr-defined]
    memo.clear()
    streamed = client.get(path, headers={"Accept": "text/csv"})
    assert streamed.status_code == 200, streamed.text
    assert len(streamed.text.splitlines()) > 2
    assert not any(str(key[0]).endswith(" page") for key in memo._entries)
    assert client.get(path, params={"limit": 5}).status_code == 200
    assert any(str(key[0]).endswith(" page") for key in memo._entries)

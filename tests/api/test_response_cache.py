"""Responses kept in memory: answered again while the data is unchanged, never after a write."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from app.config import Settings
from app.db import make_engine
from app.main import create_app
from app.response_cache import ENTRY_OVERHEAD, Representation, ResponseStore

PLAIN = {"Accept-Encoding": "identity"}
GZIP = {"Accept-Encoding": "gzip"}
DETAIL = "/organisations/bon-courage"


@pytest.fixture
def engine(seeded_database: str) -> Iterator[Engine]:
    """A second connection to the client's database, as another process or tool would write."""
    engine = make_engine(seeded_database)
    yield engine
    engine.dispose()


def rename(engine: Engine, slug: str, name: str) -> None:
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE organisation SET name = :name WHERE slug = :slug"),
            {"name": name, "slug": slug},
        )


def drop_revision_trigger(engine: Engine) -> None:
    """Let a write to `organisation` go unnoticed, to see what the store answers."""
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.execute(text("DROP TRIGGER revision_organisation_update"))
        else:
            connection.execute(text("DROP TRIGGER revision_organisation ON organisation"))


def test_a_write_by_another_connection_is_seen_by_the_next_request(
    writable_client: TestClient, engine: Engine
) -> None:
    assert writable_client.get(DETAIL).json()["name"] == "Bon Courage e.V."
    assert writable_client.get(DETAIL).json()["name"] == "Bon Courage e.V."
    rename(engine, "bon-courage", "Bon Courage (umbenannt)")
    assert writable_client.get(DETAIL).json()["name"] == "Bon Courage (umbenannt)"
    listed = writable_client.get("/organisations", params={"q": "Bon Courage"}).json()["items"]
    assert [o["name"] for o in listed] == ["Bon Courage (umbenannt)"]


def test_an_unchanged_revision_is_answered_from_the_store(
    writable_client: TestClient, engine: Engine
) -> None:
    first = writable_client.get(DETAIL, headers=PLAIN)
    drop_revision_trigger(engine)
    rename(engine, "bon-courage", "Unbemerkt")
    again = writable_client.get(DETAIL, headers=PLAIN)
    assert again.content == first.content
    assert again.headers["etag"] == first.headers["etag"]


def test_stored_responses_keep_both_codings_and_their_tags(writable_client: TestClient) -> None:
    path = "/organisations?limit=50"
    plain = writable_client.get(path, headers=PLAIN)
    zipped = writable_client.get(path, headers=GZIP)
    # Both answered again, now from the store.
    plain_again = writable_client.get(path, headers=PLAIN)
    raw = writable_client.get(path, headers=GZIP)
    assert plain_again.content == plain.content
    assert "content-encoding" not in plain_again.headers
    assert raw.headers["content-encoding"] == "gzip"
    assert raw.headers["etag"] == zipped.headers["etag"] == plain.headers["etag"][:-1] + '-gzip"'
    assert raw.content == plain.content  # httpx decodes the gzip body
    assert int(raw.headers["content-length"]) < len(plain.content)
    assert raw.headers["vary"] == "Accept-Encoding"


def test_a_stored_response_answers_if_none_match_and_head(writable_client: TestClient) -> None:
    first = writable_client.get(DETAIL, headers=GZIP)
    tag = first.headers["etag"]
    not_modified = writable_client.get(DETAIL, headers={**GZIP, "If-None-Match": tag})
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert not_modified.headers["etag"] == tag
    head = writable_client.head(DETAIL, headers=GZIP)
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["etag"] == tag
    assert head.headers["content-length"] == first.headers["content-length"]


def test_links_follow_the_host_of_each_request(writable_client: TestClient) -> None:
    for host in ("wegweiser.example", "intranet.example:8080", "wegweiser.example"):
        body = writable_client.get("/organisations?limit=1", headers={"Host": host}).json()
        assert body["links"]["self"].startswith(f"http://{host}/organisations")
        assert body["items"][0]["url"].startswith(f"http://{host}/")


def test_requests_with_credentials_are_neither_stored_nor_answered_from_the_store(
    writable_client: TestClient, engine: Engine
) -> None:
    store: ResponseStore = writable_client.app.state.response_store  # type: ignore[attr-defined]
    writable_client.get(DETAIL)
    drop_revision_trigger(engine)
    rename(engine, "bon-courage", "Nur mit Anmeldung sichtbar")
    stored = len(store)
    answered = writable_client.get(DETAIL, headers={"Authorization": "Bearer x"})
    assert answered.json()["name"] == "Nur mit Anmeldung sichtbar"
    writable_client.get("/regions", headers={"Authorization": "Bearer x"})
    assert len(store) == stored


def test_errors_are_not_stored(writable_client: TestClient, engine: Engine) -> None:
    assert writable_client.get("/organisations/neu-hier").status_code == 404
    drop_revision_trigger(engine)
    rename(engine, "bon-courage", "Bon Courage e.V.")  # no-op, unnoticed
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE organisation SET slug = 'neu-hier' WHERE slug = 'bon-courage'")
        )
    assert writable_client.get("/organisations/neu-hier").status_code == 200


def test_a_size_of_zero_turns_the_store_off(seeded_database: str, engine: Engine) -> None:
    with TestClient(
        create_app(Settings(database_url=seeded_database, response_cache_bytes=0))
    ) as client:
        client.get(DETAIL)
        drop_revision_trigger(engine)
        rename(engine, "bon-courage", "Immer frisch")
        assert client.get(DETAIL).json()["name"] == "Immer frisch"
        assert len(client.app.state.response_store) == 0  # type: ignore[attr-defined]


def test_the_service_answers_without_the_store_if_the_revision_is_unreadable(
    writable_client: TestClient, engine: Engine
) -> None:
    with engine.begin() as connection:
        connection.execute(
            text(
                "DROP TABLE directory_revision"
                + (" CASCADE" if engine.dialect.name == "postgresql" else "")
            )
        )
    for _ in range(2):
        response = writable_client.get(DETAIL)
        assert response.status_code == 200
        assert response.json()["slug"] == "bon-courage"


# --- the store alone -------------------------------------------------------------------------


def entry(size: int, revision: int = 1) -> Representation:
    return Representation([], b"x" * size, etag=b'"t"', gzippable=False, revision=revision)


def test_the_store_forgets_the_least_recently_used_first() -> None:
    store = ResponseStore(max_bytes=16_000)
    keys = [(str(i).encode(),) for i in range(17)]
    for key in keys[:16]:
        store.put(key, entry(1_000 - ENTRY_OVERHEAD))
    assert len(store) == 16 and store.size == 16_000
    assert store.get(keys[0], 1) is not None  # now the most recently used
    store.put(keys[16], entry(1_000 - ENTRY_OVERHEAD))
    assert store.size <= store.max_bytes
    assert store.get(keys[1], 1) is None
    assert all(store.get(key, 1) is not None for key in (keys[0], *keys[2:]))


def test_the_store_answers_only_for_the_revision_an_entry_was_made_at() -> None:
    store = ResponseStore(max_bytes=10_000)
    store.put((b"a",), entry(100, revision=1))
    assert store.get((b"a",), 2) is None
    assert len(store) == 0 and store.size == 0
    assert store.get((b"a",), 1) is None


def test_the_store_refuses_entries_over_a_sixteenth_of_its_size() -> None:
    store = ResponseStore(max_bytes=16_000)
    store.put((b"big",), entry(1_000))
    store.put((b"small",), entry(100))
    assert store.get((b"big",), 1) is None
    assert store.get((b"small",), 1) is not None

"""Responses kept in memory: answered again while the data is unchanged, never after a write."""

from collections.abc import Callable, Iterator

import anyio
import pytest
from fastapi import FastAPI, Request, Response
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from app.config import Settings
from app.db import make_engine
from app.http_cache import HttpCache
from app.main import create_app
from app.response_cache import ENTRY_OVERHEAD, Representation, ResponseStore, cache_key
from app.revision import SharedReads

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


def forget_what_reads_remember(client: TestClient) -> None:
    """Clear app.memo, which is kept by revision too and so misses what the store misses."""
    client.app.state.reader.memo.clear()  # type: ignore[attr-defined]
    client.app.state.reader.records.clear()  # type: ignore[attr-defined]


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
    # Organisations label their concepts in the language asked for (app.languages), and
    # lists come as JSON, CSV or NDJSON (app.formats).
    assert raw.headers["vary"] == "Accept-Language, Accept, Accept-Encoding"


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
    forget_what_reads_remember(writable_client)  # so that only the store holds the old name
    assert writable_client.get(DETAIL).json()["name"] == "Bon Courage e.V."
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
        forget_what_reads_remember(client)
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


# --- the middleware with a store, on a tiny app ----------------------------------------------


JSON_BODY = '{"name": "' + "x" * 2000 + '"}'  # large enough to be gzipped


class Negotiating:
    """An app answering `/thing` by `Accept`, with the `Vary` (and `ETag`) it is given,
    behind HttpCache with a store."""

    def __init__(
        self,
        vary: str = "Accept",
        revision: Callable[[], int | None] = lambda: 1,
        etag: str | None = None,
    ) -> None:
        self.calls = 0
        self.store = ResponseStore(max_bytes=1_000_000)
        app = FastAPI()

        @app.get("/thing")
        async def thing(request: Request) -> Response:
            self.calls += 1
            accept = request.headers.get("accept", "")
            body, media_type = (
                ("a;b\n1;2\n", "text/csv") if "csv" in accept else (JSON_BODY, "application/json")
            )
            headers = {"Vary": vary, **({"ETag": etag} if etag else {})}
            return Response(body, media_type=media_type, headers=headers)

        async def current_revision() -> int | None:
            return revision()

        app.add_middleware(HttpCache, max_age=60, store=self.store, revision=current_revision)
        self.client = TestClient(app)


def test_a_response_varying_by_accept_is_kept_per_accept() -> None:
    app = Negotiating()
    with app.client as client:
        assert client.get("/thing", headers={"Accept": "application/json"}).text == JSON_BODY
        csv = client.get("/thing", headers={"Accept": "text/csv"})
        assert csv.headers["content-type"].startswith("text/csv")
        assert app.calls == 2 and len(app.store) == 2
        assert client.get("/thing", headers={"Accept": " application/json "}).text == JSON_BODY
        assert client.get("/thing", headers={"Accept": "text/csv"}).text == csv.text
        assert app.calls == 2  # both answered from the store


@pytest.mark.parametrize("vary", ["Cookie", "*", "Accept, Cookie", "accept-language, User-Agent"])
def test_a_response_varying_by_another_request_header_is_not_kept(vary: str) -> None:
    app = Negotiating(vary=vary)
    with app.client as client:
        for _ in range(2):
            assert client.get("/thing", headers={"Cookie": "a=1"}).status_code == 200
    assert app.calls == 2
    assert len(app.store) == 0


@pytest.mark.parametrize("vary", ["Accept-Language", "Origin", "accept-encoding", "Accept,"])
def test_a_response_varying_by_what_the_store_tells_apart_is_kept(vary: str) -> None:
    app = Negotiating(vary=vary)
    with app.client as client:
        for _ in range(2):
            client.get("/thing")
    assert app.calls == 1


def test_an_unreadable_revision_answers_without_the_store() -> None:
    app = Negotiating(revision=lambda: None)  # what a revision source says it cannot read
    with app.client as client:
        for _ in range(2):
            assert client.get("/thing").text == JSON_BODY
    assert app.calls == 2
    assert len(app.store) == 0


def scope(*headers: tuple[bytes, bytes]) -> dict[str, object]:
    return {"type": "http", "path": "/thing", "headers": [(b"host", b"a.example"), *headers]}


def test_the_key_holds_accept_and_accept_language_normalised() -> None:
    plain = cache_key(scope((b"accept", b"text/csv"), (b"accept-language", b"de")))
    assert plain == cache_key(scope((b"accept-language", b" de"), (b"accept", b"text/csv ")))
    assert cache_key(scope((b"accept", b"a"), (b"accept", b"b"))) == cache_key(
        scope((b"accept", b"a,b"))
    )
    different = [
        cache_key(scope()),
        cache_key(scope((b"accept", b""))),  # empty is not the same as absent
        plain,
        cache_key(scope((b"accept", b"text/csv"), (b"accept-language", b"en"))),
        cache_key(scope((b"accept", b"application/json"), (b"accept-language", b"de"))),
    ]
    assert len(set(different)) == len(different)
    assert cache_key(scope((b"authorization", b"Bearer x"))) is None


def test_a_stored_response_keeps_the_etag_of_the_application() -> None:
    tag = '"organisation-12-v3"'
    app = Negotiating(etag=tag)
    with app.client as client:
        for _ in range(2):
            assert client.get("/thing", headers=PLAIN).headers["etag"] == tag
            assert client.get("/thing", headers=GZIP).headers["etag"] == '"organisation-12-v3-gzip"'
        assert app.calls == 1
        for headers, etag in ((PLAIN, tag), (GZIP, '"organisation-12-v3-gzip"')):
            response = client.get("/thing", headers={**headers, "If-None-Match": etag})
            assert response.status_code == 304
            assert response.headers["etag"] == etag
    assert app.calls == 1


def test_concurrent_requests_share_revision_reads_that_start_after_they_arrive() -> None:
    """Many requests waiting at once take one read (not one each); a request never takes a
    read that began before it arrived, which could predate a write it must see."""
    started: list[int] = []

    async def scenario() -> list[int | None]:
        release = anyio.Event()

        async def read() -> int:
            started.append(len(started))
            await release.wait()
            return len(started)

        reads = SharedReads(read)
        results: list[int | None] = [None] * 6

        async def ask(index: int) -> None:
            results[index] = await reads()

        async with anyio.create_task_group() as group:
            group.start_soon(ask, 0)  # runs the first read
            await anyio.sleep(0.05)
            for index in range(1, 6):  # arrive while it runs: share the second read
                group.start_soon(ask, index)
            await anyio.sleep(0.05)
            release.set()
        return results

    results = anyio.run(scenario)
    assert len(started) == 2
    assert results[0] == 1
    assert results[1:] == [2] * 5

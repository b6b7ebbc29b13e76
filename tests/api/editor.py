"""Writing to the directory the way an editor's client does: read a record and its ETag,
send the change with `If-Match`, read the answer.

@pytest.fixture
def editor(seeded_database: str, client_for: Callable[[str], TestClient]) -> Editor:
    return Editor.on(seeded_database, client_for)

editor.patch("/organisations/bon-courage", {"short_name": "BC"})  # If-Match: the current tag
"""

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import text

from app.db import make_engine
from tests.auth import AuthHeaders, auth_headers

JSON = "application/json"
MERGE_PATCH = "application/merge-patch+json"
PROBLEM = "application/problem+json"
PLAIN = {"Accept-Encoding": "identity"}
GZIP = {"Accept-Encoding": "gzip"}


class _Current:
    """`If-Match` with the record's tag as a GET reads it just before the write."""


CURRENT: Any = _Current()


def assert_problem(response: httpx.Response, status: int, problem_type: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    problem: dict[str, Any] = response.json()
    assert problem["type"] == f"/problems/{problem_type}", problem
    assert problem["status"] == status
    return problem


def invalid_names(response: httpx.Response) -> set[str]:
    """The body fields a 422 names."""
    problem = assert_problem(response, 422, "invalid-body")
    assert {p["location"] for p in problem["invalid_params"]} == {"body"}, problem
    return {p["name"] for p in problem["invalid_params"]}


def path_of(url: str) -> str:
    return httpx.URL(url).raw_path.decode()


def poll(client: TestClient, url: str) -> tuple[list[dict[str, Any]], str]:
    """The changes of the feed from `url` (a `links.next`) on, following `links.next` to an
    empty page; and that page's `links.next`, to poll again later."""
    items: list[dict[str, Any]] = []
    while True:
        response = client.get(url, headers=PLAIN)
        assert response.status_code == 200, response.text
        page = response.json()
        assert page["links"]["next"], "the feed always links to what comes next"
        if not page["items"]:
            return items, str(page["links"]["next"])
        items += page["items"]
        url = page["links"]["next"]


def feed_end(client: TestClient) -> str:
    """Where the feed stands now: the `links.next` that will show the next change."""
    return poll(client, "/changes?limit=200")[1]


def revision_of(database_url: str) -> int:
    engine = make_engine(database_url, single_connection=True)
    try:
        with engine.connect() as connection:
            return int(
                connection.execute(text("SELECT value FROM directory_revision")).scalar_one()
            )
    finally:
        engine.dispose()


@dataclass
class Editor:
    """A client on a private seeded database, with the keys of `tests.auth`."""

    client: TestClient
    database_url: str
    auth: AuthHeaders

    @classmethod
    def on(cls, database_url: str, client_for: Callable[[str], TestClient]) -> "Editor":
        auth = auth_headers(database_url)
        return cls(client_for(database_url), database_url, auth)

    @property
    def secret(self) -> str:
        return self.auth.writer["Authorization"].removeprefix("Bearer ")

    def read(self, path: str) -> httpx.Response:
        response = self.client.get(path, headers=PLAIN)
        assert response.status_code == 200, f"{path}: {response.text}"
        return response

    def json(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        response = self.client.get(path, params=params, headers=PLAIN)
        assert response.status_code == 200, f"{path}: {response.text}"
        return response.json()

    def tag(self, path: str) -> str:
        return str(self.read(path).headers["etag"])

    def version(self, path: str) -> int:
        return int(self.read(path).json()["version"])

    def revision(self) -> int:
        return revision_of(self.database_url)

    def send(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        if_match: str | None = CURRENT,
        content_type: str | None = JSON,
        headers: Mapping[str, str | bytes] | None = None,
        params: Mapping[str, str] | None = None,
        auth: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """A write; `if_match=None` sends no `If-Match`, `auth={}` no key."""
        sent: dict[str, str | bytes] = dict(self.auth.writer if auth is None else auth)
        if if_match is CURRENT:
            if_match = self.tag(path.removesuffix("/verification"))
        if if_match is not None:
            sent["If-Match"] = if_match
        content: bytes | None = None
        if body is not None:
            content = body if isinstance(body, bytes) else json.dumps(body).encode()
            if content_type is not None:
                sent["Content-Type"] = content_type
        sent.update(headers or {})
        return self.client.request(method, path, content=content, headers=sent, params=params)

    def create(self, collection: str, body: Any, **options: Any) -> httpx.Response:
        return self.send("POST", collection, body, if_match=None, **options)

    def created(self, collection: str, body: Any, **options: Any) -> dict[str, Any]:
        response = self.create(collection, body, **options)
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    def patch(self, path: str, body: Any, **options: Any) -> httpx.Response:
        options.setdefault("content_type", MERGE_PATCH)
        return self.send("PATCH", path, body, **options)

    def patched(self, path: str, body: Any, **options: Any) -> dict[str, Any]:
        response = self.patch(path, body, **options)
        assert response.status_code == 200, response.text
        patched: dict[str, Any] = response.json()
        return patched

    def put(self, path: str, body: Any, **options: Any) -> httpx.Response:
        return self.send("PUT", path, body, **options)

    def delete(self, path: str, **options: Any) -> httpx.Response:
        return self.send("DELETE", path, **options)

    def deleted(self, path: str, **options: Any) -> None:
        response = self.delete(path, **options)
        assert response.status_code == 204, response.text

    def verify(self, path: str, **options: Any) -> httpx.Response:
        return self.send("POST", f"{path}/verification", **options)

"""HTTP caching: strong ETags, 304 on `If-None-Match`, `Cache-Control`, gzip and HEAD.

Everything goes through the application over HTTP on the seeded database, and
on a private copy of it for the tests that write.
"""

import gzip
import hashlib
import re
from base64 import urlsafe_b64encode
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route

from app.config import Settings
from app.db import make_engine
from app.http_cache import HttpCache, accepts_gzip, if_match, none_match
from app.main import create_app

MAX_AGE = Settings().cache_max_age
PLAIN = {"Accept-Encoding": "identity"}
GZIP = {"Accept-Encoding": "gzip"}


def first_slug(client: TestClient, collection: str = "organisations") -> str:
    return str(client.get(f"/{collection}?limit=1", headers=PLAIN).json()["items"][0]["slug"])


def resource_paths(client: TestClient) -> list[str]:
    contact_id = client.get("/contacts?limit=1", headers=PLAIN).json()["items"][0]["id"]
    return [
        "/",
        "/organisations",
        "/organisations?kind=network&facets=kind,level,region,topic",
        f"/organisations/{first_slug(client)}",
        "/networks",
        f"/networks/{first_slug(client, 'networks')}",
        "/regions",
        "/regions/14626",
        "/contacts",
        f"/contacts/{contact_id}",
        "/problems/not-found",
        "/openapi.json",
        "/docs",
    ]


def identity_tag(body: bytes) -> str:
    digest = hashlib.blake2b(body, digest_size=16).digest()
    return '"' + urlsafe_b64encode(digest).decode().rstrip("=") + '"'


def raw_get(client: TestClient, path: str, headers: dict[str, str]) -> tuple[Response, bytes]:
    """A response and its body exactly as sent, before any content decoding."""
    with client.stream("GET", path, headers=headers) as response:
        return response, b"".join(response.iter_raw())


# --- ETag ------------------------------------------------------------------------------------


def test_every_get_has_a_strong_etag_and_cache_control(client: TestClient) -> None:
    for path in resource_paths(client):
        response = client.get(path, headers=PLAIN)
        assert response.status_code == 200, path
        etag = response.headers["etag"]
        assert etag.startswith('"') and etag.endswith('"'), f"{path}: {etag} is not strong"
        assert response.headers["cache-control"] == f"public, max-age={MAX_AGE}", path
        assert "accept-encoding" in response.headers["vary"].lower(), path


RECORD_ETAG = re.compile(r'"(organisation|region|contact|relation)-[0-9]+-v[0-9]+-r[0-9]+"')


def test_the_etag_is_stable_and_names_a_record_or_hashes_the_body(client: TestClient) -> None:
    """A record's tag is its identity and version (what If-Match takes); any other
    response's tag is the hash of its body."""
    for path in resource_paths(client):
        first = client.get(path, headers=PLAIN)
        again = client.get(path, headers=PLAIN)
        assert first.content == again.content, path
        assert first.headers["etag"] == again.headers["etag"], path
        if RECORD_ETAG.fullmatch(first.headers["etag"]):
            assert path.count("/") == 2 and "?" not in path, path
        else:
            assert first.headers["etag"] == identity_tag(first.content), path


def test_the_etag_differs_when_the_content_differs(client: TestClient) -> None:
    page_one = client.get("/organisations?limit=10", headers=PLAIN)
    page_two = client.get(page_one.json()["links"]["next"], headers=PLAIN)
    networks = client.get("/organisations?limit=10&kind=network", headers=PLAIN)
    by_date = client.get("/organisations?limit=10&sort=-updated_at", headers=PLAIN)
    larger = client.get("/organisations?limit=11", headers=PLAIN)
    other_host = client.get("/organisations?limit=10", headers={**PLAIN, "Host": "example.org"})
    tags = [r.headers["etag"] for r in (page_one, page_two, networks, by_date, larger, other_host)]
    assert len(set(tags)) == len(tags)


def test_the_etag_changes_after_a_write(writable_client: TestClient, seeded_database: str) -> None:
    client, url = writable_client, seeded_database
    slug = first_slug(client)
    detail = client.get(f"/organisations/{slug}", headers=PLAIN)
    listing = client.get("/organisations?limit=5", headers=PLAIN)
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "UPDATE organisation SET description = 'Neu beschrieben', "
                    "version = version + 1 WHERE slug = :slug"
                ),
                {"slug": slug},
            )
    finally:
        engine.dispose()

    changed = client.get(
        f"/organisations/{slug}", headers={**PLAIN, "If-None-Match": detail.headers["etag"]}
    )
    assert changed.status_code == 200
    assert changed.json()["description"] == "Neu beschrieben"
    assert changed.headers["etag"] != detail.headers["etag"]
    changed_list = client.get(
        "/organisations?limit=5", headers={**PLAIN, "If-None-Match": listing.headers["etag"]}
    )
    assert changed_list.status_code == 200  # the version shown in the list moved on
    assert changed_list.headers["etag"] != listing.headers["etag"]


# --- If-None-Match ---------------------------------------------------------------------------


def assert_not_modified(response: Response, etag: str) -> None:
    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["etag"] == etag
    assert response.headers["cache-control"] == f"public, max-age={MAX_AGE}"
    assert "accept-encoding" in response.headers["vary"].lower()
    assert "content-type" not in response.headers
    assert "content-encoding" not in response.headers


def test_a_matching_if_none_match_is_answered_with_304(client: TestClient) -> None:
    for path in resource_paths(client):
        etag = client.get(path, headers=PLAIN).headers["etag"]
        assert_not_modified(client.get(path, headers={**PLAIN, "If-None-Match": etag}), etag)


@pytest.mark.parametrize(
    "header",
    [
        "{etag}",
        "W/{etag}",
        '"elsewhere", {etag}',
        '"elsewhere",{etag} , "x"',
        'W/"elsewhere", W/{etag}',
        "*",
    ],
)
def test_if_none_match_lists_weak_tags_and_star(client: TestClient, header: str) -> None:
    path = "/organisations?limit=20"
    etag = client.get(path, headers=PLAIN).headers["etag"]
    response = client.get(path, headers={**PLAIN, "If-None-Match": header.format(etag=etag)})
    assert_not_modified(response, etag)


@pytest.mark.parametrize(
    "header",
    ['"elsewhere"', 'W/"elsewhere", "other"', "{unquoted}", '"{bare}-gzip"', "garbage, {etag}"],
)
def test_a_non_matching_if_none_match_gets_the_full_response(
    client: TestClient, header: str
) -> None:
    path = "/organisations?limit=20"
    first = client.get(path, headers=PLAIN)
    etag = first.headers["etag"]
    value = header.format(etag=etag, unquoted=etag.strip('"'), bare=etag.strip('"'))
    response = client.get(path, headers={**PLAIN, "If-None-Match": value})
    assert response.status_code == 200
    assert response.content == first.content
    assert response.headers["etag"] == etag


def test_conditional_requests_on_errors_are_ignored(client: TestClient) -> None:
    response = client.get("/organisations/gibt-es-nicht", headers={**PLAIN, "If-None-Match": "*"})
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


# --- Cache-Control ---------------------------------------------------------------------------


def test_max_age_comes_from_the_settings(seeded_database: str) -> None:
    with TestClient(create_app(Settings(database_url=seeded_database, cache_max_age=42))) as client:
        for path in ("/organisations", "/openapi.json", "/docs"):
            assert client.get(path).headers["cache-control"] == "public, max-age=42"


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/organisations/gibt-es-nicht", 404),
        ("/nirgendwo", 404),
        ("/organisations?limit=0", 422),
        ("/organisations?region=atlantis", 422),
        ("/contacts/abc", 422),
        ("/problems/no-such-problem", 404),
    ],
)
def test_errors_are_not_cached(client: TestClient, path: str, status: int) -> None:
    for method in ("GET", "HEAD"):
        response = client.request(method, path, headers=GZIP)
        assert response.status_code == status, method
        assert response.headers["cache-control"] == "no-store", method
        assert "etag" not in response.headers, method
        assert response.headers["content-type"] == "application/problem+json", method
    assert client.get(path).json()["status"] == status


def test_other_methods_are_refused_with_allow_naming_head(client: TestClient) -> None:
    response = client.put("/regions")
    assert response.status_code == 405
    assert response.headers["cache-control"] == "no-store"
    assert {m.strip() for m in response.headers["allow"].split(",")} == {"GET", "HEAD"}
    assert response.json()["type"] == "/problems/method-not-allowed"


def test_an_unexpected_error_is_not_cached(seeded_database: str) -> None:
    app = create_app(Settings(database_url=seeded_database))

    def broken() -> None:
        raise RuntimeError("boom")

    app.add_api_route("/broken", broken)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/broken")
    assert response.status_code == 500
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["content-type"] == "application/problem+json"
    assert "etag" not in response.headers


# --- gzip ------------------------------------------------------------------------------------


def test_large_responses_are_gzipped_when_accepted(client: TestClient) -> None:
    path = "/organisations?limit=100"
    plain, plain_body = raw_get(client, path, PLAIN)
    zipped, zipped_body = raw_get(client, path, GZIP)
    assert "content-encoding" not in plain.headers
    assert int(plain.headers["content-length"]) == len(plain_body) > 20_000
    assert zipped.headers["content-encoding"] == "gzip"
    assert int(zipped.headers["content-length"]) == len(zipped_body) < len(plain_body) / 3
    assert gzip.decompress(zipped_body) == plain_body
    assert "accept-encoding" in zipped.headers["vary"].lower()
    # Two representations, two strong tags (RFC 9110 §8.8.3).
    assert plain.headers["etag"] == identity_tag(plain_body)
    assert zipped.headers["etag"] == identity_tag(plain_body)[:-1] + '-gzip"'
    # The same bytes every time: the tag names exactly one body.
    assert raw_get(client, path, GZIP)[1] == zipped_body


@pytest.mark.parametrize(
    ("accept", "gzipped"),
    [
        ("gzip", True),
        ("gzip, deflate, br", True),
        ("br;q=1.0, gzip;q=0.5", True),
        ("x-gzip", True),
        ("*", True),
        ("GZIP", True),
        ("gzip;q=0", False),
        ("*;q=0", False),
        ("gzip;q=0, *", False),
        ("identity", False),
        ("deflate, br", False),
        ("", False),
    ],
)
def test_accept_encoding_is_negotiated(client: TestClient, accept: str, gzipped: bool) -> None:
    response, _ = raw_get(client, "/organisations?limit=100", {"Accept-Encoding": accept})
    assert response.status_code == 200
    assert (response.headers.get("content-encoding") == "gzip") is gzipped
    assert response.headers["etag"].endswith('-gzip"') is gzipped


def test_small_responses_are_not_gzipped(client: TestClient) -> None:
    response, body = raw_get(client, "/problems/not-found", GZIP)
    assert "content-encoding" not in response.headers
    assert response.headers["etag"] == identity_tag(body)


def test_a_304_depends_on_the_coding_the_client_would_get(client: TestClient) -> None:
    path = "/organisations?limit=100"
    zipped_tag = client.get(path, headers=GZIP).headers["etag"]
    plain_tag = client.get(path, headers=PLAIN).headers["etag"]
    assert zipped_tag != plain_tag
    assert_not_modified(client.get(path, headers={**GZIP, "If-None-Match": zipped_tag}), zipped_tag)
    assert client.get(path, headers={**PLAIN, "If-None-Match": zipped_tag}).status_code == 200
    assert client.get(path, headers={**GZIP, "If-None-Match": plain_tag}).status_code == 200
    both = f"{plain_tag}, {zipped_tag}"
    assert client.get(path, headers={**GZIP, "If-None-Match": both}).status_code == 304
    assert client.get(path, headers={**PLAIN, "If-None-Match": both}).status_code == 304


def test_the_swagger_bundle_is_gzipped_with_its_own_tag(client: TestClient) -> None:
    path = "/static-offline-docs/swagger-ui-bundle.js"
    zipped, zipped_body = raw_get(client, path, GZIP)
    plain, plain_body = raw_get(client, path, PLAIN)
    assert zipped.headers["content-encoding"] == "gzip"
    assert gzip.decompress(zipped_body) == plain_body
    # The static files' own strong tag names the identity coding.
    assert zipped.headers["etag"] == plain.headers["etag"][:-1] + '-gzip"'
    conditional = client.get(path, headers={**GZIP, "If-None-Match": zipped.headers["etag"]})
    assert conditional.status_code == 304


# --- HEAD ------------------------------------------------------------------------------------


@pytest.mark.parametrize("accept", ["identity", "gzip"])
def test_head_answers_like_get_without_a_body(client: TestClient, accept: str) -> None:
    headers = {"Accept-Encoding": accept}
    for path in [*resource_paths(client), "/organisations?limit=100"]:
        got, body = raw_get(client, path, headers)
        head = client.head(path, headers=headers)
        assert head.status_code == 200, path
        assert head.content == b"", path
        expected = {k: v for k, v in got.headers.items() if k != "date"}
        assert {k: v for k, v in head.headers.items() if k != "date"} == expected, path
        assert int(head.headers["content-length"]) == len(body), path


def test_head_honours_if_none_match(client: TestClient) -> None:
    path = f"/organisations/{first_slug(client)}"
    etag = client.head(path, headers=PLAIN).headers["etag"]
    assert_not_modified(client.head(path, headers={**PLAIN, "If-None-Match": etag}), etag)


def test_head_does_not_appear_in_the_openapi_document(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    methods = {method for item in paths.values() for method in item}
    assert "head" not in methods
    ids = [op["operationId"] for item in paths.values() for op in item.values()]
    assert len(ids) == len(set(ids))


# --- The middleware on its own ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "matches"),
    [
        (b'"a"', True),
        (b'W/"a"', True),
        (b' "b" , "a" ', True),
        (b'"b",W/"a"', True),
        (b', "b",, "a"', True),  # empty list elements are allowed
        (b"*", True),
        (b" * ", True),
        (b'"a,b", "a"', True),  # a comma inside a tag is part of the tag
        (b'"a,b"', False),
        (b'"b"', False),
        (b"a", False),
        (b'"a', False),
        (b"", False),
        (b'w/"a"', False),  # the weakness indicator is case-sensitive
    ],
)
def test_none_match_parses_entity_tag_lists(header: bytes, matches: bool) -> None:
    assert none_match(header, b'"a"') is matches


def test_accepts_gzip_reads_quality_values() -> None:
    assert accepts_gzip(b"gzip;q=0.001")
    assert accepts_gzip(b"deflate, gzip ; q=1")
    assert not accepts_gzip(b"gzip;q=0.000")
    assert not accepts_gzip(b"gzip;q=zero")
    assert not accepts_gzip(b"gzipper")


def test_responses_larger_than_the_buffer_stream_through_without_an_etag() -> None:
    chunk = b"x" * 1000

    async def chunks() -> Iterator[bytes]:  # type: ignore[misc]
        for _ in range(50):
            yield chunk

    def endpoint(request: object) -> StreamingResponse:
        return StreamingResponse(chunks(), media_type="text/plain")

    app = Starlette(routes=[Route("/stream", endpoint)])
    app.add_middleware(HttpCache, max_age=60, max_buffer=10_000)
    with TestClient(app) as client:
        response = client.get("/stream", headers=GZIP)
        head = client.head("/stream", headers=GZIP)
    assert response.status_code == 200
    assert response.content == chunk * 50
    assert "etag" not in response.headers
    assert "content-encoding" not in response.headers
    assert response.headers["cache-control"] == "public, max-age=60"
    assert head.status_code == 200
    assert head.content == b""


# --- ETags the application sets ----------------------------------------------------------------

RECORD_TAG = '"organisation-12-v3"'


def tagging_client(etag: str) -> TestClient:
    """A client on an app whose one record sets `etag` on its (gzip-worthy) response."""

    def record(request: Request) -> JSONResponse:
        return JSONResponse({"name": "Bon Courage e.V." * 200}, headers={"ETag": etag})

    app = Starlette(routes=[Route("/record", record)])
    app.add_middleware(HttpCache, max_age=60)
    return TestClient(app)


def test_a_strong_etag_of_the_application_is_kept_with_a_tag_per_coding() -> None:
    with tagging_client(RECORD_TAG) as client:
        plain = client.get("/record", headers=PLAIN)
        zipped, _ = raw_get(client, "/record", GZIP)
        assert plain.headers["etag"] == RECORD_TAG
        assert zipped.headers["content-encoding"] == "gzip"
        assert zipped.headers["etag"] == '"organisation-12-v3-gzip"'
        for headers, tag in ((PLAIN, RECORD_TAG), (GZIP, zipped.headers["etag"])):
            not_modified = client.get("/record", headers={**headers, "If-None-Match": tag})
            assert not_modified.status_code == 304
            assert not_modified.headers["etag"] == tag
        other_coding = client.get(
            "/record", headers={**PLAIN, "If-None-Match": '"organisation-12-v3-gzip"'}
        )
        assert other_coding.status_code == 200


@pytest.mark.parametrize("etag", ['W/"organisation-12-v3"', "organisation-12-v3", '"a b"'])
def test_a_weak_or_malformed_etag_of_the_application_gives_way_to_the_hash(etag: str) -> None:
    with tagging_client(etag) as client:
        plain = client.get("/record", headers=PLAIN)
    assert plain.headers["etag"] == identity_tag(plain.content)


@pytest.mark.parametrize(
    ("header", "matches"),
    [
        (None, True),  # no precondition
        ("*", True),
        (" * ", True),
        (RECORD_TAG, True),
        ('"organisation-12-v3-gzip"', True),  # read gzip-compressed
        (f'"organisation-12-v2", {RECORD_TAG}', True),
        (f', "x",, {RECORD_TAG} ,', True),  # empty list elements are allowed
        (f"W/{RECORD_TAG}", False),  # strong comparison: weak tags never match
        ('W/"organisation-12-v3-gzip"', False),
        (f'"organisation-12-v2", W/{RECORD_TAG}', False),
        ('"organisation-12-v2"', False),
        ('"organisation-12-v3-br"', False),
        ('"organisation-12"', False),
        ("organisation-12-v3", False),
        ('"organisation-12-v3', False),
        (f'"x", kaputt, {RECORD_TAG}', False),  # malformed: matches nothing
        ("", False),
    ],
)
def test_if_match_uses_the_strong_comparison_over_both_codings(
    header: str | None, matches: bool
) -> None:
    assert if_match(header, RECORD_TAG) is matches


def test_if_match_never_matches_a_weak_current_tag_but_for_star() -> None:
    assert not if_match('W/"a"', 'W/"a"')
    assert not if_match('"a"', 'W/"a"')
    assert if_match("*", 'W/"a"')

"""The index, the interactive documentation and the OpenAPI description.

The documentation page must work without internet access: everything it loads
is served by the service itself.
"""

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from fastapi.testclient import TestClient

from app.config import Settings, get_settings
from app.errors import Problem
from app.main import create_app
from tests.api.listing import organisation_url
from tests.conftest import Databases
from tests.databases import ROOT, migrate

COLLECTIONS = ("organisations", "networks", "regions", "contacts")
HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


@pytest.fixture(scope="module")
def empty_client(databases: Databases) -> Iterator[TestClient]:
    """A client on a migrated database without data: none of these tests needs any."""
    url = databases.create()
    migrate(url)
    with TestClient(create_app(Settings(database_url=url))) as client:
        yield client
    databases.drop(url)


@pytest.fixture(scope="module")
def openapi(empty_client: TestClient) -> dict[str, Any]:
    response = empty_client.get("/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


def operations(openapi: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in openapi["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    ]


# --- The index ------------------------------------------------------------------------------


def test_index_links_to_every_collection(empty_client: TestClient) -> None:
    response = empty_client.get("/")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Wegweiser Sachsen"
    links = body["links"]
    for name in COLLECTIONS:
        assert links[name] == f"http://testserver/{name}"
        listing = empty_client.get(links[name])
        assert listing.status_code == 200, name
        assert set(listing.json()) >= {"items", "total", "limit", "links"}
    assert empty_client.get(links["docs"]).status_code == 200
    assert empty_client.get(links["openapi"]).json()["info"]["title"] == "Wegweiser Sachsen"


def test_index_links_to_search_as_a_uri_template(client: TestClient) -> None:
    template = client.get("/").json()["links"]["search"]
    assert template == "http://testserver/search{?q,type}"
    url = template.replace("{?q,type}", "?q=Opferberatung&type=organisation")
    hits = client.get(url).json()["items"]
    assert hits[0]["slug"] == "opferberatung-raa-sachsen"


def test_index_names_the_source_document(client: TestClient) -> None:
    (source,) = client.get("/").json()["sources"]
    assert source["title"] == "Praxis vor Ort"
    assert source["published_on"] == "2015-04-16"
    assert source["authors"] == ["Badakhshi (Leipzig)", "Wendel (Dresden)"]
    assert source["publisher"] == "IQ Netzwerk Sachsen"


def test_index_links_lead_to_the_seeded_collections(client: TestClient) -> None:
    links = client.get("/").json()["links"]
    for name in COLLECTIONS:
        assert client.get(links[name]).json()["total"] > 0, name


PUBLIC_BASE_URL = "https://wegweiser.example/api"


@pytest.fixture(params=["environment", "settings"])
def public_client(
    request: pytest.FixtureRequest, seeded_database: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TestClient]:
    """An app with a public base URL, as behind a reverse proxy: set through WEGWEISER_BASE_URL
    (the app of `uvicorn app.main:app`), or passed to `create_app` in its settings."""
    if request.param == "environment":
        monkeypatch.setenv("WEGWEISER_DATABASE_URL", seeded_database)
        monkeypatch.setenv("WEGWEISER_BASE_URL", f"{PUBLIC_BASE_URL}/")
        get_settings.cache_clear()
        application = create_app()
    else:
        monkeypatch.delenv("WEGWEISER_BASE_URL", raising=False)
        application = create_app(
            Settings(database_url=seeded_database, base_url=f"{PUBLIC_BASE_URL}/")
        )
    try:
        with TestClient(application) as public:
            yield public
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


def test_index_links_use_the_configured_public_base_url(public_client: TestClient) -> None:
    links = public_client.get("/").json()["links"]
    for name in COLLECTIONS:
        assert links[name] == f"{PUBLIC_BASE_URL}/{name}"


def test_list_links_use_the_configured_public_base_url(public_client: TestClient) -> None:
    """Behind a proxy, `links` and the `Link` header must point where clients can follow them."""
    response = public_client.get("/organisations", params={"limit": 1, "level": "regional"})
    links = response.json()["links"]
    for name in ("self", "first", "next"):
        assert links[name].startswith(f"{PUBLIC_BASE_URL}/organisations?"), (name, links[name])
    assert "level=regional" in links["next"]
    assert f'<{links["next"]}>; rel="next"' in response.headers["link"]
    item = response.json()["items"][0]
    assert item["url"] == organisation_url(item, PUBLIC_BASE_URL)


def test_the_public_base_url_belongs_to_its_app(
    public_client: TestClient, client: TestClient
) -> None:
    """Another app in the same process, created without a base URL, links to where it is called."""
    assert public_client.get("/").json()["links"]["regions"] == f"{PUBLIC_BASE_URL}/regions"
    assert client.get("/").json()["links"]["regions"] == "http://testserver/regions"
    links = client.get("/regions", params={"limit": 1}).json()["links"]
    assert links["next"].startswith("http://testserver/regions?")


def test_page_sizes_come_from_the_settings_of_the_app(seeded_database: str) -> None:
    settings = Settings(database_url=seeded_database, page_size_default=7, page_size_max=9)
    with TestClient(create_app(settings)) as configured:
        for name in COLLECTIONS:
            body = configured.get(f"/{name}").json()
            assert body["limit"] == 7, name
            assert len(body["items"]) == 7, name
            assert "limit=7" in body["links"]["next"], name
            assert len(configured.get(f"/{name}", params={"limit": 9}).json()["items"]) == 9
            refused = configured.get(f"/{name}", params={"limit": 10})
            assert refused.status_code == 422, name
            assert refused.headers["content-type"] == "application/problem+json"
            problem = refused.json()
            assert [p["name"] for p in problem["invalid_params"]] == ["limit"], name
            assert "9" in problem["invalid_params"][0]["reason"]
        assert len(configured.get("/search", params={"q": "Leipzig"}).json()["items"]) == 7


# --- The documentation page -------------------------------------------------------------------


class _References(HTMLParser):
    """Every URL an HTML page makes the browser load, and its inline scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str]] = []  # (tag, url)
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and name in {"src", "href"} and tag in {"script", "link", "img", "iframe"}:
                self.urls.append((tag, value))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.scripts.append(data)


def page_references(html: str) -> _References:
    parser = _References()
    parser.feed(html)
    return parser


ABSOLUTE_URL = re.compile(r"""(?:https?:)?//[\w.-]+\.\w+""")
EXPECTED_TYPES = {
    ".js": ("application/javascript", "text/javascript"),
    ".css": ("text/css",),
    ".png": ("image/png",),
    ".ico": ("image/x-icon", "image/vnd.microsoft.icon"),
    ".svg": ("image/svg+xml",),
}


def test_docs_page_is_swagger_ui(empty_client: TestClient) -> None:
    response = empty_client.get("/docs")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "SwaggerUIBundle(" in response.text
    assert 'id="swagger-ui"' in response.text


def test_docs_page_loads_nothing_from_elsewhere(empty_client: TestClient) -> None:
    html = empty_client.get("/docs").text
    assert not ABSOLUTE_URL.findall(html), "the docs page names an absolute URL (a CDN?)"
    references = page_references(html)
    assert {tag for tag, _ in references.urls} >= {"script", "link"}
    for _, url in references.urls:
        assert not urlsplit(url).scheme and not urlsplit(url).netloc, url


def test_every_asset_of_the_docs_page_is_served_locally(empty_client: TestClient) -> None:
    references = page_references(empty_client.get("/docs").text)
    assert references.urls
    for _, url in references.urls:
        response = empty_client.get(urljoin("http://testserver/docs", url))
        assert response.status_code == 200, url
        assert response.content, url
        suffix = "." + url.rsplit(".", 1)[-1] if "." in url.rsplit("/", 1)[-1] else ""
        expected = EXPECTED_TYPES.get(suffix)
        assert expected, f"unexpected asset {url}"
        content_type = response.headers["content-type"].split(";")[0].strip()
        assert content_type in expected, f"{url} served as {content_type}"
        if suffix == ".js":
            assert len(response.content) > 100_000, f"{url} is not the Swagger UI bundle"
            assert b"SwaggerUIBundle" in response.content
        if suffix == ".css":
            # Images and fonts the stylesheet loads must be inline or local too.
            for target in re.findall(r"url\(\s*['\"]?([^'\")]+)", response.text):
                if target.startswith("data:"):
                    continue
                assert not ABSOLUTE_URL.match(target), f"{url} loads {target}"
                css_asset = empty_client.get(urljoin(f"http://testserver{url}", target))
                assert css_asset.status_code == 200, target


def test_redoc_works_offline_too(empty_client: TestClient) -> None:
    """/redoc loads its bundle from the service and the description from /openapi.json."""
    response = empty_client.get("/redoc")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    references = page_references(html)
    assert "fonts.googleapis" not in html
    scripts = [url for tag, url in references.urls if tag == "script"]
    assert scripts and all(not urlsplit(u).scheme and not urlsplit(u).netloc for u in scripts)
    for url in scripts:
        bundle = empty_client.get(urljoin("http://testserver/redoc", url))
        assert bundle.status_code == 200 and len(bundle.content) > 100_000, url
    (spec_url,) = re.findall(r"""<redoc spec-url=["']([^"']+)["']""", html)
    assert empty_client.get(spec_url).json()["info"]["title"] == "Wegweiser Sachsen"


def test_the_urls_swagger_ui_is_configured_with_are_served(empty_client: TestClient) -> None:
    """The inline set-up script points at the OpenAPI description and the OAuth2 redirect."""
    script = "\n".join(page_references(empty_client.get("/docs").text).scripts)
    (spec_url,) = re.findall(r"""\burl:\s*['"]([^'"]+)['"]""", script)
    spec = empty_client.get(spec_url)
    assert spec.status_code == 200
    assert spec.headers["content-type"].startswith("application/json")
    assert spec.json()["openapi"].startswith("3.")

    for redirect in re.findall(r"""oauth2RedirectUrl:[^\n]*?['"](/[^'"]+)['"]""", script):
        response = empty_client.get(redirect)
        assert response.status_code == 200, redirect
        assert response.headers["content-type"].startswith("text/html")
        assert not ABSOLUTE_URL.findall(response.text)


def test_docs_assets_come_from_a_package_not_from_copies_in_the_repository() -> None:
    copies = [
        str(path.relative_to(ROOT))
        for pattern in ("swagger-ui*.js", "swagger-ui*.css", "redoc*.js")
        for path in ROOT.rglob(pattern)
        if not any(part.startswith(".") for part in path.relative_to(ROOT).parts)
    ]
    assert not copies, f"hand-copied documentation assets: {copies}"


# --- The OpenAPI description ------------------------------------------------------------------


def test_openapi_describes_every_endpoint(openapi: dict[str, Any]) -> None:
    assert openapi["openapi"].startswith("3.1")
    assert openapi["info"]["title"] == "Wegweiser Sachsen"
    assert openapi["info"]["version"]
    paths = set(openapi["paths"])
    for name in COLLECTIONS:
        assert f"/{name}" in paths
    assert {"/", "/organisations/{slug}", "/networks/{slug}", "/regions/{code}"} <= paths
    assert "/contacts/{contact_id}" in paths
    assert "/problems/{name}" in paths


def test_every_operation_has_a_summary_and_a_declared_tag(openapi: dict[str, Any]) -> None:
    declared = {tag["name"] for tag in openapi.get("tags", [])}
    for method, path, operation in operations(openapi):
        assert operation.get("summary", "").strip(), f"{method} {path} has no summary"
        assert operation.get("tags"), f"{method} {path} has no tag"
        assert set(operation["tags"]) <= declared, f"{method} {path}: undeclared tag"
    for tag in openapi["tags"]:
        assert tag.get("description"), f"tag {tag['name']} has no description"


def test_operation_ids_are_unique(openapi: dict[str, Any]) -> None:
    ids = [operation.get("operationId") for _, _, operation in operations(openapi)]
    assert all(ids), "an operation has no operationId"
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    assert not duplicates, f"duplicate operation ids: {duplicates}"


def _has_example(node: Any, openapi: dict[str, Any], seen: frozenset[str] = frozenset()) -> bool:
    """Whether a schema (following $refs) carries an example anywhere."""
    if isinstance(node, list):
        return any(_has_example(n, openapi, seen) for n in node)
    if not isinstance(node, dict):
        return False
    if "example" in node or node.get("examples"):
        return True
    ref = node.get("$ref")
    if isinstance(ref, str):
        if ref in seen:
            return False
        return _has_example(resolve(openapi, ref), openapi, seen | {ref})
    return any(_has_example(v, openapi, seen) for k, v in node.items() if k != "$ref")


def resolve(openapi: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), f"external reference {ref}"
    node: Any = openapi
    for part in ref[2:].split("/"):
        assert part in node, f"unresolvable reference {ref}"
        node = node[part]
    return node


def test_every_parameter_has_an_example(openapi: dict[str, Any]) -> None:
    missing = [
        f"{method} {path} ?{parameter['name']}"
        for method, path, operation in operations(openapi)
        for parameter in operation.get("parameters", [])
        if not (
            "example" in parameter
            or parameter.get("examples")
            or parameter.get("schema", {}).get("examples")
            or "example" in parameter.get("schema", {})
        )
    ]
    assert not missing, f"parameters without an example: {missing}"


def test_parameter_bounds_are_json_schema(openapi: dict[str, Any]) -> None:
    """Bounds read as JSON Schema's `minimum`/`maximum`, which clients and validators know."""
    bounds = {
        f"{method} {path} ?{parameter['name']}": parameter["schema"]
        for method, path, operation in operations(openapi)
        for parameter in operation.get("parameters", [])
    }
    for name, schema in bounds.items():
        for part in [schema, *schema.get("anyOf", [])]:
            assert not {"ge", "le", "gt", "lt"} & set(part), name
    contact_id = bounds["GET /contacts/{contact_id} ?contact_id"]
    assert (contact_id["minimum"], contact_id["maximum"]) == (1, 2**31 - 1)
    (limit,) = (s for s in bounds["GET /organisations ?limit"]["anyOf"] if s["type"] == "integer")
    assert limit["minimum"] == 1


def test_every_success_response_has_an_example(openapi: dict[str, Any]) -> None:
    for method, path, operation in operations(openapi):
        success = {code: r for code, r in operation["responses"].items() if code.startswith("2")}
        assert success, f"{method} {path} documents no success response"
        for code, response in success.items():
            content = response.get("content", {})
            if code == "204":  # No Content: nothing to give an example of
                assert not content, f"{method} {path} 204 documents a body"
                continue
            assert content, f"{method} {path} {code} documents no body"
            # JSON wherever there is JSON; a resource in another format only (a vCard file)
            # documents that one, with its example.
            media = ["application/json"] if "application/json" in content else list(content)
            for media_type in media:
                assert _has_example(content[media_type], openapi), (
                    f"{method} {path} {code} {media_type}: no example in the response schema"
                )


def test_every_reference_resolves(openapi: dict[str, Any]) -> None:
    def walk(node: Any) -> Iterator[str]:
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                yield node["$ref"]
            for value in node.values():
                yield from walk(value)
        elif isinstance(node, list):
            for value in node:
                yield from walk(value)

    refs = set(walk(openapi))
    assert refs
    for ref in refs:
        resolve(openapi, ref)


def test_error_responses_are_documented_as_problems(openapi: dict[str, Any]) -> None:
    for method, path, operation in operations(openapi):
        if "{" not in path:
            continue
        not_found = operation["responses"].get("404")
        assert not_found, f"{method} {path} does not document its 404"
        assert "application/problem+json" in not_found.get("content", {}), f"{method} {path}"


def test_error_responses_are_problem_json_only(openapi: dict[str, Any]) -> None:
    """Every 4xx is documented as what the service sends: a Problem, as problem+json alone."""
    assert "Problem" in openapi["components"]["schemas"]
    errors = [
        (f"{method} {path} {status}", status, response)
        for method, path, operation in operations(openapi)
        for status, response in operation["responses"].items()
        if status.startswith("4")
    ]
    assert {"404", "422"} <= {status for _, status, _ in errors}
    for where, status, response in errors:
        content = response.get("content", {})
        assert set(content) == {"application/problem+json"}, where
        media = content["application/problem+json"]
        assert set(media) == {"schema", "example"}, where
        assert media["schema"] == {"$ref": "#/components/schemas/Problem"}, where
        example = Problem.model_validate(media["example"])
        assert example.status == int(status), where
    every_list = [
        operation["responses"].get("422")
        for _, path, operation in operations(openapi)
        if path in {f"/{name}" for name in COLLECTIONS}
    ]
    assert all(every_list), "a list does not document its 422"


def test_no_schema_of_an_error_format_the_service_never_sends(openapi: dict[str, Any]) -> None:
    schemas = openapi["components"]["schemas"]
    assert "HTTPValidationError" not in schemas
    assert "ValidationError" not in schemas

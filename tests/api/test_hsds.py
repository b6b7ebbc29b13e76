"""The HSDS 3.1 API, checked the way the HSDS validators check one: discover it at `/hsds/`,
call every list at its first, a middle and its last page, reuse the ids of `contents` on
the `{id}` endpoints, and validate every answer against the official schemas (loaded
offline from app/hsds/schema into one registry) with format checking on."""

import csv
import json
import math
import re
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import frictionless
import hypothesis
import pytest
import schemathesis
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from sqlalchemy import event, text

from app import cli
from app.config import Settings
from app.db import make_engine
from app.hsds import mapping, profiles
from app.main import create_app
from app.uuids import record_uuid
from tests.api.editor import Editor
from tests.api.listing import walk

SCHEMAS = Path(__file__).resolve().parents[2] / "app" / "hsds" / "schema"
ENVELOPE = {
    "total_items": int,
    "total_pages": int,
    "page_number": int,
    "size": int,
    "first_page": bool,
    "last_page": bool,
    "empty": bool,
    "contents": list,
}
# Each list, the schema of its items, and the schema of its `{id}` answer.
LISTS = {
    "organizations": ("compiled/organization_list.json", "organization.json"),
    "services": ("compiled/service_list.json", "service.json"),
    "taxonomies": ("taxonomy.json", "taxonomy.json"),
    "taxonomy_terms": ("taxonomy_term.json", "taxonomy_term.json"),
    "service_at_locations": ("compiled/service_at_location_list.json", "service_at_location.json"),
}
PER_PAGE = 7


def registry() -> Registry:
    resources = []
    for path in SCHEMAS.rglob("*.json"):
        if path.name in {"openapi.json", "datapackage.json"}:
            continue
        contents = json.loads(path.read_text(encoding="utf-8"))
        name = str(path.relative_to(SCHEMAS))
        resources.append((name, Resource.from_contents(contents, DRAFT202012)))
    return Registry().with_resources(resources)


REGISTRY = registry()


def validator(schema: str) -> Draft202012Validator:
    return Draft202012Validator(
        {"$ref": schema},
        registry=REGISTRY,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def problems(schema: str, instance: Any) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator(schema).iter_errors(instance)
    ]


@pytest.fixture
def editor(seeded_database: str, client_for: Callable[[str], TestClient]) -> Editor:
    return Editor.on(seeded_database, client_for)


def pages_to_check(client: TestClient, name: str) -> Iterator[dict[str, Any]]:
    """The first, a middle and the last page of a list, each with a valid envelope."""
    first = client.get(f"/hsds/{name}", params={"per_page": PER_PAGE})
    assert first.status_code == 200, first.text
    total_pages = first.json()["total_pages"]
    for number in sorted({1, max(1, (total_pages + 1) // 2), total_pages}):
        response = client.get(f"/hsds/{name}", params={"per_page": PER_PAGE, "page": number})
        body = response.json()
        assert {k: type(v) for k, v in body.items()} == ENVELOPE, name
        assert body["page_number"] == number
        assert body["total_pages"] == max(1, math.ceil(body["total_items"] / PER_PAGE))
        assert body["first_page"] == (number == 1)
        assert body["last_page"] == (number == total_pages)
        assert body["size"] == len(body["contents"])
        assert body["empty"] == (body["size"] == 0)
        yield body


def test_discovery(client: TestClient) -> None:
    about = client.get("/hsds/").json()
    assert about["version"] == "3.1"
    assert about["publisher"] == "Wegweiser Sachsen"
    openapi = client.get(about["openapi_url"].removeprefix("http://testserver"))
    assert "/hsds/services" in openapi.json()["paths"]
    assert client.get(about["profile"].removeprefix("http://testserver")).status_code == 200


@pytest.mark.parametrize("name", LISTS)
def test_every_list_page_and_record_validates_against_the_official_schemas(
    client: TestClient, name: str
) -> None:
    item_schema, record_schema = LISTS[name]
    checked = 0
    for body in pages_to_check(client, name):
        for item in body["contents"]:
            assert problems(item_schema, item) == [], item.get("id")
            record = client.get(f"/hsds/{name}/{item['id']}")
            assert record.status_code == 200, record.text
            assert record.json()["id"] == item["id"]
            assert problems(record_schema, record.json()) == [], item["id"]
            checked += 1
    if name != "service_at_locations":  # the directory knows no locations
        assert checked > 0


def test_the_lists_hold_the_whole_directory(client: TestClient) -> None:
    organisations = client.get("/organisations", params={"limit": 1}).json()["total"]
    assert client.get("/hsds/organizations").json()["total_items"] == organisations
    services = client.get("/hsds/services", params={"per_page": 200}).json()
    # One per offer, else one per organisation.
    tagged = client.get("/organisations", params={"limit": 200}).json()["items"]
    expected = sum(max(1, len(o["concepts"]["offers"])) for o in tagged)
    assert services["total_items"] == expected


def test_an_organisation_maps_with_its_services_areas_and_terms(client: TestClient) -> None:
    clinic_id = str(record_uuid("organisation", "refugee-law-clinic-leipzig"))
    org = client.get(f"/hsds/organizations/{clinic_id}").json()
    assert problems("organization.json", org) == []
    assert org["name"] == "Refugee Law Clinic Leipzig e.V."
    assert org["email"] == "RefugeeLawClinic@uni-leipzig.de"
    assert org["website"] == "http://refugeelawclinic.uni-leipzig.de"
    assert org["legal_status"] == "e.V."
    assert org["uri"] == "http://testserver/organisations/refugee-law-clinic-leipzig"
    names = {s["name"] for s in org["services"]}
    assert "Rechtsberatung – Refugee Law Clinic Leipzig e.V." in names
    legal = client.get(
        f"/hsds/services/{next(s['id'] for s in org['services'] if s['name'].startswith('Rechts'))}"
    ).json()
    assert [a["name"] for a in legal["service_areas"]] == ["Leipzig"]
    assert legal["service_areas"][0]["description"] == "Amtlicher Regionalschlüssel 14713"
    term = next(a for a in legal["attributes"] if a["link_type"] == "offers")
    assert term["taxonomy_term"]["code"] == "legal-advice"
    assert term["value"]  # the source's words


def test_filters_combine_with_and(client: TestClient) -> None:
    terms = client.get("/hsds/taxonomy_terms", params={"per_page": 200, "search": "Rechtsberatung"})
    (legal,) = [t for t in terms.json()["contents"] if t["code"] == "legal-advice"]
    found = client.get("/hsds/services", params={"taxonomy_term_id": legal["id"]}).json()
    slugs = {s["organization"]["uri"].rsplit("/", 1)[-1] for s in found["contents"]}
    assert slugs == {"refugee-law-clinic-leipzig", "komenco"}
    clinic = str(record_uuid("organisation", "refugee-law-clinic-leipzig"))
    both = client.get(
        "/hsds/services", params={"taxonomy_term_id": legal["id"], "organization_id": clinic}
    ).json()
    assert {s["organization_id"] for s in both["contents"]} == {clinic}
    assert both["total_items"] == 1
    # The same concept in another language is the same filter.
    english = next(
        t
        for t in client.get(
            "/hsds/taxonomy_terms", params={"per_page": 200, "search": "Legal advice"}
        ).json()["contents"]
        if t["term_uri"] == legal["term_uri"] and t["language"] == "en"
    )
    again = client.get("/hsds/services", params={"taxonomy_term_id": english["id"]}).json()
    assert again["total_items"] == found["total_items"]
    bad = client.get("/hsds/services", params={"taxonomy_term_id": "not-a-term"})
    assert bad.status_code == 422


def test_modified_after_follows_changes_and_deletions(editor: Editor) -> None:
    seeded = max(o["updated_at"] for o in walk(editor.client, "/organisations"))
    after_seed = datetime.fromisoformat(seeded) + timedelta(microseconds=1)
    editor.patched("/organisations/bon-courage", {"short_name": "BC"})
    editor.deleted("/organisations/treibhaus-doebeln")
    changed = editor.client.get(
        "/hsds/services", params={"modified_after": after_seed.isoformat()}
    ).json()
    statuses = {
        s["organization"]["uri"].rsplit("/", 1)[-1]: s["status"] for s in changed["contents"]
    }
    assert statuses == {"bon-courage": "active", "treibhaus-doebeln": "defunct"}
    assert all(problems("compiled/service_list.json", s) == [] for s in changed["contents"])


def test_ndjson_and_ids_that_name_nothing(client: TestClient) -> None:
    lines = client.get("/hsds/organizations", params={"format": "ndjson"}).text.splitlines()
    assert len(lines) == client.get("/hsds/organizations").json()["total_items"]
    missing = client.get(f"/hsds/services/{record_uuid('service', 'nothing')}")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert client.get("/hsds/organizations", params={"page": 0}).status_code == 422


def test_a_term_of_the_offers_filters_organizations_too(client: TestClient) -> None:
    legal = str(record_uuid("taxonomy_term", "offers/legal-advice/de"))
    found = client.get("/hsds/organizations", params={"taxonomy_term_id": legal}).json()
    assert {o["name"] for o in found["contents"]} == {
        "Refugee Law Clinic Leipzig e.V.",
        "Komenco",
    }


@pytest.fixture
def uncached(seeded_database: str) -> Iterator[TestClient]:
    """A client whose every request runs the application."""
    settings = Settings(database_url=seeded_database, response_cache_bytes=0)
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.mark.parametrize("name", ["organizations", "services"])
def test_a_page_costs_the_same_statements_whatever_its_size_or_number(
    uncached: TestClient, name: str
) -> None:
    client = uncached
    engine = client.app.state.reader.read_engine  # type: ignore[attr-defined]

    def statements(params: dict[str, Any]) -> int:
        client.app.state.reader.memo.clear()  # type: ignore[attr-defined]
        client.app.state.reader.records.clear()  # type: ignore[attr-defined]
        seen: list[str] = []

        def record(_conn: object, _cursor: object, statement: str, *_: object) -> None:
            seen.append(statement)

        event.listen(engine, "before_cursor_execute", record)
        try:
            response = client.get(f"/hsds/{name}", params=params)
        finally:
            event.remove(engine, "before_cursor_execute", record)
        assert response.status_code == 200
        return len(seen)

    assert (
        statements({"per_page": 1})
        == statements({"per_page": 200})
        == statements({"per_page": 5, "page": 3})
    )


def test_a_page_number_beyond_any_is_refused_not_a_failure(client: TestClient) -> None:
    for name in LISTS:
        response = client.get(f"/hsds/{name}", params={"page": 10**20})
        assert response.status_code == 422, name
        assert response.headers["content-type"] == "application/problem+json"
    past = client.get("/hsds/organizations", params={"page": 1000}).json()
    assert past["empty"] and past["last_page"] and past["contents"] == []


# --- The tabular data package -----------------------------------------------------------------


def test_the_data_package_is_complete_and_a_frictionless_validator_accepts_it(
    seeded_database: str, client: TestClient, tmp_path: Path
) -> None:
    out = tmp_path / "hsds"
    status = cli.main(
        ["export", "--format", "hsds", str(out), "--base-url", "http://testserver"],
        Settings(database_url=seeded_database),
    )
    assert status == 0
    report = frictionless.validate(str(out / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]
    official = json.loads((SCHEMAS / "datapackage.json").read_text(encoding="utf-8"))
    assert sorted(p.name for p in out.glob("*.csv")) == sorted(
        r["path"] for r in official["resources"]
    )

    def rows(name: str) -> list[dict[str, str]]:
        with (out / name).open(encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))

    api = {
        name: client.get(f"/hsds/{name}", params={"per_page": 200}).json()
        for name in ("organizations", "services")
    }
    assert {r["id"] for r in rows("organizations.csv")} == {
        o["id"] for o in api["organizations"]["contents"]
    }
    assert len(rows("organizations.csv")) == api["organizations"]["total_items"]
    assert {r["id"] for r in rows("services.csv")} == {s["id"] for s in api["services"]["contents"]}
    clinic = str(record_uuid("organisation", "refugee-law-clinic-leipzig"))
    (row,) = [r for r in rows("organizations.csv") if r["id"] == clinic]
    assert row["email"] == "RefugeeLawClinic@uni-leipzig.de" and row["legal_status"] == "e.V."
    areas = {r["service_id"] for r in rows("service_areas.csv")}
    assert areas <= {r["id"] for r in rows("services.csv")}  # every row names its parent
    assert (
        len(rows("taxonomy_terms.csv")) == client.get("/hsds/taxonomy_terms").json()["total_items"]
    )


def test_an_export_without_a_base_url_says_what_is_missing(
    seeded_database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = cli.main(
        ["export", "--format", "hsds", str(tmp_path / "x")],
        Settings(database_url=seeded_database, base_url=""),
    )
    assert status == 1
    assert "--base-url" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


# --- The profile ------------------------------------------------------------------------------


def test_merge_patch_follows_rfc_7386() -> None:
    # The examples of RFC 7386, appendix A.
    assert profiles.merge_patch({"a": "b"}, {"a": "c"}) == {"a": "c"}
    assert profiles.merge_patch({"a": "b"}, {"b": "c"}) == {"a": "b", "b": "c"}
    assert profiles.merge_patch({"a": "b"}, {"a": None}) == {}
    assert profiles.merge_patch({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}) == {
        "a": {"b": "d"}
    }
    assert profiles.merge_patch({"a": [{"b": "c"}]}, {"a": [1]}) == {"a": [1]}
    assert profiles.merge_patch({"e": None}, {"a": 1}) == {"e": None, "a": 1}
    assert profiles.merge_patch([1, 2], {"a": "b", "c": None}) == {"a": "b"}
    assert profiles.merge_patch({}, {"a": {"bb": {"ccc": None}}}) == {"a": {"bb": {}}}


def served_registry(client: TestClient) -> Registry:
    """The schemas as the profile serves them, each under its file name."""
    index = client.get("/hsds/profile").json()
    resources = []
    for name, url in index["schemas"].items():
        contents = client.get(url.removeprefix("http://testserver")).json()
        resources.append((name, Resource.from_contents(contents, DRAFT202012)))
    return Registry().with_resources(resources)


def test_the_profile_publishes_its_patches_and_the_schemas_they_give(client: TestClient) -> None:
    about = client.get("/hsds/").json()
    index = client.get(about["profile"].removeprefix("http://testserver")).json()
    assert set(index["patches"]) == {"openapi.json", "organization.json", "service_area.json"}
    for name, url in index["patches"].items():
        patch = client.get(url.removeprefix("http://testserver")).json()
        core = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
        if name == "openapi.json":
            assert profiles.profiled(name) == profiles.merge_patch(core, patch)
            continue
        served = client.get(index["schemas"][name].removeprefix("http://testserver")).json()
        assert served == profiles.merge_patch(core, patch), name
    # The OpenAPI description is served with the schemas it names bundled into it.
    spec = client.get(index["openapi_url"].removeprefix("http://testserver")).json()
    for name, schema in spec["components"]["schemas"].items():
        if name not in {"Page", "Problem"}:
            served = client.get(f"/hsds/profile/schema/{name}.json").json()
            assert schema == profiles._pointed(served, ""), name
    organization = client.get("/hsds/profile/schema/organization.json").json()
    assert {"networks", "relations"} <= set(organization["properties"])
    assert client.get("/hsds/profile/schema/nothing.json").status_code == 404


def test_every_organization_and_service_validates_against_the_profile(
    client: TestClient,
) -> None:
    served = served_registry(client)

    def problems_in(schema: str, instance: Any) -> list[str]:
        checker = Draft202012Validator(
            {"$ref": schema}, registry=served, format_checker=Draft202012Validator.FORMAT_CHECKER
        )
        return [e.message for e in checker.iter_errors(instance)]

    organizations = client.get("/hsds/organizations", params={"per_page": 200, "full": True})
    for organization in organizations.json()["contents"]:
        assert problems_in("organization.json", organization) == [], organization["name"]
    bamf = client.get(f"/hsds/organizations/{record_uuid('organisation', 'bamf')}").json()
    assert "http://testserver/networks/asyl-konferenz" in {n["uri"] for n in bamf["networks"]}
    assert {"member_of"} <= {r["type"] for r in bamf["relations"]}
    services = client.get("/hsds/services", params={"per_page": 200, "full": True}).json()
    for service in services["contents"]:
        assert problems_in("service.json", service) == [], service["name"]
    codes = {a.get("code") for s in services["contents"] for a in s.get("service_areas", [])}
    assert "14713" in codes


def test_the_profile_openapi_tags_every_operation_and_documents_its_problems(
    client: TestClient,
) -> None:
    spec = client.get("/hsds/profile/openapi.json").json()
    assert spec["servers"] == [{"url": "/hsds"}]
    assert "REQUIRED" not in spec["info"]["title"]
    required = set()
    for path, item in spec["paths"].items():
        assert "post" not in item, path  # this API reads with GET
        operation = item["get"]
        (tag,) = operation["tags"]
        assert tag in {"required", "optional"}, path
        if tag == "required":
            required.add(path)
        for status in ("404", "422"):
            assert "application/problem+json" in operation["responses"][status]["content"], path
        text = json.dumps(operation)
        assert "raw.githubusercontent.com" not in text, path  # its schemas are served here
        for ref in re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', text):
            assert ref in spec["components"]["schemas"], ref
        served = path if "{" not in path else path.replace("{id}", "x")
        assert client.get(f"/hsds{served}").status_code in (200, 404), path
    assert required == {"/", "/services", "/services/{id}"}


# A real id of each `{id}` operation, for requests beside the generated ones (those hit 404s).
REAL_IDS = {
    "/organizations/{id}": str(record_uuid("organisation", "refugee-law-clinic-leipzig")),
    "/services/{id}": str(record_uuid("service", "refugee-law-clinic-leipzig/legal-advice")),
    "/taxonomies/{id}": str(record_uuid("taxonomy", "offers")),
    "/taxonomy_terms/{id}": str(record_uuid("taxonomy_term", "offers/legal-advice/de")),
}


def schemathesis_failures(client: TestClient) -> tuple[int, list[str]]:
    """Run schemathesis against the profile's OpenAPI description: generated requests for
    every operation, and each `{id}` operation with a real id; the operations run and what
    failed."""
    schema = schemathesis.openapi.from_asgi("/hsds/profile/openapi.json", client.app)
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @hypothesis.settings(
            max_examples=15,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(hypothesis.HealthCheck),
        )
        @hypothesis.given(case=operation.as_strategy())
        def check(case: Any) -> None:
            case.validate_response(case.call())

        try:
            check()
            if operation.path in REAL_IDS:
                case = operation.Case(path_parameters={"id": REAL_IDS[operation.path]})
                response = case.call()
                assert response.status_code == 200, operation.path
                case.validate_response(response)
        # Each failure is reported with the operation's path (schemathesis raises groups).
        except (Exception, BaseExceptionGroup) as error:
            failures.append(f"{operation.method.upper()} {operation.path}: {error}"[:2000])
    return operations, failures


def test_schemathesis_finds_nothing_against_the_profile_openapi(client: TestClient) -> None:
    """Requests generated from the profile's OpenAPI description (the core HSDS one with
    the profile's patch) are answered as it documents: schema-valid ones are accepted, and
    every answer fits its documented status, media type and schema."""
    operations, failures = schemathesis_failures(client)
    assert operations == 11
    assert not failures, "\n\n".join(failures)


def test_schemathesis_would_see_an_answer_that_breaks_its_schema(
    uncached: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The run above checks bodies: a service whose status HSDS does not know fails it."""
    real = mapping.services

    def broken(detail: Any, deleted: bool = False) -> list[dict[str, Any]]:
        return [{**s, "status": "vielleicht"} for s in real(detail, deleted)]

    monkeypatch.setattr(mapping, "services", broken)
    _, failures = schemathesis_failures(uncached)
    assert any(f.startswith("GET /services") for f in failures), failures


def test_an_id_that_names_nothing_filters_to_nothing(client: TestClient) -> None:
    unknown = str(record_uuid("taxonomy_term", "nothing"))
    for param in ("taxonomy_term_id", "taxonomy_id", "organization_id"):
        found = client.get("/hsds/services", params={param: unknown}).json()
        assert found["total_items"] == 0 and found["empty"], param
    assert client.get("/hsds/services", params={"search": "!!!"}).json()["total_items"] == 0


def test_an_export_does_not_write_over_anything(
    seeded_database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "notes.txt").write_text("keep me")
    args = ["export", "--format", "hsds", str(taken), "--base-url", "http://testserver"]
    assert cli.main(args, Settings(database_url=seeded_database)) == 1
    assert "not an empty directory" in capsys.readouterr().err
    assert [p.name for p in taken.iterdir()] == ["notes.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["taken"]  # no partial package left


def test_languages_and_withdrawn_concepts_keep_the_package_and_pages_whole(
    editor: Editor, tmp_path: Path
) -> None:
    """A language without a German name (Afrikaans) is still a term the attributes name,
    and an offer withdrawn from the vocabulary makes no service."""
    editor.patched(
        "/organisations/bon-courage",
        {
            "concepts": {
                "languages": [
                    {"concept": "af", "evidence": "Beratung auf Afrikaans"},
                    {"concept": "ar", "evidence": "Beratung auf Arabisch"},
                ]
            }
        },
    )
    engine = make_engine(editor.database_url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO organisation_concept (organisation_id, scheme, concept, basis)"
                " SELECT id, 'offers', 'zurueckgezogen', 'stated' FROM organisation"
                " WHERE slug IN ('komenco', 'integration-durch-qualifizierung')"
            )
        )
    engine.dispose()
    services = editor.client.get("/hsds/services", params={"per_page": 200}).json()
    assert services["total_items"] == services["size"]
    bon = str(record_uuid("organisation", "bon-courage"))
    service = editor.client.get("/hsds/services", params={"organization_id": bon}).json()[
        "contents"
    ][0]  # the languages are on each of its services
    full = editor.client.get(f"/hsds/services/{service['id']}").json()
    for attribute in full["attributes"]:
        term = editor.client.get(f"/hsds/taxonomy_terms/{attribute['taxonomy_term_id']}")
        assert term.status_code == 200, attribute
    gone = record_uuid("service", "integration-durch-qualifizierung/zurueckgezogen")
    assert editor.client.get(f"/hsds/services/{gone}").status_code == 404
    out = tmp_path / "package"
    args = ["export", "--format", "hsds", str(out), "--base-url", "http://testserver"]
    assert cli.main(args, Settings(database_url=editor.database_url)) == 0
    report = frictionless.validate(str(out / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]

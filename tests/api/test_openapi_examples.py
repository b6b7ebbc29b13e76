"""Every documented example is real: a parameter example is answered with 200, and a response
example is what the seeded directory answers.

Examples are what people (and Swagger UI's "Try it out") send first, so each
must be valid for its own operation on the seeded directory. The test reads
the operations from /openapi.json, so new endpoints are covered as they come.
"""

import json
import re
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

from fastapi.testclient import TestClient

from app.config import Settings
from app.examples import RECORDED_BASE, recorded
from app.main import create_app
from seed.examples import EXPORT_SAMPLE, cut_down
from tests.auth import auth_headers

# Documentation, files and admin endpoints: no directory data behind their parameters;
# and HSDS locations, which the directory does not know yet (every id is a 404).
SKIPPED_PREFIXES = (
    "/docs",
    "/static",
    "/keys",
    "/export",
    "/openapi",
    "/hsds/service_at_locations/{",
)


def examples(parameter: dict[str, Any]) -> list[Any]:
    """The example values of a parameter, wherever OpenAPI 3.1 lets them be written."""
    schema = parameter.get("schema", {})
    found = [node["example"] for node in (parameter, schema) if "example" in node]
    found += [e["value"] for e in parameter.get("examples", {}).values() if "value" in e]
    found += schema.get("examples", [])
    return found


def calls(operation: dict[str, Any]) -> list[dict[str, Any]]:
    """Parameter values to call an operation with: the required parameters at their first
    examples, then with each example of each parameter in turn."""
    parameters = [p for p in operation.get("parameters", []) if p["in"] in ("path", "query")]
    required = {p["name"]: examples(p)[:1] for p in parameters if p.get("required")}
    missing = sorted(name for name, found in required.items() if not found)
    assert not missing, f"{operation['operationId']}: no example for required {missing}"
    base = {name: found[0] for name, found in required.items()}
    varied = [{**base, p["name"]: example} for p in parameters for example in examples(p)]
    unique: list[dict[str, Any]] = []
    for values in [base, *varied]:
        if values not in unique:
            unique.append(values)
    return unique


def fill(template: str, values: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The path with its parameters put in, and the values left for the query."""
    query = dict(values)
    path = re.sub(r"\{(\w+)\}", lambda m: quote(str(query.pop(m[1])), safe=""), template)
    return path, query


def test_every_parameter_example_is_answered_with_200(client: TestClient) -> None:
    failures, made = [], 0
    for template, item in client.get("/openapi.json").json()["paths"].items():
        if template.startswith(SKIPPED_PREFIXES) or "get" not in item:
            continue
        for values in calls(item["get"]):
            path, query = fill(template, values)
            response = client.get(path, params=query)
            made += 1
            if response.status_code != 200:
                failures.append(f"GET {path} {query}: {response.status_code} {response.text[:300]}")
    assert made > 20  # the document was read and has examples
    assert not failures, "\n".join(failures)


# --- Response examples: real answers of the seed (app/examples.json) ---------------------

# No directory data behind them: their models' field examples stand.
WITHOUT_RECORDED_EXAMPLE = {"POST /keys", "GET /keys", "GET /keys/{name}"}


def _json_answers(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if status.startswith("2") and "application/json" in content:
                    yield f"{method.upper()} {path}", content["application/json"]


def test_every_json_answer_has_a_recorded_example(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    missing = [
        operation
        for operation, content in _json_answers(document)
        if "example" not in content and operation not in WITHOUT_RECORDED_EXAMPLE
    ]
    assert missing == []
    operations = recorded()["operations"]
    shown = {operation for operation, content in _json_answers(document) if "example" in content}
    assert set(operations) <= shown, "examples recorded for operations that do not exist"


SEEDING_MOMENTS = {"created_at", "updated_at", "changed_at"}


def _stable(value: Any) -> Any:
    """Without the moments of seeding, which differ from database to database."""
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in value.items() if k not in SEEDING_MOMENTS}
    if isinstance(value, list):
        return [_stable(v) for v in value]
    return value


def test_the_recorded_examples_are_what_the_seed_answers(client: TestClient) -> None:
    """If this fails after a change of the seed or of a representation, record them again:
    `python -m seed.examples`."""
    stale = []
    for operation, entry in recorded()["operations"].items():
        if entry["sample"] is None:
            continue
        answer = client.get(entry["sample"]).json()
        if _stable(with_base(entry["example"], "http://testserver")) != _stable(answer):
            stale.append(operation)
    assert stale == [], "run `python -m seed.examples`"


def test_the_export_and_import_examples_are_the_seed_s(
    seeded_database: str, migrated_database: str, client_for: Callable[[str], TestClient]
) -> None:
    operations = recorded()["operations"]
    seeded = client_for(seeded_database)
    export = seeded.get("/export", headers=auth_headers(seeded_database).admin).json()
    example = operations["GET /export"]["example"]
    assert example == cut_down(export)
    assert {o["slug"] for o in example["organisations"]} == set(EXPORT_SAMPLE)
    # The import's body is that file, and its answer what an empty directory answers to it.
    importing = operations["POST /import"]
    assert importing["request"] == example
    empty = client_for(migrated_database)
    admin = auth_headers(migrated_database).admin
    answer = empty.post("/import", json=example, headers=admin).json()
    # The revision counts the writes of the database's migrations too: one engine's own.
    assert {**answer, "revision": 1} == importing["example"]
    assert isinstance(answer["revision"], int)


def test_examples_carry_the_configured_base_url(seeded_database: str) -> None:
    settings = Settings(database_url=seeded_database, base_url="https://wegweiser.example/")
    with TestClient(create_app(settings)) as configured:
        document = configured.get("/openapi.json").json()
    operation = document["paths"]["/organisations/{slug}"]["get"]
    example = operation["responses"]["200"]["content"]["application/json"]["example"]
    assert example["url"] == "https://wegweiser.example/organisations/refugee-law-clinic-leipzig"
    assert RECORDED_BASE not in json.dumps(document)


def with_base(value: Any, base: str) -> Any:
    return json.loads(json.dumps(value).replace(RECORDED_BASE, base))


def test_the_write_examples_are_the_sample_records_as_they_are(
    writable_client: TestClient, seeded_database: str
) -> None:
    """Sending a write's example body to its sample record changes nothing: it is the
    record's own state (a creation's body names a record that exists: 409)."""
    admin = auth_headers(seeded_database).admin
    operations = recorded()["operations"]
    checked = 0
    for operation, entry in operations.items():
        method, template = operation.split(" ", 1)
        if "request" not in entry or template == "/import":
            continue
        record = operations[f"GET {template}"]["sample"] if "{" in template else None
        if method == "POST" and record is None:
            response = writable_client.post(template, json=entry["request"], headers=admin)
            assert response.status_code == 409, (operation, response.text)
        else:
            current = writable_client.get(record)
            response = writable_client.request(
                method,
                record,
                json=entry["request"],
                headers={**admin, "If-Match": current.headers["etag"]},
            )
            assert response.status_code == 200, (operation, response.text)
            assert response.json()["version"] == current.json()["version"], operation
        checked += 1
    assert checked == 12

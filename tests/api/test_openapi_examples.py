"""Every documented parameter example works: calling an operation with it is a 200.

Examples are what people (and Swagger UI's "Try it out") send first, so each
must be valid for its own operation on the seeded directory. The test reads
the operations from /openapi.json, so new endpoints are covered as they come.
"""

import re
from typing import Any
from urllib.parse import quote

from fastapi.testclient import TestClient

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

"""What the seeded directory answers, as the example of every operation in the OpenAPI description.

`examples.json` beside this module holds, per operation (`GET /organisations/{slug}`),
the JSON body a freshly seeded database answers to a sample request: a real record, a
real page, never a placeholder; and for a write, its body, made of the same record.
`python -m seed.examples` writes it; a test checks that it still equals what the seed
answers. Links in it carry the base URL of `make run`, replaced by `WEGWEISER_BASE_URL`
when that is set (in every example of the description).
"""

import json
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import FastAPI

EXAMPLES_FILE = Path(__file__).with_name("examples.json")
RECORDED_BASE = "http://127.0.0.1:8000"
"""The base URL the examples were recorded with: `make run`'s."""


@cache
def recorded() -> dict[str, Any]:
    """The file: {"operations": {"GET /path": {"sample": "/path?…", "example": …}}}."""
    data: dict[str, Any] = json.loads(EXAMPLES_FILE.read_text(encoding="utf-8"))
    return data


def document_examples(app: FastAPI, base_url: str = "") -> None:
    """Put the recorded answers into the OpenAPI description as the operations' examples."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = with_examples(generate(), base_url.rstrip("/"))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def with_examples(schema: dict[str, Any], base_url: str) -> dict[str, Any]:
    operations = recorded()["operations"]
    for path, path_item in schema.get("paths", {}).items():
        for method, operation in path_item.items():
            entry = operations.get(f"{method.upper()} {path}")
            if entry is None:
                continue
            example = entry["example"]
            request = operation.get("requestBody", {}).get("content", {})
            if "request" in entry:
                for media_type in request.values():
                    media_type["example"] = entry["request"]
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if status.startswith("2") and "application/json" in content:
                    content["application/json"]["example"] = example
    # Field examples name the recorded base too: all of them show the service's own.
    return _rebased(schema, base_url) if base_url and base_url != RECORDED_BASE else schema


def _rebased(value: Any, base_url: str) -> Any:
    if isinstance(value, str):
        return base_url + value[len(RECORDED_BASE) :] if value.startswith(RECORDED_BASE) else value
    if isinstance(value, dict):
        return {k: _rebased(v, base_url) for k, v in value.items()}
    if isinstance(value, list):
        return [_rebased(v, base_url) for v in value]
    return value

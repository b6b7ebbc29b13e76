"""The HTTP side of every write: bodies, JSON Merge Patch, preconditions and record ETags.

Routes that write take their body through `JsonBody` or `MergePatchBody` rather
than FastAPI's own body parsing, so that the media type (415), the size (413)
and malformed JSON (400) are answered before anything else, as problem
documents, and unknown fields are refused (422) rather than ignored. The models
a body must fit are still documented in the OpenAPI description (`request_body`).
"""

import contextlib
import json
import urllib.parse
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Request
from pydantic import BaseModel

from app.changes.models import Resource
from app.deps import get_app_settings
from app.errors import (
    DomainError,
    InvalidBody,
    InvalidParam,
    PayloadTooLarge,
    PreconditionRequired,
    Problem,
    UnsupportedMediaType,
)
from app.etags import LINKED_DATA, record_etag
from app.formats import jsonld
from app.formats.negotiation import vary_accept
from app.keys.auth import AUTH_RESPONSES, WriterDep
from app.languages import DEFAULT, Language, language_headers
from app.reading import JsonResponse
from app.writes import Author

JSON = "application/json"
MERGE_PATCH = "application/merge-patch+json"
SOURCE_HEADER = "Change-Source"
MAX_SOURCE_NOTE = 1000


class MalformedBody(DomainError):
    problem_type = "invalid-body"


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def read_json(request: Request, accepted: list[str], limit: int | None = None) -> Any:
    """The request's JSON body, of one of the `accepted` media types and at most `limit` bytes
    (default: the `max_body_bytes` setting); a problem (415, 413, 400) if it is none."""
    media_type = _media_type(request)
    if media_type not in accepted:
        raise UnsupportedMediaType(media_type or "(none)", accepted)
    limit = limit or get_app_settings(request).max_body_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(limit)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:  # a chunked body declares no length
            raise PayloadTooLarge(limit)
    try:
        # UTF-8 only (RFC 8259 §8.1; a BOM is ignored): bytes would be read as UTF-16 or 32.
        return json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, RecursionError):
        raise MalformedBody("The body is not JSON in UTF-8.") from None
    except json.JSONDecodeError as exc:
        raise MalformedBody(f"The body is not valid JSON: {exc.msg} at {exc.pos}.") from None
    except ValueError as exc:  # e.g. an integer of more digits than Python converts
        raise MalformedBody(f"The body is not JSON this service reads: {exc}.") from None


async def json_body(request: Request) -> dict[str, Any]:
    """A JSON object, as `POST` and `PUT` take it."""
    data = await read_json(request, [JSON])
    if not isinstance(data, dict):
        raise InvalidBody("The body must be a JSON object.")
    return data


async def merge_patch_body(request: Request) -> dict[str, Any]:
    """A JSON Merge Patch (RFC 7396) object, as `PATCH` takes it."""
    data = await read_json(request, [MERGE_PATCH, JSON])
    if not isinstance(data, dict):
        raise InvalidBody("A merge patch that changes fields is a JSON object.")
    return data


JsonBody = Annotated[dict[str, Any], Depends(json_body)]
MergePatchBody = Annotated[dict[str, Any], Depends(merge_patch_body)]


async def if_match_header(
    if_match: Annotated[
        str | None,
        Header(
            alias="If-Match",
            description="The `ETag` of the record as last read: the write is refused (412) "
            "if the record has changed since.",
            examples=['"organisation-12-v3"'],
        ),
    ] = None,
) -> str:
    if if_match is None:
        raise PreconditionRequired()
    return if_match


IfMatch = Annotated[str, Depends(if_match_header)]


async def change_source(
    source: Annotated[
        str | None,
        Header(
            alias=SOURCE_HEADER,
            description="Where the change comes from, for the history "
            "(e.g. `Telefonat mit dem Träger, 2026-11-30`); UTF-8, percent-encoding allowed.",
            examples=["Telefonat mit dem Träger, 2026-11-30"],
        ),
    ] = None,
) -> str | None:
    if source is None:
        return None
    # Starlette decodes header bytes as Latin-1; most clients send UTF-8.
    with contextlib.suppress(UnicodeError):
        source = source.encode("latin-1").decode("utf-8")
    note = urllib.parse.unquote(source).strip()
    if "\x00" in note:
        raise InvalidBody(
            f"{SOURCE_HEADER} contains a NUL character.",
            [InvalidParam(name=SOURCE_HEADER, location="header", reason="contains a NUL")],
        )
    if len(note) > MAX_SOURCE_NOTE:
        raise InvalidBody(
            f"{SOURCE_HEADER} holds at most {MAX_SOURCE_NOTE} characters.",
            [InvalidParam(name=SOURCE_HEADER, location="header", reason="too long")],
        )
    return note or None


async def author(actor: WriterDep, note: Annotated[str | None, Depends(change_source)]) -> Author:
    """The writer of a change: the key's name (never the key) and the editor's note."""
    return Author(actor.name, note)


AuthorDep = Annotated[Author, Depends(author)]


_BODY_MODELS: dict[str, type[BaseModel]] = {}


def request_body(model: type[BaseModel], *media_types: str) -> dict[str, Any]:
    """`openapi_extra` documenting a body that the route reads itself."""
    _BODY_MODELS[model.__name__] = model
    schema = {"$ref": f"#/components/schemas/{model.__name__}"}
    return {
        "requestBody": {
            "required": True,
            "content": {media_type: {"schema": schema} for media_type in media_types},
        }
    }


def document_bodies(app: FastAPI) -> None:
    """Put the models of `request_body` into the OpenAPI components."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            for name, model in _BODY_MODELS.items():
                body = model.model_json_schema(ref_template="#/components/schemas/{model}")
                components.update(body.pop("$defs", {}))
                components[name] = body
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def record_response(
    representation: Any, etag: str, status: int = 200, location: str | None = None
) -> JsonResponse:
    """A record's representation (a read model) with its ETag (and `Location` when created)."""
    headers = {"ETag": etag}
    if location is not None:
        headers["Location"] = location
    return JsonResponse(representation, status_code=status, headers=headers)


def read_response(
    resource: Resource,
    detail: Any,
    lang: Language | None = None,
    linked_data: dict[str, Any] | None = None,
    negotiated: bool = False,
    body: Any = None,
) -> JsonResponse:
    """A record as a GET answers it: its read model (or `body`, the model's JSON as the
    memo keeps it), or its JSON-LD node (`linked_data`: app.formats.jsonld), tagged with its
    id and version (and, for a record with vocabulary labels, their language: `lang`);
    `negotiated` if `Accept` (or `format=`) chose."""
    representation = "" if linked_data is None else LINKED_DATA
    etag = record_etag(resource, detail.id, detail.version, lang or DEFAULT, representation)
    if linked_data is None:
        response = record_response(detail if body is None else body, etag)
    else:
        response = JsonResponse(linked_data, media_type=jsonld.MEDIA_TYPE, headers={"ETag": etag})
    if lang is not None:
        response.headers.update(language_headers(lang))
    return vary_accept(response) if negotiated else response


def _problem(description: str) -> dict[str, Any]:
    return {"model": Problem, "description": description}


# The answers of every write besides its success, for the OpenAPI description.
WRITE_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _problem("The body is not valid JSON"),
    **AUTH_RESPONSES,
    404: _problem("Not found"),
    409: _problem("A slug in use, a duplicate, or dependants of a record to delete"),
    410: _problem("The record was deleted"),
    412: _problem("`If-Match` names an older version; `current_version` says the current one"),
    413: _problem("The body is larger than the service accepts"),
    415: _problem("The body's media type is not one the operation takes"),
    422: _problem("A field is unknown, of the wrong type, or names nothing that exists"),
    428: _problem("`If-Match` is missing"),
}
CREATE_RESPONSES = {k: v for k, v in WRITE_RESPONSES.items() if k not in (410, 412, 428)}


def needs(description: str, preconditioned: bool = True) -> str:
    """An operation's description, with what it needs of the caller."""
    extra = " and `If-Match` with the record's current `ETag`" if preconditioned else ""
    return f"{description}\n\nNeeds an API key with scope `write`{extra}."

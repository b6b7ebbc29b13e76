"""Domain errors and their rendering as RFC 9457 `application/problem+json`.

Services raise the domain errors below; one set of handlers turns them, and
every framework error, into a problem document. Nothing else builds error
responses, so every endpoint fails the same way.
"""

import logging
from datetime import datetime
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.db import utc_text

logger = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"


class InvalidParam(BaseModel):
    name: str = Field(examples=["limit"])
    location: str = Field(examples=["query"])
    reason: str = Field(examples=["Input should be less than or equal to 200"])


class Problem(BaseModel):
    """An RFC 9457 problem document; some types add members of their own (`current_version`)."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(examples=["/problems/not-found"])
    title: str = Field(examples=["Not Found"])
    status: int = Field(examples=[404])
    detail: str = Field(examples=["No organisation with slug 'gibt-es-nicht'."])
    instance: str | None = Field(default=None, examples=["/organisations/gibt-es-nicht"])
    invalid_params: list[InvalidParam] | None = None


PROBLEM_TYPES: dict[str, str] = {
    "not-found": "The resource does not exist: check the slug, code or id.",
    "invalid-parameter": "A parameter is missing, malformed or names nothing that exists; "
    "`invalid_params` lists each one with the reason.",
    "method-not-allowed": "The resource exists but does not answer this HTTP method.",
    "bad-request": "The request cannot be processed as sent.",
    "invalid-body": "The request body is not valid JSON or does not fit the resource; "
    "`invalid_params` names each field with the reason.",
    "unauthorized": "Writing needs `Authorization: Bearer <key>` with a valid, unexpired key.",
    "forbidden": "The key is valid but lacks the scope this operation needs.",
    "conflict": "The write conflicts with the directory's current state "
    "(a slug in use, dependants of a record to delete).",
    "gone": "The record was deleted; `deleted_at` says when. Its history stays readable.",
    "precondition-required": "Writes need `If-Match` with the record's current `ETag`.",
    "precondition-failed": "The record changed since the `ETag` in `If-Match` was read; "
    "`current_version` and the `ETag` header give the current state.",
    "unsupported-media-type": "The body's `Content-Type` is not one this operation takes.",
    "payload-too-large": "The request body is larger than the service accepts.",
    "not-acceptable": "None of the media types `Accept` names is served here; `available` "
    "lists those that are (a `format=` parameter chooses one too).",
    "internal-error": "The service failed unexpectedly; the error has been logged.",
}


QUOTED_MAX = 120
"""How much of a client's value an error quotes back: enough to recognise it."""


def quoted(value: object) -> str:
    """`value` as Python quotes it, cut short: a 60 KB parameter needs no 60 KB echo."""
    text = repr(value)
    return text if len(text) <= QUOTED_MAX else f"{text[:QUOTED_MAX]}…"


class DomainError(Exception):
    status: HTTPStatus = HTTPStatus.BAD_REQUEST
    problem_type = "bad-request"

    def __init__(
        self,
        detail: str,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        # Members of the problem document beyond RFC 9457's own, and response headers.
        self.extra = extra or {}
        self.headers = headers or {}


class NotFound(DomainError):
    status = HTTPStatus.NOT_FOUND
    problem_type = "not-found"

    def __init__(self, resource: str, key_name: str, key: object) -> None:
        super().__init__(f"No {resource} with {key_name} {quoted(key)}.")


class InvalidParameter(DomainError):
    """A syntactically valid parameter whose value makes no sense (bad cursor, unknown region)."""

    status = HTTPStatus.UNPROCESSABLE_ENTITY
    problem_type = "invalid-parameter"

    def __init__(self, name: str, reason: str, location: str = "query") -> None:
        super().__init__(f"Invalid value for parameter '{name}': {reason}")
        self.params = [InvalidParam(name=name, location=location, reason=reason)]


class InvalidBody(DomainError):
    """A request body that is not JSON, or whose fields do not fit the resource."""

    status = HTTPStatus.UNPROCESSABLE_ENTITY
    problem_type = "invalid-body"

    def __init__(self, detail: str, params: list[InvalidParam] | None = None) -> None:
        super().__init__(detail)
        self.params = params or []

    @classmethod
    def field(cls, name: str, reason: str) -> "InvalidBody":
        return cls(
            f"Invalid field '{name}': {reason}",
            [InvalidParam(name=name, location="body", reason=reason)],
        )


class Unauthorized(DomainError):
    status = HTTPStatus.UNAUTHORIZED
    problem_type = "unauthorized"

    def __init__(self, detail: str, error: str | None = None) -> None:
        challenge = 'Bearer realm="wegweiser"'
        if error:  # RFC 6750 §3: a key was sent but is not (or no longer) valid
            challenge += f', error="{error}"'
        super().__init__(detail, headers={"WWW-Authenticate": challenge})


class Forbidden(DomainError):
    status = HTTPStatus.FORBIDDEN
    problem_type = "forbidden"


class Conflict(DomainError):
    status = HTTPStatus.CONFLICT
    problem_type = "conflict"


class Gone(DomainError):
    status = HTTPStatus.GONE
    problem_type = "gone"

    def __init__(self, resource: str, key_name: str, key: object, deleted_at: datetime) -> None:
        super().__init__(
            f"The {resource} with {key_name} {quoted(key)} was deleted.",
            # As every other time in the API: UTC with `Z`.
            extra={"deleted_at": utc_text(deleted_at)},
        )


class PreconditionRequired(DomainError):
    status = HTTPStatus.PRECONDITION_REQUIRED
    problem_type = "precondition-required"

    def __init__(self) -> None:
        super().__init__(
            "This write needs If-Match with the record's current ETag "
            "(GET the record first), so that no other editor's change is overwritten."
        )


class PreconditionFailed(DomainError):
    status = HTTPStatus.PRECONDITION_FAILED
    problem_type = "precondition-failed"

    def __init__(self, current_version: int, current_etag: str) -> None:
        super().__init__(
            f"The record has changed since it was read: it is at version {current_version} now. "
            "GET it again, apply the change to the current state and retry.",
            extra={"current_version": current_version},
            headers={"ETag": current_etag},
        )


class UnsupportedMediaType(DomainError):
    status = HTTPStatus.UNSUPPORTED_MEDIA_TYPE
    problem_type = "unsupported-media-type"

    def __init__(self, given: str, accepted: list[str]) -> None:
        super().__init__(
            f"Content-Type {quoted(given)} is not accepted here; send {' or '.join(accepted)}.",
            headers={"Accept-Patch": ", ".join(accepted)} if "merge" in str(accepted) else None,
        )


class NotAcceptable(DomainError):
    status = HTTPStatus.NOT_ACCEPTABLE
    problem_type = "not-acceptable"

    def __init__(self, accept: str, offered: list[str]) -> None:
        super().__init__(
            f"No representation here fits Accept {quoted(accept)}; this resource is "
            f"served as {', '.join(offered)} (or ask with `format=`).",
            extra={"available": offered},
            headers={"Vary": "Accept"},
        )


class PayloadTooLarge(DomainError):
    status = HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    problem_type = "payload-too-large"

    def __init__(self, limit: int) -> None:
        super().__init__(f"The request body is larger than {limit} bytes.")


def problem_response(
    request: Request,
    status: int,
    problem_type: str,
    detail: str,
    invalid_params: list[InvalidParam] | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> JSONResponse:
    problem = Problem(
        type=f"/problems/{problem_type}" if problem_type != "about:blank" else problem_type,
        title=HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        instance=request.url.path,
        invalid_params=invalid_params,
        **(extra or {}),
    )
    return JSONResponse(
        problem.model_dump(exclude_none=True),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        # Errors are never stored by caches (see app.http_cache).
        headers={"Cache-Control": "no-store", **(headers or {})},
    )


def _validation_params(exc: RequestValidationError) -> list[InvalidParam]:
    params = []
    for error in exc.errors():
        loc = [str(part) for part in error.get("loc", ())]
        location = loc[0] if loc else "request"
        # The parameter's own name: `kind`, not `kind.1` for the second of a repeated `kind`.
        name = loc[1] if len(loc) > 1 else location
        reason = error.get("msg", "")
        if len(loc) > 2 and "input" in error:
            reason = f"{quoted(error['input'])}: {reason}"
        params.append(InvalidParam(name=name, location=location, reason=reason))
    return params


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> JSONResponse:
        params = exc.params if isinstance(exc, InvalidParameter | InvalidBody) else None
        return problem_response(
            request,
            exc.status,
            exc.problem_type,
            exc.detail,
            params or None,
            headers=exc.headers,
            extra=exc.extra,
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        params = _validation_params(exc)
        names = ", ".join(sorted({p.name for p in params}))
        return problem_response(
            request, 422, "invalid-parameter", f"Invalid request parameter(s): {names}.", params
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        kind = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "about:blank")
        detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"There is nothing at {request.url.path}."
        headers = dict(exc.headers) if exc.headers else None
        return problem_response(request, exc.status_code, kind, detail, headers=headers)

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(
            request, 500, "internal-error", "An unexpected error occurred; it has been logged."
        )


# `model` puts Problem (and InvalidParam) into the components; the media type
# and examples of every 4xx response are set by `document_problems`.
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"model": Problem, "description": "Not found"},
    422: {"model": Problem, "description": "Invalid parameter"},
}

PROBLEM_EXAMPLES: dict[int, Problem] = {
    401: Problem(
        type="/problems/unauthorized",
        title=HTTPStatus.UNAUTHORIZED.phrase,
        status=401,
        detail="The API key is not valid.",
        instance="/keys",
    ),
    403: Problem(
        type="/problems/forbidden",
        title=HTTPStatus.FORBIDDEN.phrase,
        status=403,
        detail="This operation needs an API key with scope 'admin'; "
        "the key 'redaktion-leipzig' has: write.",
        instance="/keys",
    ),
    409: Problem(
        type="/problems/conflict",
        title=HTTPStatus.CONFLICT.phrase,
        status=409,
        detail="An API key named 'redaktion-leipzig' exists already; names are never reused.",
        instance="/keys",
    ),
    404: Problem(
        type="/problems/not-found",
        title=HTTPStatus.NOT_FOUND.phrase,
        status=404,
        detail="No organisation with slug 'gibt-es-nicht'.",
        instance="/organisations/gibt-es-nicht",
    ),
    422: Problem(
        type="/problems/invalid-parameter",
        title=HTTPStatus.UNPROCESSABLE_ENTITY.phrase,
        status=422,
        detail="Invalid request parameter(s): limit.",
        instance="/organisations",
        invalid_params=[
            InvalidParam(
                name="limit", location="query", reason="Input should be less than or equal to 200"
            )
        ],
    ),
}


def document_problems(app: FastAPI) -> None:
    """Document every 4xx response as the handlers send it: `application/problem+json` only.

    FastAPI files a response's `model` under the route's media type
    (`application/json`) and adds its own 422 schema, `HTTPValidationError`,
    which the handlers never send. The generated description is corrected once,
    when it is first built.
    """
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _problems_as_problem_json(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _problems_as_problem_json(schema: dict[str, Any]) -> dict[str, Any]:
    problem_ref = {"$ref": "#/components/schemas/Problem"}
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict):
                continue
            for status, response in operation.get("responses", {}).items():
                if not status.startswith("4"):
                    continue
                example = _problem_example(HTTPStatus(int(status)))
                response["content"] = {
                    PROBLEM_MEDIA_TYPE: {"schema": problem_ref, "example": example}
                }
    components = schema.get("components", {}).get("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)
    return schema


def _problem_example(status: HTTPStatus) -> dict[str, Any]:
    problem = PROBLEM_EXAMPLES.get(status) or Problem(
        type="about:blank", title=status.phrase, status=status, detail=status.description
    )
    return problem.model_dump(exclude_none=True)

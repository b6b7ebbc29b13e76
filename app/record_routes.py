"""The routes every editable resource has alike: create, replace, patch, delete, verify, history.

Each resource's router declares its reads and describes itself in a `RecordRoutes`;
`add_record_routes` adds the rest, the same way for all four, so that the order
of checks, the answers and the documentation of a write never differ between
organisations, regions, contacts and relations.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel
from sqlmodel import Session

from app.changes import service as change_service
from app.changes.models import Resource
from app.changes.schemas import HistoryEntry
from app.deps import BaseUrlDep
from app.editing import (
    CREATE_RESPONSES,
    JSON,
    MERGE_PATCH,
    WRITE_RESPONSES,
    AuthorDep,
    IfMatch,
    JsonBody,
    MergePatchBody,
    needs,
    request_body,
)
from app.errors import PROBLEM_RESPONSES
from app.inputs import validated
from app.pagination import Page, PageDep, Window, paged
from app.reading import ReaderDep
from app.writes import Author, Editing

R = TypeVar("R")


@dataclass(frozen=True)
class RecordRoutes(Generic[R]):
    resource: Resource
    a_noun: str  # "an organisation": for summaries
    key: Any  # the path parameter: an Annotated type whose Path alias is in `path`
    path: str  # "/{slug}"
    response_model: type[Any]
    create_model: type[BaseModel]
    editing: Editing[R, Any, Any]
    create: Callable[[Session, Author, Any, Callable[[R], Response]], Response]
    # The record's representation with its ETag: (session, record, base, status).
    answer: Callable[[Session, R, str, int], Response]
    # The id of the record a key names, deleted or not, for its history; NotFound if none.
    record_id: Callable[[Session, Any], int]
    create_summary: str
    create_description: str
    delete_description: str
    replace_description: str = ""
    # False: the router declares its own DELETE (with options of its own).
    delete: bool = True


def add_record_routes(router: APIRouter, spec: RecordRoutes[Any]) -> None:
    key_type = spec.key
    noun = spec.resource.value
    a_noun = spec.a_noun
    update_model = spec.editing.model

    def answering(session: Session, base: str, status: int = 200) -> Callable[[Any], Response]:
        """The answer to a write: the record as it left it, with its ETag."""
        return lambda record: spec.answer(session, record, base, status)

    @router.post(
        "",
        name=f"create_{noun}",
        summary=spec.create_summary,
        description=needs(spec.create_description, preconditioned=False),
        status_code=201,
        response_model=spec.response_model,
        responses=CREATE_RESPONSES,
        openapi_extra=request_body(spec.create_model, JSON),
    )
    async def create(
        author: AuthorDep, body: JsonBody, reader: ReaderDep, base: BaseUrlDep
    ) -> Response:
        data = validated(spec.create_model, body)

        def write(session: Session) -> Response:
            return spec.create(session, author, data, answering(session, base, 201))

        return await reader.run_apart(write)

    # `key_type` is a value, not a name mypy can read as a type; FastAPI reads it at run time.
    @router.put(
        spec.path,
        name=f"replace_{noun}",
        summary=f"Replace {a_noun}",
        description=needs(
            f"The body is the {noun}'s whole editable state. {spec.replace_description}".strip()
        ),
        response_model=spec.response_model,
        responses=WRITE_RESPONSES,
        openapi_extra=request_body(update_model, JSON),
    )
    async def replace(
        author: AuthorDep,
        if_match: IfMatch,
        key: key_type,  # type: ignore[valid-type]
        body: JsonBody,
        reader: ReaderDep,
        base: BaseUrlDep,
    ) -> Response:
        def write(session: Session) -> Response:
            answer = answering(session, base)
            return spec.editing.replace(session, author, key, body, if_match, answer)

        return await reader.run_apart(write)

    @router.patch(
        spec.path,
        name=f"patch_{noun}",
        summary=f"Change fields of {a_noun}",
        description=needs(
            "A JSON Merge Patch (RFC 7396): the fields given replace theirs, `null` clears one."
        ),
        response_model=spec.response_model,
        responses=WRITE_RESPONSES,
        openapi_extra=request_body(update_model, MERGE_PATCH, JSON),
    )
    async def patch(
        author: AuthorDep,
        if_match: IfMatch,
        key: key_type,  # type: ignore[valid-type]
        body: MergePatchBody,
        reader: ReaderDep,
        base: BaseUrlDep,
    ) -> Response:
        def write(session: Session) -> Response:
            answer = answering(session, base)
            return spec.editing.patch(session, author, key, body, if_match, answer)

        return await reader.run_apart(write)

    if spec.delete:

        @router.delete(
            spec.path,
            name=f"delete_{noun}",
            summary=f"Delete {a_noun}",
            description=needs(spec.delete_description),
            status_code=204,
            response_class=Response,
            responses=WRITE_RESPONSES,
        )
        async def delete(
            author: AuthorDep,
            if_match: IfMatch,
            key: key_type,  # type: ignore[valid-type]
            reader: ReaderDep,
        ) -> Response:
            await reader.run_apart(spec.editing.delete, author, key, if_match)
            return Response(status_code=204)

    @router.post(
        f"{spec.path}/verification",
        name=f"verify_{noun}",
        summary=f"Confirm {a_noun}",
        description=needs(
            "Sets `last_verified_at` (and `valid_as_of`) without changing anything else: "
            "a write of its own, in the history and the feed."
        ),
        response_model=spec.response_model,
        responses=WRITE_RESPONSES,
    )
    async def verify(
        author: AuthorDep,
        if_match: IfMatch,
        key: key_type,  # type: ignore[valid-type]
        reader: ReaderDep,
        base: BaseUrlDep,
    ) -> Response:
        def write(session: Session) -> Response:
            return spec.editing.confirm(session, author, key, if_match, answering(session, base))

        return await reader.run_apart(write)

    @router.get(
        f"{spec.path}/history",
        name=f"{noun}_history",
        summary=f"{a_noun[0].upper()}{a_noun[1:]}'s history",
        description="Every change, newest first: version, time, key name, source note and "
        f"the fields before and after. A deleted {noun} keeps its history.",
        response_model=Page[HistoryEntry],
        responses=PROBLEM_RESPONSES,
    )
    async def history(
        key: key_type,  # type: ignore[valid-type]
        request: Request,
        reader: ReaderDep,
        page: PageDep,
    ) -> Response:
        def read(session: Session) -> Window[HistoryEntry]:
            return change_service.history(
                session, spec.resource, spec.record_id(session, key), page
            )

        return paged(request, await reader.run(read), page)

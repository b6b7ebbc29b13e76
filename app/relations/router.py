from typing import Annotated

from annotated_types import Ge, Le
from fastapi import APIRouter, Path, Query, Request, Response

from app.changes import service as change_service
from app.changes.models import Resource
from app.changes.schemas import HistoryEntry
from app.db import MAX_ID
from app.deps import PLAIN_DIGITS, BaseUrlDep, SessionDep
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
    record_response,
    request_body,
)
from app.errors import PROBLEM_RESPONSES, NotFound
from app.etags import etag_of
from app.inputs import validated
from app.organisations.models import Relation
from app.organisations.router import IncludeDeleted, UpdatedSince, VerifiedBefore
from app.pagination import Page, PageDep, paged
from app.relations import service, writes
from app.relations.schemas import RelationInput, RelationRecord

router = APIRouter(prefix="/relations", tags=["relations"])

RelationId = Annotated[Annotated[int, Ge(1), Le(MAX_ID)], PLAIN_DIGITS, Path(examples=[1])]


def detail_response(
    session: SessionDep, relation: Relation, base: str, status: int = 200
) -> Response:
    record = service.relation_public(session, relation, base)
    etag = etag_of(Resource.relation, relation)
    return record_response(record, etag, status, record.url if status == 201 else None)


@router.get(
    "",
    summary="List relations",
    description="Typed relations between organisations, read `subject <type> object`, by id.",
    response_model=Page[RelationRecord],
    responses=PROBLEM_RESPONSES,
)
def list_relations(
    request: Request,
    response: Response,
    session: SessionDep,
    base: BaseUrlDep,
    page: PageDep,
    organisation: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=120,
            description="Slug of an organisation: its relations, either end.",
            examples=["bon-courage"],
        ),
    ] = None,
    updated_since: UpdatedSince = None,
    verified_before: VerifiedBefore = None,
    include_deleted: IncludeDeleted = False,
) -> Page[RelationRecord]:
    filters = service.RelationFilters(organisation, updated_since, verified_before, include_deleted)
    window = service.list_relations(session, filters, page, base)
    return paged(request, response, window, page)


@router.get(
    "/{relation_id}",
    summary="Get one relation",
    description="A deleted relation is a 410.",
    response_model=RelationRecord,
    responses={**PROBLEM_RESPONSES, 410: WRITE_RESPONSES[410]},
)
def get_relation(relation_id: RelationId, session: SessionDep, base: BaseUrlDep) -> Response:
    return detail_response(session, service.get_relation(session, relation_id), base)


@router.post(
    "",
    summary="Relate two organisations",
    description=needs(
        "Both must exist and not be deleted; the same type between the same two is a 409.",
        preconditioned=False,
    ),
    status_code=201,
    response_model=RelationRecord,
    responses=CREATE_RESPONSES,
    openapi_extra=request_body(RelationInput, JSON),
)
def create_relation(
    author: AuthorDep,
    body: JsonBody,
    session: SessionDep,
    base: BaseUrlDep,
) -> Response:
    data = validated(RelationInput, body)
    return detail_response(session, writes.create(session, author, data), base, status=201)


@router.put(
    "/{relation_id}",
    summary="Replace a relation",
    description=needs("The body is the relation's whole editable state."),
    response_model=RelationRecord,
    responses=WRITE_RESPONSES,
    openapi_extra=request_body(RelationInput, JSON),
)
def replace_relation(
    author: AuthorDep,
    if_match: IfMatch,
    relation_id: RelationId,
    body: JsonBody,
    session: SessionDep,
    base: BaseUrlDep,
) -> Response:
    data = validated(RelationInput, body)
    relation = writes.EDITING.replace(session, author, relation_id, data, if_match)
    return detail_response(session, relation, base)


@router.patch(
    "/{relation_id}",
    summary="Change fields of a relation",
    description=needs('A JSON Merge Patch (RFC 7396), e.g. `{"role": "Sprecher"}`.'),
    response_model=RelationRecord,
    responses=WRITE_RESPONSES,
    openapi_extra=request_body(RelationInput, MERGE_PATCH, JSON),
)
def patch_relation(
    author: AuthorDep,
    if_match: IfMatch,
    relation_id: RelationId,
    body: MergePatchBody,
    session: SessionDep,
    base: BaseUrlDep,
) -> Response:
    relation = writes.EDITING.patch(session, author, relation_id, body, if_match)
    return detail_response(session, relation, base)


@router.delete(
    "/{relation_id}",
    summary="Delete a relation",
    description=needs("It answers 410 from then on and stays in the change feed."),
    status_code=204,
    response_class=Response,
    responses=WRITE_RESPONSES,
)
def delete_relation(
    author: AuthorDep,
    if_match: IfMatch,
    relation_id: RelationId,
    session: SessionDep,
) -> Response:
    writes.EDITING.delete(session, author, relation_id, if_match)
    return Response(status_code=204)


@router.post(
    "/{relation_id}/verification",
    summary="Confirm a relation",
    description=needs("Sets `last_verified_at`: a write of its own, in the history and feed."),
    response_model=RelationRecord,
    responses=WRITE_RESPONSES,
)
def verify_relation(
    author: AuthorDep,
    if_match: IfMatch,
    relation_id: RelationId,
    session: SessionDep,
    base: BaseUrlDep,
) -> Response:
    relation = writes.EDITING.confirm(session, author, relation_id, if_match)
    return detail_response(session, relation, base)


@router.get(
    "/{relation_id}/history",
    summary="A relation's history",
    description="Every change, newest first.",
    response_model=Page[HistoryEntry],
    responses=PROBLEM_RESPONSES,
)
def relation_history(
    relation_id: RelationId,
    request: Request,
    response: Response,
    session: SessionDep,
    page: PageDep,
) -> Page[HistoryEntry]:
    if session.get(Relation, relation_id) is None:
        raise NotFound("relation", "id", relation_id)
    window = change_service.history(session, Resource.relation, relation_id, page)
    return paged(request, response, window, page)

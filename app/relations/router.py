from typing import Annotated

from annotated_types import Ge, Le
from fastapi import APIRouter, Path, Query, Request, Response
from sqlmodel import Session

from app.changes.models import Resource
from app.db import MAX_ID
from app.deps import PLAIN_DIGITS, BaseUrlDep
from app.editing import (
    WRITE_RESPONSES,
    read_response,
    record_response,
)
from app.errors import PROBLEM_RESPONSES, NotFound
from app.etags import etag_of
from app.organisations.models import Relation
from app.organisations.router import IncludeDeleted, UpdatedSince, VerifiedBefore
from app.pagination import Page, PageDep, paged
from app.reading import ReaderDep
from app.record_routes import RecordRoutes, add_record_routes
from app.relations import service, writes
from app.relations.schemas import RelationInput, RelationRecord

router = APIRouter(prefix="/relations", tags=["relations"])

RelationId = Annotated[
    Annotated[int, Ge(1), Le(MAX_ID)], PLAIN_DIGITS, Path(alias="relation_id", examples=[1])
]


def detail_response(session: Session, relation: Relation, base: str, status: int = 200) -> Response:
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
async def list_relations(
    request: Request,
    reader: ReaderDep,
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
) -> Response:
    filters = service.RelationFilters(organisation, updated_since, verified_before, include_deleted)
    window = await reader.run(service.list_relations, filters, page, base)
    return paged(request, window, page)


@router.get(
    "/{relation_id}",
    summary="Get one relation",
    description="A deleted relation is a 410.",
    response_model=RelationRecord,
    responses={**PROBLEM_RESPONSES, 410: WRITE_RESPONSES[410]},
)
async def get_relation(relation_id: RelationId, reader: ReaderDep, base: BaseUrlDep) -> Response:
    detail = await reader.run(service.read_detail, relation_id, base)
    return read_response(Resource.relation, detail)


def _record_id(session: Session, relation_id: int) -> int:
    if session.get(Relation, relation_id) is None:
        raise NotFound("relation", "id", relation_id)
    return relation_id


add_record_routes(
    router,
    RecordRoutes(
        resource=Resource.relation,
        a_noun="a relation",
        key=RelationId,
        path="/{relation_id}",
        response_model=RelationRecord,
        create_model=RelationInput,
        editing=writes.EDITING,
        create=writes.create,
        answer=detail_response,
        record_id=_record_id,
        create_summary="Relate two organisations",
        create_description="Both must exist and not be deleted; the same type between the "
        "same two is a 409.",
        delete_description="It answers 410 from then on and stays in the change feed.",
    ),
)

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from app.changes import service as change_service
from app.changes.models import Resource
from app.changes.schemas import HistoryEntry
from app.db import stored_id
from app.deps import BaseUrlDep, SessionDep
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
from app.organisations.router import IncludeDeleted, UpdatedSince, VerifiedBefore
from app.pagination import Page, PageDep, paged
from app.regions import service, writes
from app.regions.models import Region, RegionKind
from app.regions.schemas import RegionCreate, RegionDetail, RegionSummary, RegionUpdate
from app.search.query import MAX_QUERY_LENGTH

router = APIRouter(prefix="/regions", tags=["regions"])


@router.get(
    "",
    summary="List regions",
    description="The Freistaat Sachsen, its Kreise and the towns and former districts below them.",
    response_model=Page[RegionSummary],
    responses=PROBLEM_RESPONSES,
)
def list_regions(
    request: Request,
    response: Response,
    session: SessionDep,
    base: BaseUrlDep,
    page: PageDep,
    q: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=MAX_QUERY_LENGTH,
            description="Words of the name; the last may be the start of a word. Full-text, "
            "as `/search`; the list stays in name order.",
            examples=["Görlitz"],
        ),
    ] = None,
    kind: Annotated[list[RegionKind], Query(examples=["rural_district"])] = [],  # noqa: B006
    parent: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=120,
            description="Code or slug of the parent region.",
            examples=["14"],
        ),
    ] = None,
    updated_since: UpdatedSince = None,
    verified_before: VerifiedBefore = None,
    include_deleted: IncludeDeleted = False,
) -> Page[RegionSummary]:
    filters = service.RegionFilters(
        q=q,
        kinds=kind,
        parent=parent,
        updated_since=updated_since,
        verified_before=verified_before,
        include_deleted=include_deleted,
    )
    return paged(request, response, service.list_regions(session, filters, page, base), page)


CodePath = Annotated[str, Path(max_length=120, examples=["14626", "landkreis-goerlitz"])]


def detail_response(session: SessionDep, region: Region, base: str, status: int = 200) -> Response:
    detail = service.region_detail(session, region, base)
    etag = etag_of(Resource.region, region)
    return record_response(detail, etag, status, detail.url if status == 201 else None)


@router.get(
    "/{code}",
    summary="Get one region",
    description="By official code (Regionalschlüssel, e.g. `14626`) or slug, with its parent, "
    "children and the organisations in it. A deleted region is a 410.",
    response_model=RegionDetail,
    responses={**PROBLEM_RESPONSES, 410: WRITE_RESPONSES[410]},
)
def get_region(code: CodePath, session: SessionDep, base: BaseUrlDep) -> Response:
    return detail_response(session, service.get_region(session, code), base)


@router.post(
    "",
    summary="Create a region",
    description=needs("A place below an existing region (`parent`).", preconditioned=False),
    status_code=201,
    response_model=RegionDetail,
    responses=CREATE_RESPONSES,
    openapi_extra=request_body(RegionCreate, JSON),
)
def create_region(
    author: AuthorDep,
    body: JsonBody,
    session: SessionDep,
    base: BaseUrlDep,
) -> Response:
    data = validated(RegionCreate, body)
    return detail_response(session, writes.create(session, author, data), base, status=201)


@router.put(
    "/{code}",
    summary="Replace a region",
    description=needs(
        "The body is the region's whole editable state; a parent below the region itself is a 422."
    ),
    response_model=RegionDetail,
    responses=WRITE_RESPONSES,
    openapi_extra=request_body(RegionUpdate, JSON),
)
def replace_region(
    author: AuthorDep,
    if_match: IfMatch,
    code: CodePath,
    body: JsonBody,
    session: SessionDep,
    base: BaseUrlDep,
) -> Response:
    data = validated(RegionUpdate, body)
    return detail_response(
        session, writes.EDITING.replace(session, author, code, data, if_match), base
    )


@router.patch(
    "/{code}",
    summary="Change fields of a region",
    description=needs("A JSON Merge Patch (RFC 7396); `null` clears a field."),
    response_model=RegionDetail,
    responses=WRITE_RESPONSES,
    openapi_extra=request_body(RegionUpdate, MERGE_PATCH, JSON),
)
def patch_region(
    author: AuthorDep,
    if_match: IfMatch,
    code: CodePath,
    body: MergePatchBody,
    session: SessionDep,
    base: BaseUrlDep,
) -> Response:
    return detail_response(
        session, writes.EDITING.patch(session, author, code, body, if_match), base
    )


@router.delete(
    "/{code}",
    summary="Delete a region",
    description=needs("Only a region nothing refers to: else a 409 listing what does."),
    status_code=204,
    response_class=Response,
    responses=WRITE_RESPONSES,
)
def delete_region(
    author: AuthorDep,
    if_match: IfMatch,
    code: CodePath,
    session: SessionDep,
) -> Response:
    writes.EDITING.delete(session, author, code, if_match)
    return Response(status_code=204)


@router.post(
    "/{code}/verification",
    summary="Confirm a region's facts",
    description=needs("Sets `last_verified_at`: a write of its own, in the history and feed."),
    response_model=RegionDetail,
    responses=WRITE_RESPONSES,
)
def verify_region(
    author: AuthorDep,
    if_match: IfMatch,
    code: CodePath,
    session: SessionDep,
    base: BaseUrlDep,
) -> Response:
    return detail_response(session, writes.EDITING.confirm(session, author, code, if_match), base)


@router.get(
    "/{code}/history",
    summary="A region's history",
    description="Every change, newest first. Deleted regions keep theirs.",
    response_model=Page[HistoryEntry],
    responses=PROBLEM_RESPONSES,
)
def region_history(
    code: CodePath, request: Request, response: Response, session: SessionDep, page: PageDep
) -> Page[HistoryEntry]:
    region = service.find_region(session, code, include_deleted=True)
    if region is None:
        raise NotFound("region", "code or slug", code)
    window = change_service.history(session, Resource.region, stored_id(region), page)
    return paged(request, response, window, page)

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from sqlmodel import Session

from app.changes.models import Resource
from app.db import stored_id
from app.deps import BaseUrlDep
from app.editing import (
    WRITE_RESPONSES,
    read_response,
    record_response,
)
from app.errors import PROBLEM_RESPONSES, NotFound
from app.etags import etag_of
from app.formats import csv, jsonld
from app.formats.negotiation import (
    LIST_RESPONSES,
    RECORD_RESPONSES,
    Format,
    ListFormatDep,
    RecordFormatDep,
    vary_accept,
)
from app.formats.streaming import list_stream
from app.organisations.router import IncludeDeleted, UpdatedSince, VerifiedBefore
from app.pagination import PageDep, SearchPage, paged
from app.reading import ReaderDep
from app.record_routes import RecordRoutes, add_record_routes
from app.regions import service, writes
from app.regions.models import Region, RegionKind
from app.regions.schemas import RegionCreate, RegionDetail, RegionSummary
from app.search.query import MAX_QUERY_LENGTH

router = APIRouter(prefix="/regions", tags=["regions"])


@router.get(
    "",
    summary="List regions",
    description="The Freistaat Sachsen, its Kreise and the towns and former districts below them.",
    response_model=SearchPage[RegionSummary],
    responses={**PROBLEM_RESPONSES, **LIST_RESPONSES},
)
async def list_regions(
    request: Request,
    fmt: ListFormatDep,
    reader: ReaderDep,
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
) -> Response:
    filters = service.RegionFilters(
        q=q,
        kinds=kind,
        parent=parent,
        updated_since=updated_since,
        verified_before=verified_before,
        include_deleted=include_deleted,
    )
    if fmt is not Format.json:
        return await list_stream(
            fmt,
            lambda every: reader.run(service.list_regions, filters, every, base),
            csv.REGION_COLUMNS,
            {"Vary": "Accept"},
        )
    window = await reader.run(service.list_regions, filters, page, base)
    return vary_accept(paged(request, window, page))


CodePath = Annotated[
    str, Path(alias="code", max_length=120, examples=["14626", "landkreis-goerlitz"])
]


def detail_response(session: Session, region: Region, base: str, status: int = 200) -> Response:
    detail = service.region_detail(session, region, base)
    etag = etag_of(Resource.region, region)
    return record_response(detail, etag, status, detail.url if status == 201 else None)


@router.get(
    "/{code}",
    summary="Get one region",
    description="By official code (Regionalschlüssel, e.g. `14626`) or slug, with its parent, "
    "children and the organisations in it. A deleted region is a 410.",
    response_model=RegionDetail,
    responses={**PROBLEM_RESPONSES, **RECORD_RESPONSES, 410: WRITE_RESPONSES[410]},
)
async def get_region(
    code: CodePath, fmt: RecordFormatDep, reader: ReaderDep, base: BaseUrlDep
) -> Response:
    detail = await reader.run(service.read_detail, code, base)
    node = jsonld.region(detail) if fmt is Format.jsonld else None
    return read_response(Resource.region, detail, linked_data=node, negotiated=True)


def _record_id(session: Session, code: str) -> int:
    region = service.find_region(session, code, include_deleted=True)
    if region is None:
        raise NotFound("region", "code or slug", code)
    return stored_id(region)


add_record_routes(
    router,
    RecordRoutes(
        resource=Resource.region,
        a_noun="a region",
        key=CodePath,
        path="/{code}",
        response_model=RegionDetail,
        create_model=RegionCreate,
        editing=writes.EDITING,
        create=writes.create,
        answer=detail_response,
        record_id=_record_id,
        create_summary="Create a region",
        create_description="A place below an existing region (`parent`).",
        replace_description="A parent below the region itself is a 422.",
        delete_description="Only a region nothing refers to: else a 409 listing what does.",
    ),
)

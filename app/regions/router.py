from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from app.deps import BaseUrlDep, SessionDep
from app.errors import PROBLEM_RESPONSES
from app.pagination import Page, PageDep, paged
from app.regions import service
from app.regions.models import RegionKind
from app.regions.schemas import RegionDetail, RegionSummary
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
) -> Page[RegionSummary]:
    filters = service.RegionFilters(q=q, kinds=kind, parent=parent)
    return paged(request, response, service.list_regions(session, filters, page, base), page)


@router.get(
    "/{code}",
    summary="Get one region",
    description="By official code (Regionalschlüssel, e.g. `14626`) or slug, with its parent, "
    "children and the organisations in it.",
    response_model=RegionDetail,
    responses=PROBLEM_RESPONSES,
)
def get_region(
    code: Annotated[str, Path(max_length=120, examples=["14626", "landkreis-goerlitz"])],
    session: SessionDep,
    base: BaseUrlDep,
) -> RegionDetail:
    return service.region_detail(session, service.get_region(session, code), base)

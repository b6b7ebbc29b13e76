from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.deps import BaseUrlDep, SessionDep
from app.errors import PROBLEM_RESPONSES
from app.organisations import service
from app.organisations.models import Level, OrganisationKind
from app.organisations.schemas import OrganisationDetail, OrganisationSummary
from app.pagination import Page, PageDep, paged

router = APIRouter(prefix="/organisations", tags=["organisations"])

QueryText = Annotated[
    str | None,
    Query(
        min_length=1, max_length=200, description="Part of the name.", examples=["Flüchtlingsrat"]
    ),
]
KindFilter = Annotated[
    list[OrganisationKind],
    Query(description="Kind of organisation; repeat for any of several.", examples=["association"]),
]
LevelFilter = Annotated[
    list[Level], Query(description="Level the source files it under.", examples=["regional"])
]
RegionFilter = Annotated[
    str | None,
    Query(
        max_length=120,
        description="Region code or slug; includes its sub-regions.",
        examples=["14626"],
    ),
]
TopicFilter = Annotated[
    list[str],
    Query(description="Topic tag; repeat for any of several.", examples=["rechtsberatung"]),
]


@router.get(
    "",
    summary="List organisations",
    description="Every actor of the directory, networks included, ordered by name.",
    response_model=Page[OrganisationSummary],
    responses=PROBLEM_RESPONSES,
)
def list_organisations(
    request: Request,
    response: Response,
    session: SessionDep,
    base: BaseUrlDep,
    page: PageDep,
    q: QueryText = None,
    kind: KindFilter = [],  # noqa: B006 - FastAPI copies defaults
    level: LevelFilter = [],  # noqa: B006
    region: RegionFilter = None,
    topic: TopicFilter = [],  # noqa: B006
) -> Page[OrganisationSummary]:
    filters = service.OrganisationFilters(
        q=q, kinds=kind, levels=level, region=region, topics=topic
    )
    return paged(request, response, service.list_organisations(session, filters, page, base), page)


@router.get(
    "/{slug}",
    summary="Get one organisation",
    description="With its regions, contacts, relations in both directions and provenance.",
    response_model=OrganisationDetail,
    responses=PROBLEM_RESPONSES,
)
def get_organisation(slug: str, session: SessionDep, base: BaseUrlDep) -> OrganisationDetail:
    return service.organisation_detail(session, service.get_organisation(session, slug), base)

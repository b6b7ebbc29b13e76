from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from app.contacts.models import ContactKind
from app.deps import REPEATABLE, BaseUrlDep, FilterValues, SessionDep, UTCMoment
from app.errors import PROBLEM_RESPONSES
from app.organisations import service
from app.organisations.facets import FACETS
from app.organisations.models import Level, OrganisationKind
from app.organisations.schemas import OrganisationDetail, OrganisationSummary
from app.organisations.service import OrganisationSort
from app.pagination import FacetedPage, PageDep, facets_parameter, paged
from app.search.query import MAX_QUERY_LENGTH

router = APIRouter(prefix="/organisations", tags=["organisations"])

QueryText = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=MAX_QUERY_LENGTH,
        description="Search text: names, descriptions, tasks, topics, target groups. Every "
        "word must occur, in any case, with umlauts or without; the last may be the start "
        "of a word. Full-text, as `/search`.",
        examples=["Rechtsberatung Leipzig"],
    ),
]
LevelFilter = Annotated[
    list[Level], Query(description="Level the source files it under.", examples=["regional"])
]
RegionFilter = Annotated[
    FilterValues,
    Query(
        description=f"Region code or slug; includes its sub-regions. {REPEATABLE}",
        examples=["14626"],
    ),
]
TopicFilter = Annotated[
    FilterValues,
    Query(
        description=f"Topic, in any case, with umlauts or without. {REPEATABLE}",
        examples=["rechtsberatung"],
    ),
]
NetworkFilter = Annotated[
    FilterValues,
    Query(
        description=f"Slug of a network: its members. {REPEATABLE}",
        examples=["iq-netzwerk-sachsen"],
    ),
]
RelatedFilter = Annotated[
    FilterValues,
    Query(
        description="Slug of an organisation: everything related to it, either direction. "
        f"{REPEATABLE}",
        examples=["bon-courage"],
    ),
]
ContactFilter = Annotated[
    list[ContactKind], Query(description="Has a contact of this kind.", examples=["email"])
]
UpdatedSince = Annotated[
    UTCMoment | None,
    Query(description="Changed at or after this ISO 8601 time.", examples=["2026-01-01T00:00:00Z"]),
]
SortParam = Annotated[
    OrganisationSort | None,
    Query(description="Order; default `relevance` with `q`, else `name`.", examples=["name"]),
]


FacetsDep = Annotated[list[str], Depends(facets_parameter(FACETS))]


@router.get(
    "",
    summary="List organisations",
    description="Every actor of the directory, networks included. Different filters combine "
    "with AND; a repeated filter matches any of its values.",
    response_model=FacetedPage[OrganisationSummary],
    responses=PROBLEM_RESPONSES,
)
def list_organisations(
    request: Request,
    response: Response,
    session: SessionDep,
    base: BaseUrlDep,
    page: PageDep,
    facets: FacetsDep,
    q: QueryText = None,
    kind: Annotated[
        list[OrganisationKind], Query(description="Kind of organisation.", examples=["association"])
    ] = [],  # noqa: B006 - FastAPI copies defaults
    level: LevelFilter = [],  # noqa: B006
    region: RegionFilter = [],  # noqa: B006
    topic: TopicFilter = [],  # noqa: B006
    network: NetworkFilter = [],  # noqa: B006
    related_to: RelatedFilter = [],  # noqa: B006
    has_contact: ContactFilter = [],  # noqa: B006
    updated_since: UpdatedSince = None,
    sort: SortParam = None,
) -> FacetedPage[OrganisationSummary]:
    filters = service.OrganisationFilters(
        q=q,
        kinds=kind,
        levels=level,
        regions=region,
        topics=topic,
        networks=network,
        related_to=related_to,
        has_contact=has_contact,
        updated_since=updated_since,
    )
    window = service.list_organisations(session, filters, sort, page, base, facets)
    return paged(request, response, window, page)  # type: ignore[return-value]


@router.get(
    "/{slug}",
    summary="Get one organisation",
    description="With its regions, contacts, relations in both directions and provenance.",
    response_model=OrganisationDetail,
    responses=PROBLEM_RESPONSES,
)
def get_organisation(
    slug: Annotated[str, Path(max_length=120, examples=["refugee-law-clinic-leipzig"])],
    session: SessionDep,
    base: BaseUrlDep,
) -> OrganisationDetail:
    return service.organisation_detail(session, service.get_organisation(session, slug), base)

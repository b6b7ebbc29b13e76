from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.deps import BaseUrlDep, SessionDep
from app.errors import PROBLEM_RESPONSES
from app.organisations import service
from app.organisations.models import NETWORK_KINDS, Level
from app.organisations.router import QueryText, RegionFilter, TopicFilter
from app.organisations.schemas import NetworkDetail, NetworkSummary
from app.pagination import Page, PageDep, paged

router = APIRouter(prefix="/networks", tags=["networks"])

NetworkKind = StrEnum("NetworkKind", {k: k for k in sorted(NETWORK_KINDS)})  # type: ignore[misc]


@router.get(
    "",
    summary="List networks",
    description="Networks, committees, working groups and round tables, each with its members.",
    response_model=Page[NetworkSummary],
    responses=PROBLEM_RESPONSES,
)
def list_networks(
    request: Request,
    response: Response,
    session: SessionDep,
    base: BaseUrlDep,
    page: PageDep,
    q: QueryText = None,
    kind: Annotated[
        list[NetworkKind],  # type: ignore[valid-type]
        Query(description="Kind of network; repeat for any of several.", examples=["round_table"]),
    ] = [],  # noqa: B006
    level: Annotated[list[Level], Query(examples=["regional"])] = [],  # noqa: B006
    region: RegionFilter = None,
    topic: TopicFilter = [],  # noqa: B006
) -> Page[NetworkSummary]:
    filters = service.OrganisationFilters(
        q=q, kinds=kind, levels=level, region=region, topics=topic, networks_only=True
    )
    return paged(request, response, service.list_networks(session, filters, page, base), page)


@router.get(
    "/{slug}",
    summary="Get one network with its members",
    response_model=NetworkDetail,
    responses=PROBLEM_RESPONSES,
)
def get_network(slug: str, session: SessionDep, base: BaseUrlDep) -> NetworkDetail:
    return service.network_detail(session, service.get_network(session, slug), base)

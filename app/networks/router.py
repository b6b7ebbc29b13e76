from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from app.changes.models import Resource
from app.deps import BaseUrlDep
from app.editing import WRITE_RESPONSES, read_response
from app.errors import PROBLEM_RESPONSES
from app.formats import csv, jsonld
from app.formats.negotiation import (
    LIST_RESPONSES,
    RECORD_RESPONSES,
    Format,
    ListFormatDep,
    RecordFormatDep,
)
from app.formats.streaming import list_stream
from app.languages import LanguageDep
from app.organisations import service
from app.organisations.models import NETWORK_KINDS
from app.organisations.router import (
    AccessFilter,
    ContactFilter,
    FacetsDep,
    IncludeDeleted,
    LanguageFilter,
    LevelFilter,
    NetworkFilter,
    OfferFilter,
    QueryText,
    RegionFilter,
    RelatedFilter,
    ServesFilter,
    SortParam,
    TargetGroupFilter,
    TopicFilter,
    UpdatedSince,
    VerifiedBefore,
    negotiated_headers,
)
from app.organisations.schemas import NetworkDetail, NetworkSummary
from app.pagination import FacetedPage, PageDep, paged
from app.reading import ReaderDep

router = APIRouter(prefix="/networks", tags=["networks"])

NetworkKind = StrEnum("NetworkKind", {k: k for k in sorted(NETWORK_KINDS)})  # type: ignore[misc]


@router.get(
    "",
    summary="List networks",
    description="Networks, committees, working groups and round tables, each with its members. "
    "Takes the same filters as `/organisations`.",
    response_model=FacetedPage[NetworkSummary],
    responses={**PROBLEM_RESPONSES, **LIST_RESPONSES},
)
async def list_networks(
    request: Request,
    fmt: ListFormatDep,
    reader: ReaderDep,
    base: BaseUrlDep,
    page: PageDep,
    facets: FacetsDep,
    lang: LanguageDep,
    q: QueryText = None,
    kind: Annotated[
        list[NetworkKind],  # type: ignore[valid-type]
        Query(description="Kind of network.", examples=["round_table"]),
    ] = [],  # noqa: B006 - FastAPI copies defaults
    level: LevelFilter = [],  # noqa: B006
    region: RegionFilter = [],  # noqa: B006
    serves: ServesFilter = [],  # noqa: B006
    topic: TopicFilter = [],  # noqa: B006
    offer: OfferFilter = [],  # noqa: B006
    target_group: TargetGroupFilter = [],  # noqa: B006
    access: AccessFilter = [],  # noqa: B006
    language: LanguageFilter = [],  # noqa: B006
    network: NetworkFilter = [],  # noqa: B006
    related_to: RelatedFilter = [],  # noqa: B006
    has_contact: ContactFilter = [],  # noqa: B006
    updated_since: UpdatedSince = None,
    verified_before: VerifiedBefore = None,
    include_deleted: IncludeDeleted = False,
    sort: SortParam = None,
) -> Response:
    filters = service.OrganisationFilters(
        q=q,
        kinds=kind,
        levels=level,
        regions=region,
        serves=serves,
        topics=topic,
        offers=offer,
        target_groups=target_group,
        access=access,
        languages=language,
        networks=network,
        related_to=related_to,
        has_contact=has_contact,
        updated_since=updated_since,
        verified_before=verified_before,
        include_deleted=include_deleted,
        networks_only=True,
    )
    if fmt is not Format.json:
        return await list_stream(
            fmt,
            lambda every: reader.run(service.list_networks, filters, sort, every, base, (), lang),
            csv.NETWORK_COLUMNS,
            negotiated_headers(lang),
        )
    window = await reader.run(service.list_networks, filters, sort, page, base, facets, lang)
    response = paged(request, window, page)
    response.headers.update(negotiated_headers(lang))
    return response


@router.get(
    "/{slug}",
    summary="Get one network with its members",
    description="A deleted network is a 410. The `ETag` is the organisation's, as "
    "`If-Match` on `/organisations/{slug}` takes it.",
    response_model=NetworkDetail,
    responses={**PROBLEM_RESPONSES, **RECORD_RESPONSES, 410: WRITE_RESPONSES[410]},
)
async def get_network(
    slug: Annotated[str, Path(max_length=120, examples=["asyl-konferenz"])],
    fmt: RecordFormatDep,
    reader: ReaderDep,
    base: BaseUrlDep,
    lang: LanguageDep,
) -> Response:
    detail = await reader.run(service.read_network_detail, slug, base, lang)
    node = jsonld.organisation(detail, lang, detail.members) if fmt is Format.jsonld else None
    return read_response(Resource.organisation, detail, lang, node, negotiated=True)

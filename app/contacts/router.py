from typing import Annotated

from annotated_types import Ge, Le
from fastapi import APIRouter, Depends, Path, Query, Request, Response

from app.contacts import service
from app.contacts.models import ContactKind
from app.contacts.schemas import ContactPublic
from app.contacts.service import CONTACT_FACETS, ContactSort
from app.db import MAX_ID
from app.deps import PLAIN_DIGITS, REPEATABLE, BaseUrlDep, FilterValues, SessionDep
from app.errors import PROBLEM_RESPONSES
from app.organisations.router import NetworkFilter, RegionFilter, RelatedFilter, UpdatedSince
from app.pagination import FacetedPage, PageDep, facets_parameter, paged
from app.search.query import MAX_QUERY_LENGTH

router = APIRouter(prefix="/contacts", tags=["contacts"])


@router.get(
    "",
    summary="List contacts",
    description="E-mail addresses, websites, phones, addresses and named people, "
    "each with its organisation. Different filters combine with AND; a repeated filter "
    "matches any of its values.",
    response_model=FacetedPage[ContactPublic],
    responses=PROBLEM_RESPONSES,
)
def list_contacts(
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
            description="Search text: words of the address, label, name or role. Every word "
            "must occur; the last may be the start of a word. Full-text, as `/search`.",
            examples=["raa-sachsen"],
        ),
    ] = None,
    kind: Annotated[list[ContactKind], Query(examples=["email"])] = [],  # noqa: B006
    organisation: Annotated[
        FilterValues,
        Query(description=f"Organisation slug. {REPEATABLE}", examples=["bon-courage"]),
    ] = [],  # noqa: B006
    region: RegionFilter = [],  # noqa: B006
    network: NetworkFilter = [],  # noqa: B006
    related_to: RelatedFilter = [],  # noqa: B006
    updated_since: UpdatedSince = None,
    sort: Annotated[
        ContactSort | None,
        Query(
            description="Order; default `relevance` with `q` (which it needs), else `id`.",
            examples=["value"],
        ),
    ] = None,
    facets: Annotated[list[str], Depends(facets_parameter(CONTACT_FACETS))] = [],  # noqa: B006
) -> FacetedPage[ContactPublic]:
    filters = service.ContactFilters(
        q=q,
        kinds=kind,
        organisations=organisation,
        regions=region,
        networks=network,
        related_to=related_to,
        updated_since=updated_since,
    )
    window = service.list_contacts(session, filters, sort, page, base, facets)
    return paged(request, response, window, page)  # type: ignore[return-value]


@router.get(
    "/{contact_id}",
    summary="Get one contact",
    response_model=ContactPublic,
    responses=PROBLEM_RESPONSES,
)
def get_contact(
    contact_id: Annotated[Annotated[int, Ge(1), Le(MAX_ID)], PLAIN_DIGITS, Path(examples=[1])],
    session: SessionDep,
    base: BaseUrlDep,
) -> ContactPublic:
    (contact,) = service.public_contacts(session, [service.get_contact(session, contact_id)], base)
    return contact

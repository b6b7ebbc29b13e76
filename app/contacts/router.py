from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from app.contacts import service
from app.contacts.models import ContactKind
from app.contacts.schemas import ContactPublic
from app.deps import BaseUrlDep, SessionDep
from app.errors import PROBLEM_RESPONSES
from app.pagination import Page, PageDep, paged

router = APIRouter(prefix="/contacts", tags=["contacts"])


@router.get(
    "",
    summary="List contacts",
    description="E-mail addresses, websites, phones, addresses and named people, "
    "each with its organisation.",
    response_model=Page[ContactPublic],
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
            min_length=1, max_length=200, description="Part of the value.", examples=["raa-sachsen"]
        ),
    ] = None,
    kind: Annotated[list[ContactKind], Query(examples=["email"])] = [],  # noqa: B006
    organisation: Annotated[
        str | None,
        Query(
            max_length=120, description="Organisation slug.", examples=["opferberatung-raa-sachsen"]
        ),
    ] = None,
    region: Annotated[
        str | None,
        Query(
            max_length=120,
            description="Region code or slug; includes sub-regions.",
            examples=["14511"],
        ),
    ] = None,
) -> Page[ContactPublic]:
    filters = service.ContactFilters(q=q, kinds=kind, organisation=organisation, region=region)
    return paged(request, response, service.list_contacts(session, filters, page, base), page)


@router.get(
    "/{contact_id}",
    summary="Get one contact",
    response_model=ContactPublic,
    responses=PROBLEM_RESPONSES,
)
def get_contact(
    contact_id: Annotated[int, Path(ge=1, le=2**53, examples=[1])],
    session: SessionDep,
    base: BaseUrlDep,
) -> ContactPublic:
    (contact,) = service.public_contacts(session, [service.get_contact(session, contact_id)], base)
    return contact

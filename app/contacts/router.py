from typing import Annotated

from annotated_types import Ge, Le
from fastapi import APIRouter, Depends, Path, Query, Request, Response
from sqlmodel import Session

from app.changes.models import Resource
from app.contacts import service, writes
from app.contacts.models import Contact, ContactKind
from app.contacts.schemas import ContactCreate, ContactPublic
from app.contacts.service import CONTACT_FACETS, ContactSort
from app.db import MAX_ID
from app.deps import PLAIN_DIGITS, REPEATABLE, BaseUrlDep, FilterValues
from app.editing import (
    WRITE_RESPONSES,
    read_response,
    record_response,
)
from app.errors import PROBLEM_RESPONSES, NotFound
from app.etags import etag_of
from app.formats import csv
from app.formats.negotiation import LIST_RESPONSES, Format, ListFormatDep, vary_accept
from app.formats.streaming import list_stream
from app.organisations.router import (
    IncludeDeleted,
    NetworkFilter,
    RegionFilter,
    RelatedFilter,
    UpdatedSince,
    VerifiedBefore,
)
from app.pagination import FacetedPage, PageDep, facets_parameter, paged
from app.reading import ReaderDep
from app.record_routes import RecordRoutes, add_record_routes
from app.search.query import MAX_QUERY_LENGTH

router = APIRouter(prefix="/contacts", tags=["contacts"])


@router.get(
    "",
    summary="List contacts",
    description="E-mail addresses, websites, phones, addresses and named people, "
    "each with its organisation. Different filters combine with AND; a repeated filter "
    "matches any of its values.",
    response_model=FacetedPage[ContactPublic],
    responses={**PROBLEM_RESPONSES, **LIST_RESPONSES},
)
async def list_contacts(
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
    verified_before: VerifiedBefore = None,
    include_deleted: IncludeDeleted = False,
    sort: Annotated[
        ContactSort | None,
        Query(
            description="Order; default `relevance` with `q` (which it needs), else `id`.",
            examples=["value"],
        ),
    ] = None,
    facets: Annotated[list[str], Depends(facets_parameter(CONTACT_FACETS))] = [],  # noqa: B006
) -> Response:
    filters = service.ContactFilters(
        q=q,
        kinds=kind,
        organisations=organisation,
        regions=region,
        networks=network,
        related_to=related_to,
        updated_since=updated_since,
        verified_before=verified_before,
        include_deleted=include_deleted,
    )
    if fmt is not Format.json:
        return await list_stream(
            fmt,
            lambda every: reader.run(service.list_contacts, filters, sort, every, base),
            csv.CONTACT_COLUMNS,
            {"Vary": "Accept"},
        )
    window = await reader.run(service.list_contacts, filters, sort, page, base, facets)
    return vary_accept(paged(request, window, page))


ContactId = Annotated[
    Annotated[int, Ge(1), Le(MAX_ID)], PLAIN_DIGITS, Path(alias="contact_id", examples=[1])
]


def detail_response(session: Session, contact: Contact, base: str, status: int = 200) -> Response:
    (public,) = service.public_contacts(session, [contact], base)
    etag = etag_of(Resource.contact, contact)
    return record_response(public, etag, status, public.url if status == 201 else None)


@router.get(
    "/{contact_id}",
    summary="Get one contact",
    description="A deleted contact is a 410.",
    response_model=ContactPublic,
    responses={**PROBLEM_RESPONSES, 410: WRITE_RESPONSES[410]},
)
async def get_contact(contact_id: ContactId, reader: ReaderDep, base: BaseUrlDep) -> Response:
    detail = await reader.run(service.read_detail, contact_id, base)
    return read_response(Resource.contact, detail)


def _record_id(session: Session, contact_id: int) -> int:
    if session.get(Contact, contact_id) is None:
        raise NotFound("contact", "id", contact_id)
    return contact_id


add_record_routes(
    router,
    RecordRoutes(
        resource=Resource.contact,
        a_noun="a contact",
        key=ContactId,
        path="/{contact_id}",
        response_model=ContactPublic,
        create_model=ContactCreate,
        editing=writes.EDITING,
        create=writes.create,
        answer=detail_response,
        record_id=_record_id,
        create_summary="Add a contact to an organisation",
        create_description="E-mail addresses and websites are checked; phone numbers are "
        "stored in E.164 (`0341 123456` becomes `+49341123456`).",
        delete_description="It answers 410 from then on and stays in the change feed.",
    ),
)

from typing import Annotated

from annotated_types import Ge, Le
from fastapi import APIRouter, Depends, Path, Query, Request, Response

from app.changes import service as change_service
from app.changes.models import Resource
from app.changes.schemas import HistoryEntry
from app.contacts import service, writes
from app.contacts.models import Contact, ContactKind
from app.contacts.schemas import ContactCreate, ContactPublic, ContactUpdate
from app.contacts.service import CONTACT_FACETS, ContactSort
from app.db import MAX_ID
from app.deps import PLAIN_DIGITS, REPEATABLE, BaseUrlDep, FilterValues, SessionDep
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
from app.organisations.router import (
    IncludeDeleted,
    NetworkFilter,
    RegionFilter,
    RelatedFilter,
    UpdatedSince,
    VerifiedBefore,
)
from app.pagination import FacetedPage, Page, PageDep, facets_parameter, paged
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
) -> FacetedPage[ContactPublic]:
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
    window = service.list_contacts(session, filters, sort, page, base, facets)
    return paged(request, response, window, page)  # type: ignore[return-value]


ContactId = Annotated[Annotated[int, Ge(1), Le(MAX_ID)], PLAIN_DIGITS, Path(examples=[1])]


def detail_response(
    session: SessionDep, contact: Contact, base: str, status: int = 200
) -> Response:
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
def get_contact(contact_id: ContactId, session: SessionDep, base: BaseUrlDep) -> Response:
    return detail_response(session, service.get_contact(session, contact_id), base)


@router.post(
    "",
    summary="Add a contact to an organisation",
    description=needs(
        "E-mail addresses and websites are checked; phone numbers are stored in E.164 "
        "(`0341 123456` becomes `+49341123456`).",
        preconditioned=False,
    ),
    status_code=201,
    response_model=ContactPublic,
    responses=CREATE_RESPONSES,
    openapi_extra=request_body(ContactCreate, JSON),
)
def create_contact(
    author: AuthorDep,
    body: JsonBody,
    session: SessionDep,
    base: BaseUrlDep,
) -> Response:
    data = validated(ContactCreate, body)
    return detail_response(session, writes.create(session, author, data), base, status=201)


@router.put(
    "/{contact_id}",
    summary="Replace a contact",
    description=needs("The body is the contact's whole editable state."),
    response_model=ContactPublic,
    responses=WRITE_RESPONSES,
    openapi_extra=request_body(ContactUpdate, JSON),
)
def replace_contact(
    author: AuthorDep,
    if_match: IfMatch,
    contact_id: ContactId,
    body: JsonBody,
    session: SessionDep,
    base: BaseUrlDep,
) -> Response:
    data = validated(ContactUpdate, body)
    contact = writes.EDITING.replace(session, author, contact_id, data, if_match)
    return detail_response(session, contact, base)


@router.patch(
    "/{contact_id}",
    summary="Change fields of a contact",
    description=needs("A JSON Merge Patch (RFC 7396); `null` clears a field."),
    response_model=ContactPublic,
    responses=WRITE_RESPONSES,
    openapi_extra=request_body(ContactUpdate, MERGE_PATCH, JSON),
)
def patch_contact(
    author: AuthorDep,
    if_match: IfMatch,
    contact_id: ContactId,
    body: MergePatchBody,
    session: SessionDep,
    base: BaseUrlDep,
) -> Response:
    contact = writes.EDITING.patch(session, author, contact_id, body, if_match)
    return detail_response(session, contact, base)


@router.delete(
    "/{contact_id}",
    summary="Delete a contact",
    description=needs("It answers 410 from then on and stays in the change feed."),
    status_code=204,
    response_class=Response,
    responses=WRITE_RESPONSES,
)
def delete_contact(
    author: AuthorDep,
    if_match: IfMatch,
    contact_id: ContactId,
    session: SessionDep,
) -> Response:
    writes.EDITING.delete(session, author, contact_id, if_match)
    return Response(status_code=204)


@router.post(
    "/{contact_id}/verification",
    summary="Confirm a contact",
    description=needs("Sets `last_verified_at`: a write of its own, in the history and feed."),
    response_model=ContactPublic,
    responses=WRITE_RESPONSES,
)
def verify_contact(
    author: AuthorDep,
    if_match: IfMatch,
    contact_id: ContactId,
    session: SessionDep,
    base: BaseUrlDep,
) -> Response:
    return detail_response(
        session, writes.EDITING.confirm(session, author, contact_id, if_match), base
    )


@router.get(
    "/{contact_id}/history",
    summary="A contact's history",
    description="Every change, newest first. Deleted contacts keep theirs.",
    response_model=Page[HistoryEntry],
    responses=PROBLEM_RESPONSES,
)
def contact_history(
    contact_id: ContactId,
    request: Request,
    response: Response,
    session: SessionDep,
    page: PageDep,
) -> Page[HistoryEntry]:
    if session.get(Contact, contact_id) is None:
        raise NotFound("contact", "id", contact_id)
    window = change_service.history(session, Resource.contact, contact_id, page)
    return paged(request, response, window, page)
